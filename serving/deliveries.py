"""Which chat-app deliveries (Telegram updates, Slack events) are new, being worked on, or done.

Telegram and Slack redeliver what was not acknowledged, so a channel acknowledges an update only
after its turn is recorded and the reply sent, and a redelivery of a finished update is answered
"duplicate" without any work. Across several servers (make cluster) this memory lives in Redis
(ANKLE_COACH_REDIS_URL), so a restart or the other server does not answer twice; one server keeps it
in memory. A claim on an update being worked on expires after WORKING_SECONDS, so the update of a
server that died mid-turn is taken up again on the next redelivery (and serving/idempotent_turns.py
keeps that from recording the turn twice)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Optional, Tuple

NEW, WORKING, DONE = "new", "working", "done"
WORKING_SECONDS = 120
DONE_SECONDS = 7 * 24 * 3600  # Telegram keeps an unacknowledged update for 24 h; Slack retries for minutes


class MemoryDeliveries:
    """One server's memory (bounded, most recent kept)."""

    def __init__(self, capacity: int = 10_000, clock: Any = time.monotonic):
        self.capacity, self.clock = capacity, clock
        self._states: "OrderedDict[str, Tuple[str, float]]" = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str) -> str:
        """NEW (and now claimed by the caller), WORKING (someone else's, not expired) or DONE."""
        with self._lock:
            state = self._states.get(key)
            if state and (state[0] == DONE or state[1] > self.clock()):
                return state[0]
            self._set(key, WORKING, WORKING_SECONDS)
            return NEW

    def done(self, key: str) -> None:
        with self._lock:
            self._set(key, DONE, DONE_SECONDS)

    def release(self, key: str) -> None:
        """The work failed: a redelivery may try again."""
        with self._lock:
            self._states.pop(key, None)

    def _set(self, key: str, state: str, seconds: float) -> None:
        self._states[key] = (state, self.clock() + seconds)
        self._states.move_to_end(key)
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)


class RedisDeliveries:
    """Shared by every server: SET NX claims the work, the value says how far it got."""

    def __init__(self, client: Any, prefix: str = "ankle_coach:delivery:"):
        self.client, self.prefix = client, prefix

    def claim(self, key: str) -> str:
        if self.client.set(self.prefix + key, WORKING, nx=True, ex=WORKING_SECONDS):
            return NEW
        value = self.client.get(self.prefix + key)
        if value is None:  # expired between the two calls: try once more
            return NEW if self.client.set(self.prefix + key, WORKING, nx=True, ex=WORKING_SECONDS) else WORKING
        return DONE if value in (DONE, DONE.encode()) else WORKING

    def done(self, key: str) -> None:
        self.client.set(self.prefix + key, DONE, ex=DONE_SECONDS)

    def release(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def deliveries(redis_url: Optional[str]) -> Any:
    if not redis_url:
        return MemoryDeliveries()
    from serving.lock_store import redis_client  # noqa: PLC0415

    return RedisDeliveries(redis_client(redis_url))
