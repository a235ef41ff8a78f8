"""Plumbing shared by the chat-app channels (Telegram, Slack).

- ``TurnCollector``: keeps the bot's messages of one turn whole (the stock collector splits text at
  blank lines), so the turn can be rendered as one reply with the urgency line on top.
- ``run_turn``: a runner's message through the checks every channel applies (channels/intake.py:
  rate limits, "/forget", typed "/intent" text, length) and then Rasa; if the bot could not answer
  at all, the runner still gets a reply (a red-flag warning when the message describes one).
- ``OrderedTasks``: the work for a conversation runs one message at a time, in arrival order.
- ``acknowledge_when_done``: a webhook is acknowledged only once its turn is recorded and the reply
  sent (a failure answers 500, so the chat app delivers it again); serving/deliveries.py remembers
  what is done, so a redelivery is not processed twice.
- ``ApiClient``: one aiohttp session for the outgoing API calls; never logs URLs (they hold tokens).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.intake import FORGET, MESSAGE, forgotten_reply, gate
from coach.messages_in import unanswered_reply
from serving.conversations import forget

logger = logging.getLogger(__name__)

_KEPT_FIELDS = ("text", "buttons", "quick_replies", "custom", "image", "attachment", "elements")


def env(name: str, default: str = "") -> str:
    return (os.environ.get(name) or default).strip()


class TurnCollector(OutputChannel):
    """Collects what the bot says in one turn, message by message, unchanged."""

    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        kept = {key: message[key] for key in _KEPT_FIELDS if message.get(key)}
        if kept:
            self.messages.append(kept)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


async def run_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    collector: TurnCollector,
    text: str,
    sender_id: str,
    input_channel: str,
    tracker_store: Callable[[], Any],
    message_id: Optional[str] = None,
    metadata: Optional[Dict[str, Any]] = None,
    trusted: bool = False,
) -> List[Dict[str, Any]]:
    """The bot's messages for one runner message. ``trusted``: the text is a payload the channel holds
    itself (a button it sent, a command it maps), not typed by the runner."""
    admission = gate().admit(sender_id, text, trusted=trusted)
    if admission.kind == FORGET:
        await forget(tracker_store(), sender_id)
        return forgotten_reply()
    if admission.kind != MESSAGE:
        return admission.replies
    try:
        await on_new_message(
            UserMessage(
                admission.text,
                collector,
                sender_id,
                input_channel=input_channel,
                message_id=message_id,
                metadata=metadata,
            )
        )
    except Exception as error:
        logger.error("Failed to handle a %s message from %s: %s", input_channel, sender_id, type(error).__name__)
    return collector.messages or unanswered_reply(text)


class KnowsItsApp:
    """A channel that needs the running app (its agent's tracker store, to erase a conversation)."""

    app: Any = None

    def remember_app(self, blueprint: Any) -> None:
        @blueprint.listener("before_server_start")
        async def remember(app: Any, _: Any) -> None:
            self.app = app

    def tracker_store(self) -> Any:
        return self.app.ctx.agent.tracker_store


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


class ApiClient:
    """POSTs to a chat app's web API; returns the JSON answer or None (errors are logged, not raised)."""

    def __init__(self, service: str, timeout: float = 15):
        self.service = service
        self.timeout = timeout
        self._session: Optional[aiohttp.ClientSession] = None

    async def post(
        self, url: str, method: str, *, json: Optional[dict] = None, headers: Optional[Dict[str, str]] = None
    ) -> Optional[dict]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            async with self._session.post(url, json=json, headers=headers) as response:
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.error("%s %s failed: %s", self.service, method, type(error).__name__)
            return None
        if response.status >= 400 or not isinstance(data, dict) or data.get("ok") is False:
            detail = data.get("description") or data.get("error") if isinstance(data, dict) else None
            logger.error("%s %s answered %s: %s", self.service, method, response.status, detail)
        return data if isinstance(data, dict) else None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
