"""Limits every request meets, in plain Python: rate limits, JSON nesting depth, compressed bodies."""

from __future__ import annotations

import threading
import time
import zlib
from collections import OrderedDict
from typing import Callable, Optional, Tuple

MAX_BODY_BYTES = 256 * 1024  # a request body beyond this is refused before it is buffered
MAX_JSON_DEPTH = 32  # deeper nesting is refused before it is parsed (100,000 "[" -> 500 otherwise)


class TooLarge(ValueError):
    """The body (or what it inflates to) is over the cap."""


def json_depth_ok(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """False when brackets nest deeper than ``max_depth`` (strings are skipped)."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # "
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                return False
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return True


def inflate(body: bytes, limit: int = MAX_BODY_BYTES) -> bytes:
    """A deflate (zlib) body, inflated up to ``limit`` bytes: a 1 MB bomb can't become 1 GiB."""
    inflater = zlib.decompressobj()
    data = inflater.decompress(body, limit + 1)
    if len(data) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"inflated body over {limit} bytes")
    return data


class RateLimiter:
    """A token bucket per key (sender or client address): ``rate`` messages a minute, bursts of ``burst``.

    In memory and bounded (the least recently seen keys are forgotten first). A cluster shares its
    limits through Redis instead (serving/shared.py)."""

    def __init__(
        self, per_minute: float, burst: int, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ):
        self.rate, self.burst, self.max_keys, self.clock = per_minute / 60.0, burst, max_keys, clock
        self._buckets: "OrderedDict[str, Tuple[float, float]]" = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed


def env_number(environ: dict, name: str, default: float, minimum: float = 0.0) -> float:
    """A positive number from the environment, or the default when it is unset or not a number."""
    try:
        value = float(environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= minimum else default


def client_address(forwarded_for: Optional[str], remote: Optional[str], trust_proxy: bool) -> str:
    """The client's address; X-Forwarded-For only counts behind our own load balancer."""
    if trust_proxy and forwarded_for:
        return forwarded_for.split(",")[0].strip() or (remote or "unknown")
    return remote or "unknown"
