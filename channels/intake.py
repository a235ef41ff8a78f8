"""What every channel does with a runner's message before Rasa sees it. Plain Python, no Rasa.

- Sender ids are the server's: ``<channel>:<id>``, so no client can name another channel's chat.
- ``/intent{...}`` text reaches Rasa only as the payload of a button the bot offered to this sender:
  buttons leave signed (``payload~signature``) and come back checked. Typed by hand, the leading "/"
  is dropped and the words are read like any other message.
- ``/forget`` or "forget me" erases the runner's conversation on the server (the channel erases it).
- A sender, or a client address, over its rate limit gets a friendly reply, never silence.
- An over-long message gets a polite reply without the model (red flags in it are still warned of).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from coach.messages_in import MAX_MESSAGE_CHARS, oversized_reply
from serving.limits import RateLimiter, env_number
from serving.secrets import same, signature

MESSAGE, FORGET, LIMITED, TOO_LONG = "message", "forget", "rate_limited", "too_long"
_FORGET = re.compile(
    r"^\s*(/forget|/start_over|forget me|forget me please|please forget me|delete my data|"
    r"delete my conversation|delete our conversation|erase my data)\s*[.!]*\s*$",
    re.I,
)
_SIGNED = re.compile(r"^(?P<payload>/.+)~(?P<signature>[0-9a-f]{24})$", re.S)


def sender_id(channel: str, *parts: Any) -> str:
    """The server's id for a conversation: the channel's name first, then its own ids."""
    return ":".join([channel, *(str(part) for part in parts)])


def sign_payload(sender: str, payload: str) -> str:
    """A button payload the bot offers to this sender: only intent payloads need the signature."""
    if not payload.startswith("/") or _SIGNED.match(payload):
        return payload
    return f"{payload}~{signature('button', sender, payload)}"


def sign_buttons(sender: str, buttons: Optional[List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
    return [
        {**b, "payload": sign_payload(sender, str(b.get("payload") or b.get("title") or ""))}
        for b in buttons or []
        if isinstance(b, dict)
    ]


def accepted_text(sender: str, text: str) -> str:
    """A signed button payload of this sender's becomes the payload; any other '/' loses its slash."""
    match = _SIGNED.match(text.strip())
    if match and same(match.group("signature"), signature("button", sender, match.group("payload"))):
        return match.group("payload")
    return text.lstrip().lstrip("/") if text.lstrip().startswith("/") else text


@dataclass
class Admission:
    kind: str  # MESSAGE, FORGET, LIMITED or TOO_LONG
    text: str = ""  # what Rasa gets (MESSAGE)
    replies: List[Dict[str, Any]] = field(default_factory=list)  # what the runner gets instead


class Gate:
    """Rate limits (per sender and per client address) and the checks above, shared by every channel."""

    def __init__(self, per_sender: RateLimiter, per_address: RateLimiter):
        self.per_sender, self.per_address = per_sender, per_address

    def admit(self, sender: str, text: str, address: Optional[str] = None, trusted: bool = False) -> Admission:
        """``trusted``: the text is a payload the channel itself holds (a Telegram or Slack button)."""
        if not self.per_sender.allow(sender) or (address and not self.per_address.allow(address)):
            return Admission(LIMITED, replies=[{"text": _messages()["rate_limited"].strip()}])
        if _FORGET.match(text):
            return Admission(FORGET)
        if len(text) > MAX_MESSAGE_CHARS:
            return Admission(TOO_LONG, replies=oversized_reply(text))
        return Admission(MESSAGE, text if trusted else accepted_text(sender, text))


def forgotten_reply() -> List[Dict[str, Any]]:
    """Says so, and tells a widget to clear what it keeps of the conversation too."""
    return [
        {"text": _messages()["forgotten"].strip()},
        {"custom": {"topic": "fallback", "urgency": "self_care", "sources": [], "forgotten": True}},
    ]


def _messages() -> Dict[str, Any]:
    from coach.knowledge import load_knowledge  # noqa: PLC0415 (loaded once, on first use)

    return load_knowledge().messages


@functools.lru_cache(maxsize=1)
def gate() -> Gate:
    """The process-wide gate; limits from ANKLE_COACH_RATE_PER_SENDER / _PER_ADDRESS (messages a minute)."""
    per_sender = env_number(os.environ, "ANKLE_COACH_RATE_PER_SENDER", 30, minimum=1)
    per_address = env_number(os.environ, "ANKLE_COACH_RATE_PER_ADDRESS", 300, minimum=1)
    return Gate(
        RateLimiter(per_sender, burst=max(5, int(per_sender // 3))),
        RateLimiter(per_address, burst=max(20, int(per_address // 5))),
    )
