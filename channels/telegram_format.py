"""A rendered turn (channels/rendering.py) in the Telegram Bot API's format: sendMessage bodies with
text split under Telegram's limit and quick replies as an inline keyboard whose callback data is a
short key for the stored payload (Telegram allows 64 bytes)."""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from channels.rendering import ChatMessage, split_text

TELEGRAM_TEXT_LIMIT = 4000  # Telegram allows 4096 (UTF-16 units); keep a margin for emoji
TELEGRAM_CALLBACK_BYTES = 64  # callback_data limit


class CallbackPayloads:
    """Telegram's callback_data holds 64 bytes; longer button payloads travel as a short key.

    The key is a hash of the payload, remembered here (bounded, most recent kept). A key that is
    no longer known (e.g. after a restart) decodes to None; the channel then uses the button title.
    """

    PREFIX = "~"

    def __init__(self, capacity: int = 20_000):
        self.capacity = capacity
        self._payloads: "OrderedDict[str, str]" = OrderedDict()

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= TELEGRAM_CALLBACK_BYTES and not payload.startswith(self.PREFIX):
            return payload
        digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode("utf-8")).digest()).decode("ascii")
        key = self.PREFIX + digest[:32]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.capacity:
            self._payloads.popitem(last=False)
        return key

    def decode(self, data: str) -> Optional[str]:
        if not data.startswith(self.PREFIX):
            return data
        return self._payloads.get(data)


def telegram_messages(message: ChatMessage, payloads: CallbackPayloads) -> List[Dict[str, Any]]:
    """sendMessage bodies (without chat_id) for one chat message; buttons go on the last part."""
    parts = split_text(message.text, TELEGRAM_TEXT_LIMIT) or (["Choose one:"] if message.buttons else [])
    bodies: List[Dict[str, Any]] = [{"text": part} for part in parts]
    if message.buttons and bodies:
        keyboard = [[{"text": b.title, "callback_data": payloads.encode(b.payload)}] for b in message.buttons]
        bodies[-1]["reply_markup"] = {"inline_keyboard": keyboard}
    return bodies


# ---- Slack ------------------------------------------------------------------------------------
