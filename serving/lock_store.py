"""Rasa's Redis lock store, configured from one URL (ANKLE_COACH_REDIS_URL) and riding out a Redis restart.

Several Rasa servers (make cluster) take turns on a conversation through these locks, so two
messages of one runner never interleave whichever server gets them. Rasa's own RedisLockStore wants
host, port and password as separate settings and fails the turn on the first connection error; here
a dropped connection is retried with backoff for up to RETRY_SECONDS, so a Redis restart delays
turns instead of losing them."""

from __future__ import annotations

import os
from typing import Any

from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, LockStore, RedisLockStore

RETRY_SECONDS = 20.0


def redis_client(url: str) -> Any:
    """A Redis client for ``url`` that retries a refused or dropped connection with backoff."""
    import redis  # noqa: PLC0415
    from redis.backoff import ExponentialBackoff  # noqa: PLC0415
    from redis.retry import Retry  # noqa: PLC0415

    cap, base = 0.5, 0.05
    attempts = int(RETRY_SECONDS / cap) + 5
    return redis.Redis.from_url(
        url,
        socket_timeout=DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=cap, base=base), attempts),
        retry_on_error=[redis.exceptions.ConnectionError, redis.exceptions.TimeoutError],
    )


class RedisUrlLockStore(RedisLockStore):
    """``lock_store: {type: serving.lock_store.RedisUrlLockStore, url: ${ANKLE_COACH_REDIS_URL}}``."""

    def __init__(self, endpoint_config: Any = None, url: str = "") -> None:
        url = url or getattr(endpoint_config, "url", None) or os.environ.get("ANKLE_COACH_REDIS_URL", "")
        if not url:
            raise ValueError("RedisUrlLockStore needs a Redis URL (ANKLE_COACH_REDIS_URL)")
        self.red = redis_client(url)
        self.key_prefix = "ankle_coach:lock:"
        LockStore.__init__(self)
