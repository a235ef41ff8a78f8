"""No action leaves the runner without a reply: if one fails, it says so safely instead.

A failing action (a bug, a slot value nobody expected) is logged by its name and the error's type
only - never the tracker - and the runner gets the red-flag warning when the message described one,
else the fallback with the disclaimer. The channels add a last net for when the action server can't
be reached at all (coach/messages_in.py `unanswered_reply`)."""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from coach.answers import Coach
from coach.knowledge import load_knowledge
from coach.replies import Reply

logger = logging.getLogger(__name__)
Run = Callable[[Any, CollectingDispatcher, Tracker, Dict[str, Any]], Awaitable[List[Dict[str, Any]]]]


def safe_reply(tracker: Tracker) -> Reply:
    coach = _coach()
    triage = tracker.latest_message.get("triage") if isinstance(tracker.latest_message, dict) else None
    flags = [f for f in (triage or {}).get("flags") or [] if isinstance(f, str) and f in coach.safety.flags]
    return coach.safety.red_flag_reply(flags) if flags else coach.fallback("fallback")


@functools.lru_cache(maxsize=1)
def _coach() -> Coach:
    return Coach(load_knowledge())


def fail_safe(run: Run) -> Run:
    @functools.wraps(run)
    async def guarded(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 (every failure gets the same safe reply)
            logger.error("Action %s failed: %s", self.name(), type(error).__name__)
            dispatcher.messages.clear()
            for message in safe_reply(tracker).messages():
                if "custom" in message:
                    dispatcher.utter_message(json_message=message["custom"])
                else:
                    dispatcher.utter_message(text=message["text"])
            return []

    return guarded
