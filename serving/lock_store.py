"""Rasa's Redis lock store, configured from one URL (ANKLE_COACH_REDIS_URL) and riding out a Redis restart.

Several Rasa servers (make cluster) take turns on a conversation through these locks, so two
messages of one runner never interleave whichever server gets them. Rasa's own RedisLockStore wants
host, port and password as separate settings and fails the turn on the first connection error; here
a dropped connection is retried with backoff for up to RETRY_SECONDS, and a lock that vanished with a
Redis restart (its last second not yet on disk) is taken again, so a restart delays turns instead of
losing them."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator
from urllib.parse import unquote, urlsplit

from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
    RedisLockStore,
    TicketLock,
)

RETRY_SECONDS = 20.0
LOCK_ATTEMPTS = 3


def redis_client(url: str) -> Any:
    """A Redis client for ``url`` that retries a refused or dropped connection with backoff."""
    import redis  # noqa: PLC0415
    from redis.backoff import ExponentialBackoff  # noqa: PLC0415
    from redis.retry import Retry  # noqa: PLC0415

    cap, base = 0.5, 0.05
    attempts = int(RETRY_SECONDS / cap) + 5
    parts = urlsplit(url)
    return redis.Redis(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=int((parts.path or "/0").lstrip("/") or 0),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=parts.scheme == "rediss",
        socket_timeout=DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=cap, base=base), attempts),
        # refused or dropped connections (at connect redis-py sees the socket's own error), and a
        # restarted Redis still reading its append-only file
        retry_on_error=[
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            redis.exceptions.BusyLoadingError,
            ConnectionRefusedError,
            ConnectionResetError,
        ],
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

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock; when the lock vanished while waiting (Redis restarted and lost it), a new
        ticket is taken instead of failing the turn."""
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
            try:
                acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
            except LockError:
                self.cleanup(conversation_id, ticket)
                if attempt == LOCK_ATTEMPTS:
                    raise
                continue
            try:
                yield acquired
            finally:
                self.cleanup(conversation_id, ticket)
            return
