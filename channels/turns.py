"""One runner message, as the chat-app channels (Telegram, Slack) handle it.

- ``TurnCollector``: keeps the bot's messages of one turn whole (the stock collector splits text at
  blank lines), so the turn can be rendered as one reply with the urgency line on top.
- ``run_turn``: the message through the checks every channel applies (channels/intake.py: rate
  limits, "/forget", typed "/intent" text, length) and then Rasa; if the bot could not answer at all,
  the runner still gets a reply (a red-flag warning when the message describes one).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.intake import FORGET, MESSAGE, forgotten_reply, gate
from coach.messages_in import unanswered_reply
from serving.conversations import forget

logger = logging.getLogger(__name__)

_KEPT_FIELDS = ("text", "buttons", "quick_replies", "custom", "image", "attachment", "elements")


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
