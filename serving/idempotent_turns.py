"""A message delivered twice is one turn: the second delivery gets the answer already recorded.

Deliveries repeat: the load balancer retries a request on the other Rasa server when the first one
died mid-turn, Telegram and Slack redeliver what was not acknowledged, a widget resends after a
dropped connection. Each carries the same message id (the client's, or the chat app's own), so a
message whose id is already in the conversation is not processed again; its recorded replies are
sent instead. The check runs inside Rasa's per-conversation lock, after the conversation is loaded
and before the message is parsed, so it costs no extra read; ids Rasa makes up itself (a random
uuid) are never looked up."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.shared.core.events import BotUttered, UserUttered

_RASA_MADE = re.compile(r"^[0-9a-f]{32}$")
_installed = False


class _AlreadyRecorded(Exception):
    def __init__(self, replies: List[Dict[str, Any]]):
        super().__init__("message already handled")
        self.replies = replies


def is_delivery_id(message_id: Optional[str]) -> bool:
    """An id a client or chat app gave (a retry repeats it), not one Rasa made up."""
    return bool(message_id) and not _RASA_MADE.match(str(message_id))


def recorded_replies(events: List[Any], message_id: str) -> Optional[List[Dict[str, Any]]]:
    """The bot's replies to the user message with this id, or None when there is no such message."""
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            reply = {key: value for key, value in (event.data or {}).items() if value is not None}
            if event.text:
                reply["text"] = event.text
            replies.append(reply)
    return replies


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.channels.channel import CollectingOutputChannel  # noqa: PLC0415
    from rasa.core.processor import MessageProcessor  # noqa: PLC0415

    handle_message = MessageProcessor.handle_message
    with_tracker = MessageProcessor._handle_message_with_tracker

    async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
        if is_delivery_id(message.message_id):
            replies = recorded_replies(list(tracker.events), message.message_id)
            if replies is not None:
                raise _AlreadyRecorded(replies)
        await with_tracker(self, message, tracker)

    async def _handle_message(self: Any, message: Any) -> Any:
        try:
            return await handle_message(self, message)
        except _AlreadyRecorded as recorded:
            for reply in recorded.replies:
                await message.output_channel.send_response(message.sender_id, dict(reply))
            if isinstance(message.output_channel, CollectingOutputChannel):
                return message.output_channel.messages
            return None

    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker
    MessageProcessor.handle_message = _handle_message
    _installed = True
