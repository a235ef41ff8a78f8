"""Rasa SDK custom actions. Thin wrappers: the coaching logic lives in the plain-Python coach/ package."""
