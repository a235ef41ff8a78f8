"""Bridge between a Rasa tracker and the coach: read what we know, send what the coach says."""

from __future__ import annotations

import functools
import logging
from typing import Any, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from coach.answers import Coach, Context
from coach.diagnoses import named_diagnosis
from coach.knowledge import load_knowledge
from coach.replies import Reply
from coach.session import runs_per_week
from coach.triage import CheckTable, Triager

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def get_coach() -> Coach:
    return Coach(load_knowledge())


@functools.lru_cache(maxsize=1)
def get_check_table() -> CheckTable:
    return CheckTable(load_knowledge())


@functools.lru_cache(maxsize=1)
def get_triager() -> Triager:
    """Reads safety-check answers typed in the runner's own words. Loads the spaCy pipeline, so only
    on the first typed answer, not at start-up."""
    from coach.language import load_pipeline  # noqa: PLC0415 (spaCy only when needed)
    from coach.red_flags import RedFlagDetector  # noqa: PLC0415

    return Triager(RedFlagDetector(load_pipeline(), load_knowledge()), load_knowledge())


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return values[-1] if values else None


def _known(value: Any, choices: Any) -> Optional[str]:
    """A slot value only if it is one of the knowledge ids: a forged or stale value reads as unknown."""
    return value if isinstance(value, str) and value in choices else None


def context_from(tracker: Tracker) -> Context:
    """The slots (filled from entities by Rasa before the action runs) as a coach Context. Every value
    is checked against the knowledge file: a slot set by a forged payload can't break an answer."""
    knowledge = get_coach().knowledge
    slot = tracker.get_slot
    equipment = slot("equipment") if isinstance(slot("equipment"), list) else []
    values: List[str] = [
        e["value"]
        for e in tracker.latest_message.get("entities", [])
        if isinstance(e, dict) and isinstance(e.get("value"), str)
    ]
    red_flags = slot("red_flags") if isinstance(slot("red_flags"), list) else []
    return Context(
        location=_known(slot("location"), knowledge.locations),
        onset=_known(slot("onset"), ("injury", "gradual")),
        condition=_known(slot("condition"), knowledge.conditions),
        exercise=_known(latest_entity(tracker, "exercise") or slot("exercise"), knowledge.exercises),
        equipment=tuple(e for e in equipment if e in knowledge.equipment),
        mentioned=tuple(values),
        painful_now={"sore_now": True, "pain_free_now": False}.get(slot("pain_state")),
        runs_per_week=int(runs) if (runs := runs_per_week(slot("runs_per_week"))) else None,
        red_flags=tuple(f for f in red_flags if f in get_coach().safety.flags),
        disclaimer_shown=slot("disclaimer_shown") is True,
        diagnosis=named_diagnosis(tracker.latest_message.get("text") or "", values, knowledge),
    )


def send(dispatcher: CollectingDispatcher, reply: Reply, topic_slot: Optional[str] = None) -> List[EventType]:
    """Utter the reply (text + custom payload) and remember what the conversation now knows."""
    for message in reply.messages():
        if "custom" in message:
            dispatcher.utter_message(json_message=message["custom"])
        else:
            dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])
    events: List[EventType] = []
    if reply.disclaimer:
        events.append(SlotSet("disclaimer_shown", True))
    if topic_slot:
        events.append(SlotSet("last_topic", topic_slot))
    return events
