"""How one turn of bot messages looks on a text-only chat (Telegram, Slack). Plain Python, no Rasa.

The product contract's ``custom`` payload is read by widgets; a chat app can't show it, so here it
becomes text the runner sees: an urgency line (at the top of the reply for emergency/urgent, the
first thing read) and the sources line when the text does not already carry it. Buttons become
the channel's quick replies: a Telegram inline keyboard or a Slack ``actions`` block.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from coach.knowledge import load_knowledge
from coach.topics import PENDING, most_urgent

# The banner wording lives with the urgency levels in knowledge/messages.yml; chat apps get an emoji.
_EMOJI = {"emergency": "🚨", "urgent": "⚠️", "soon": "🩺", PENDING: "❓"}
URGENCY_LINES = {
    level: f"{_EMOJI[level]} {wording['banner']}"
    for level, wording in load_knowledge().messages["urgency_levels"].items()
}

TELEGRAM_TEXT_LIMIT = 4000  # Telegram allows 4096 (UTF-16 units); keep a margin for emoji
TELEGRAM_CALLBACK_BYTES = 64  # callback_data limit
SLACK_SECTION_LIMIT = 2900  # a section block's text may hold 3000 characters
SLACK_BUTTON_TEXT = 75  # a button's label may hold 75 characters
SLACK_BUTTON_VALUE = 2000
SLACK_MAX_BLOCKS = 50
SLACK_BUTTONS_PER_ACTIONS = 25


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class ChatMessage:
    """One message as the runner sees it: an optional urgency line, the body, quick replies."""

    body: str
    buttons: List[Button] = field(default_factory=list)
    urgency_line: Optional[str] = None

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (self.urgency_line, self.body) if part)


def _buttons(raw: Any) -> List[Button]:
    buttons = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("title"):
            buttons.append(Button(str(item["title"]), str(item.get("payload") or item["title"])))
    return buttons


def _sources_line(text: str, custom: Dict[str, Any]) -> Optional[str]:
    sources = [str(s) for s in custom.get("sources") or [] if s]
    if not sources or all(source in text for source in sources):
        return None  # the text already ends with "Source: ..."
    return "Source: " + "; ".join(sources)


def render_turn(messages: Iterable[Dict[str, Any]]) -> List[ChatMessage]:
    """The messages Rasa sent for one user message, as chat messages.

    A ``custom`` payload belongs to the text message before it. The most urgent payload of the
    turn puts its urgency line at the top of the first message, so a red flag is read first.
    """
    bubbles: List[Dict[str, Any]] = []
    for message in messages:
        lines = []
        if message.get("text"):
            lines.append(str(message["text"]).strip())
        if message.get("image"):
            lines.append(str(message["image"]))
        attachment = message.get("attachment")
        if isinstance(attachment, str) and attachment:
            lines.append(attachment)
        buttons = _buttons(message.get("buttons")) + _buttons(message.get("quick_replies"))
        for element in message.get("elements") or []:
            if isinstance(element, dict):
                lines.append(" : ".join(str(element[k]) for k in ("title", "subtitle") if element.get(k)))
                buttons += _buttons(element.get("buttons"))
        custom = message.get("custom")
        if lines or buttons:
            bubbles.append({"lines": [line for line in lines if line], "buttons": buttons, "customs": []})
        if isinstance(custom, dict):
            if not bubbles:
                bubbles.append({"lines": [], "buttons": [], "customs": []})
            bubbles[-1]["customs"].append(custom)

    rendered: List[ChatMessage] = []
    for bubble in bubbles:
        body = "\n\n".join(bubble["lines"])
        for custom in bubble["customs"]:
            line = _sources_line(body, custom)
            if line:
                body = f"{body}\n\n{line}" if body else line
        rendered.append(ChatMessage(body=body, buttons=bubble["buttons"]))

    urgencies = [c.get("urgency") for b in bubbles for c in b["customs"]]
    urgency = most_urgent(urgencies) or (PENDING if PENDING in urgencies else None)
    if urgency in URGENCY_LINES and rendered:
        rendered[0].urgency_line = URGENCY_LINES[urgency]
    return [message for message in rendered if message.text or message.buttons]


def split_text(text: str, limit: int) -> List[str]:
    """Split text into chunks of at most ``limit`` characters, at paragraphs, lines or words."""
    text = text.strip()
    chunks: List[str] = []
    while len(text) > limit:
        cut = -1
        for separator, earliest in (("\n\n", limit // 2), ("\n", limit // 2), (" ", 1)):
            cut = text.rfind(separator, 0, limit + 1)
            if cut >= earliest:
                break
        if cut < 1:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


# ---- Telegram -------------------------------------------------------------------------------
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
def slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup; escape them so the text shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MENTION = re.compile(r"<[@!#][^>]*>")
_LINK = re.compile(r"<([^>|]+)(?:\|([^>]*))?>")


def slack_plain_text(text: str) -> str:
    """What a runner typed in Slack, without mentions and markup: '<@U1> hi &amp; bye' -> 'hi & bye'."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def slack_message(message: ChatMessage) -> Dict[str, Any]:
    """chat.postMessage fields (without channel/thread_ts): fallback text and blocks."""
    blocks: List[Dict[str, Any]] = []
    if message.urgency_line:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{slack_escape(message.urgency_line)}*"}}
        )
    room = (
        SLACK_MAX_BLOCKS
        - len(blocks)
        - (1 + (len(message.buttons) - 1) // SLACK_BUTTONS_PER_ACTIONS if message.buttons else 0)
    )
    chunks = split_text(slack_escape(message.body), SLACK_SECTION_LIMIT)
    if len(chunks) > room:
        chunks = chunks[:room]
        chunks[-1] = chunks[-1][: SLACK_SECTION_LIMIT - 1] + "…"
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]
    for start in range(0, len(message.buttons), SLACK_BUTTONS_PER_ACTIONS):
        group = message.buttons[start : start + SLACK_BUTTONS_PER_ACTIONS]
        blocks.append(
            {
                "type": "actions",
                "block_id": f"quick_replies_{start // SLACK_BUTTONS_PER_ACTIONS}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"quick_reply_{start + i}",
                        "text": {"type": "plain_text", "text": b.title[:SLACK_BUTTON_TEXT], "emoji": True},
                        "value": b.payload[:SLACK_BUTTON_VALUE],
                    }
                    for i, b in enumerate(group)
                ],
            }
        )
    return {"text": message.text[:39_000] or " ", "blocks": blocks}
