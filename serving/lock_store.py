"""Per-conversation locks in Redis, shared by every Rasa server of `make cluster`, configured from one
URL (ANKLE_COACH_REDIS_URL), surviving a dead server and a Redis restart.

Several Rasa servers take turns on a conversation through these locks, so two messages of one runner
never interleave whichever server gets them. Rasa's own RedisLockStore has three flaws this fixes:

- A waiting ticket expires ``lock_lifetime`` after it was *issued*, not after its turn came. When a
  server dies holding a ticket, the load balancer retries the message on another server at once; its
  ticket is issued a moment after the dead one and so expires a moment after it too. The waiter then
  waits for a ticket that no longer exists until the request times out, and the runner's turn is lost.
  Here a live ticket is kept alive: a waiter renews its own ticket while it waits, and the holder
  renews it while the turn runs, so only the ticket of a process that died expires.
- Its read-change-write of the lock is not atomic: two servers issuing or returning tickets at the
  same moment overwrite each other. Here every change is one Redis transaction (WATCH/MULTI).
- It needs host, port and password as separate settings and fails the turn on the first dropped
  connection; here a dropped connection is retried with backoff for up to RETRY_SECONDS, and a
  ticket that vanished with a Redis restart (its last second not yet on disk) is taken again, so a
  restart delays turns instead of losing them.

The Redis client is synchronous (as Rasa's is); every call the async turn makes runs in a worker
thread, so a Redis that is slow or restarting holds up only the turns waiting for their locks, never
the server's event loop and the other conversations on it."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from contextlib import asynccontextmanager, suppress
from typing import Any, AsyncGenerator, Callable, Optional, Tuple, Type, TypeVar
from urllib.parse import unquote, urlsplit

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
    RedisLockStore,
)

RETRY_SECONDS = 20.0
LOCK_ATTEMPTS = 3
# Where a ticket stands after a look at the lock: its turn, still queued, or gone (expired while its
# process stalled, or lost with a Redis restart).
SERVING, QUEUED, GONE = "serving", "queued", "gone"
_Result = TypeVar("_Result")


def _connection_errors() -> Tuple[Type[BaseException], ...]:
    """Refused or dropped connections (at connect redis-py sees the socket's own error), and a restarted
    Redis still reading its append-only file."""
    import redis  # noqa: PLC0415

    return (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        redis.exceptions.BusyLoadingError,
        ConnectionRefusedError,
        ConnectionResetError,
    )


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
        retry_on_error=list(_connection_errors()),
    )


class RedisUrlLockStore(RedisLockStore):
    """``lock_store: {type: serving.lock_store.RedisUrlLockStore, url: ${ANKLE_COACH_REDIS_URL}}``.

    A lock is Rasa's TicketLock (a queue of tickets, served first in, first out) stored as JSON under
    one key. Tickets are random numbers, not a count, so a ticket of a lock that was emptied and
    made again can never be mistaken for a newer one."""

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
        """Wait for this conversation's turn, hold it while the caller works, then hand it on.

        While waiting and while holding, the ticket is renewed so that it outlives neither the wait
        nor the turn; a ticket that is gone anyway (Redis restarted) is replaced by a new one at the
        back of the queue, up to LOCK_ATTEMPTS times."""
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            ticket = await asyncio.to_thread(self.issue_ticket, conversation_id, lock_lifetime)
            try:
                acquired = await self._wait_for_turn(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
            except LockError:
                await asyncio.to_thread(self.cleanup, conversation_id, ticket)
                if attempt == LOCK_ATTEMPTS:
                    raise
                continue
            keep_alive = asyncio.ensure_future(self._keep_alive(conversation_id, ticket, lock_lifetime))
            try:
                yield acquired
            finally:
                keep_alive.cancel()
                with suppress(asyncio.CancelledError):
                    await keep_alive
                await asyncio.to_thread(self.cleanup, conversation_id, ticket)
            return

    # ---- the steps, each one Redis transaction ----------------------------------------------------
    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket at the back of the conversation's queue."""

        def issue(lock: TicketLock) -> int:
            number = random.getrandbits(62)
            lock.tickets.append(Ticket(number, time.time() + lock_lifetime))
            return number

        return self._change(conversation_id, issue)

    def renew(self, conversation_id: str, ticket: int, lock_lifetime: float) -> str:
        """Renew a live ticket (``lock_lifetime`` from now) and say where it stands."""

        def renew(lock: TicketLock) -> str:
            mine = next((t for t in lock.tickets if t.number == ticket), None)
            if mine is None:
                return GONE
            mine.expires = time.time() + lock_lifetime
            return SERVING if lock.tickets[0] is mine else QUEUED

        return self._change(conversation_id, renew)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def remove(lock: TicketLock) -> None:
            lock.tickets = type(lock.tickets)(t for t in lock.tickets if t.number != ticket_number)

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket; the lock itself goes when no one else holds a ticket (in the same step)."""
        self.finish_serving(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: None)

    def _change(self, conversation_id: str, change: Callable[[TicketLock], _Result]) -> _Result:
        """Read the lock, drop its expired tickets, apply ``change``, write it back - atomically: when
        another server changed the lock meanwhile, Redis refuses the write and it is done again. An
        empty lock is deleted; a kept one expires with its last ticket, so a dead server's leaves nothing."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> _Result:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            lock.remove_expired_tickets()
            result = change(lock)
            pipe.multi()
            if lock.tickets:
                expires = max(t.expires for t in lock.tickets)
                pipe.set(key, lock.dumps(), pxat=int(expires * 1000) + 1000)
            else:
                pipe.delete(key)
            return result

        return self._riding_out_restarts(lambda: self.red.transaction(transaction, key, value_from_callable=True))

    @staticmethod
    def _riding_out_restarts(operation: Callable[[], _Result]) -> _Result:
        """redis-py retries a dropped connection for single commands but not inside a transaction
        (WATCH/MULTI): here the whole transaction is tried again, with backoff, for RETRY_SECONDS."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.05
        while True:
            try:
                return operation()
            except _connection_errors():
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)  # in a worker thread (see the module's docstring), as redis-py's own retries
                delay = min(delay * 2, 0.5)

    # ---- waiting and holding ------------------------------------------------------------------------
    async def _wait_for_turn(
        self, conversation_id: str, ticket: int, lock_lifetime: float, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            standing = await asyncio.to_thread(self.renew, conversation_id, ticket, lock_lifetime)
            if standing == SERVING:
                return await asyncio.to_thread(self.get_lock, conversation_id) or TicketLock(conversation_id)
            if standing == GONE:
                raise LockError(f"The ticket for conversation '{conversation_id}' was lost while waiting.")
            await asyncio.sleep(wait_time_in_seconds)

    async def _keep_alive(self, conversation_id: str, ticket: int, lock_lifetime: float) -> None:
        """While the turn runs: renew the ticket a few times per lifetime. A Redis hiccup here is not
        the turn's failure; the next renewal tries again."""
        while True:
            await asyncio.sleep(max(lock_lifetime / 4, 0.05))
            try:
                await asyncio.to_thread(self.renew, conversation_id, ticket, lock_lifetime)
            except Exception:  # noqa: BLE001 - see the docstring
                continue

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        stored = self.red.get(self.key_prefix + conversation_id)
        return TicketLock.from_dict(json.loads(stored)) if stored else None
