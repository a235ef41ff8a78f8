"""What the bot sends: text (with buttons) plus one ``custom`` payload per the product contract.

A Reply is channel-neutral. ``messages()`` gives the list of messages in the shape both the Rasa
SDK dispatcher (``utter_message(**m)``) and the channels understand: ``{"text", "buttons"}`` and
``{"custom": {...}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from coach.topics import PENDING, TOPICS, URGENCIES


@dataclass
class Reply:
    topic: str
    urgency: str
    text: str
    sources: List[str] = field(default_factory=list)
    buttons: List[Dict[str, str]] = field(default_factory=list)
    clarify: bool = False
    disclaimer: bool = False
    data: Dict[str, Any] = field(default_factory=dict)  # structured extras: exercises, plan, red_flags ...

    def __post_init__(self) -> None:
        if self.topic not in TOPICS:
            raise ValueError(f"unknown topic {self.topic!r}")
        if self.urgency not in URGENCIES and self.urgency != PENDING:
            raise ValueError(f"unknown urgency {self.urgency!r}")

    def payload(self) -> Dict[str, Any]:
        custom: Dict[str, Any] = {"topic": self.topic, "urgency": self.urgency, "sources": list(self.sources)}
        if self.clarify:
            custom["clarify"] = True
        if self.disclaimer:
            custom["disclaimer"] = True
        custom.update(self.data)
        return custom

    def messages(self) -> List[Dict[str, Any]]:
        text_message: Dict[str, Any] = {"text": self.text}
        if self.buttons:
            text_message["buttons"] = list(self.buttons)
        return [text_message, {"custom": self.payload()}]


def button(title: str, intent: str, **entities: Optional[str]) -> Dict[str, str]:
    """A quick reply that sends an intent (and entities) straight to Rasa, skipping NLU."""
    filled = {name: value for name, value in entities.items() if value is not None}
    payload = f"/{intent}"
    if filled:
        payload += "{" + ", ".join(f'"{name}": "{value}"' for name, value in filled.items()) + "}"
    return {"title": title, "payload": payload}


def source_line(sources: List[str]) -> str:
    """The line every medical answer ends with: its sources, as the knowledge file cites them."""
    return "Source: " + "; ".join(sources)


def bullet_list(items: List[str]) -> str:
    return "\n".join(f"• {item}" for item in items)
