"""A new session (after 60 minutes' quiet) starts fresh, but remembers who the runner is.

Carried over, each checked against the knowledge file: where it hurts, how it started, a named
condition, the kit at hand, runs a week, and red flags (a runner who comes back an hour after a
warning is still reminded to get checked). Not carried over: the disclaimer (shown again in the new
session), the safety check (a new session may ask one again), the last topic, how sore it is right
now, and half-answered forms."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import context_from
from actions.fail_safe import fail_safe

CARRIED = ("location", "onset", "condition", "equipment", "runs_per_week", "red_flags")


def carried_slots(tracker: Tracker) -> List[SlotSet]:
    context = context_from(tracker)
    values = {"location": context.location, "onset": context.onset, "condition": context.condition,
              "equipment": list(context.equipment) or None, "runs_per_week": context.runs_per_week,
              "red_flags": list(context.red_flags) or None}
    return [SlotSet(name, values[name]) for name in CARRIED if values[name] is not None]


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return [SessionStarted(), *carried_slots(tracker), ActionExecuted("action_listen")]
