"""What the conversation has told us about a runner: the coach's input, built by the actions from
the Rasa slots (actions/conversation.py), imported by every part of the coach; and the two ways the
bot talks about it: asking where it hurts, and confirming what it was told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from coach.knowledge import Knowledge
from coach.replies import button


@dataclass
class Context:
    """What the conversation has told us about this runner (mirrors the Rasa slots)."""

    location: Optional[str] = None
    onset: Optional[str] = None
    condition: Optional[str] = None
    exercise: Optional[str] = None
    equipment: Sequence[str] = ()
    mentioned: Sequence[str] = ()  # entity values in the latest message
    painful_now: Optional[bool] = None
    runs_per_week: Optional[int] = None
    red_flags: Sequence[str] = ()  # red-flag ids raised earlier in this conversation
    disclaimer_shown: bool = False
    diagnosis: Optional[str] = None  # a clinician-managed diagnosis named in the latest message


def location_buttons(knowledge: Knowledge) -> List[Dict[str, str]]:
    """ "Where does it hurt?" as buttons: one per location the knowledge file knows."""
    return [
        button(term["label"][0].upper() + term["label"][1:], "inform", location=term["id"])
        for term in knowledge.vocabulary["locations"]
    ]


def acknowledgement(knowledge: Knowledge, entities: Sequence[dict]) -> str:
    """'Got it: the inside of your ankle.' for what the latest message told us."""
    told = []
    for entity in entities:
        value, kind = entity.get("value"), entity.get("entity")
        if kind == "location" and value in knowledge.locations:
            told.append(knowledge.locations[value]["label"])
        elif kind == "condition" and value in knowledge.conditions:
            told.append(knowledge.conditions[value]["name"])
        elif kind == "equipment" and value in knowledge.equipment:
            told.append("you have " + knowledge.equipment[value]["label"])
        elif kind == "onset":
            told.append("it started " + ("with an injury" if value == "injury" else "gradually"))
        elif kind == "runs_per_week":
            told.append(f"you run {value} times a week")
        elif kind == "pain_state":
            told.append("it's sore right now" if value == "sore_now" else "it isn't sore right now")
    return f"Got it: {', '.join(dict.fromkeys(told))}." if told else ""
