"""Measurements that are not pass/fail tests: NLU quality, red-flag recall, speed and memory."""
