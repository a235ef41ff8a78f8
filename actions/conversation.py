"""Bridge between a Rasa tracker and the coach: read what we know, send what the coach says."""
from __future__ import annotations

import functools
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from coach.answers import Coach, Context
from coach.knowledge import load_knowledge
from coach.replies import Reply


@functools.lru_cache(maxsize=1)
def coach() -> Coach:
    return Coach(load_knowledge())


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return values[-1] if values else None


def context_from(tracker: Tracker) -> Context:
    """The slots (filled from entities by Rasa before the action runs) as a coach Context."""
    slot = tracker.get_slot
    runs = slot("runs_per_week")
    return Context(
        location=slot("location"),
        onset=slot("onset"),
        condition=slot("condition"),
        exercise=latest_entity(tracker, "exercise") or slot("exercise"),
        equipment=tuple(slot("equipment") or ()),
        mentioned=tuple(e.get("value") for e in tracker.latest_message.get("entities", [])),
        painful_now={"sore_now": True, "pain_free_now": False}.get(slot("pain_state")),
        runs_per_week=int(runs) if runs is not None else None,
        red_flags=tuple(slot("red_flags") or ()),
        disclaimer_shown=bool(slot("disclaimer_shown")),
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

