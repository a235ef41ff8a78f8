"""Webhook deliveries from a chat app (Telegram, Slack): the work for a conversation runs one message
at a time, in arrival order, and the webhook is acknowledged only once its turn is recorded and the
reply sent. A failure answers 500, so the chat app delivers it again; serving/deliveries.py remembers
what is done, so a redelivery is not processed twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Set, Tuple

logger = logging.getLogger(__name__)


class OrderedTasks:
    """Background work, serialised per conversation key (FIFO), with errors logged."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._pending: Dict[str, int] = {}
        self._tasks: Set[asyncio.Task] = set()

    def spawn(self, key: str, work: Callable[[], Awaitable[Any]]) -> "asyncio.Task[bool]":
        """Start ``work`` after the earlier work for ``key``; the task's result says whether it succeeded."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._pending[key] = self._pending.get(key, 0) + 1

        async def run() -> bool:
            try:
                async with lock:
                    await work()
                return True
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Work for %s failed", key)
                return False
            finally:
                self._pending[key] -= 1
                if not self._pending[key]:
                    del self._pending[key], self._locks[key]

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


class DeliveryFailed(RuntimeError):
    """A reply could not be handed to the chat app; the update is not acknowledged, so it comes again."""


async def acknowledge_when_done(deliveries: Any, key: str, task: "Optional[asyncio.Task[bool]]") -> Tuple[int, str]:
    """Wait for an update's work (a turn recorded and its reply sent) and say how to answer the chat
    app: 200 when done, 500 when it failed, so the app delivers it again. The work goes on if the
    app hangs up first (it is shielded), and its claim is settled either way."""
    if task is None:
        deliveries.done(key)
        return 200, "ignored"
    try:
        succeeded = await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(
            lambda t: deliveries.done(key) if not t.cancelled() and t.result() else deliveries.release(key)
        )
        raise
    if succeeded:
        deliveries.done(key)
        return 200, "ok"
    deliveries.release(key)
    return 500, "failed; deliver again"
