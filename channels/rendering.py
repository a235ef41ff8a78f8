"""How one turn of bot messages looks on a text-only chat (Telegram, Slack). Plain Python, no Rasa.

The product contract's ``custom`` payload is read by widgets; a chat app can't show it, so here it
becomes text the runner sees: an urgency line (at the top of the reply for emergency/urgent, the
first thing read) and the sources line when the text does not already carry it. Each app's own
format is in channels/telegram_format.py and channels/slack_format.py.
"""

from __future__ import annotations

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
