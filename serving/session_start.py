"""A new session starts inside the Rasa process, carrying over what coach/session.py says.

Rasa's own session start carries every slot or none (`carry_over_slots_to_new_session`); a custom
`action_session_start` would cost every new conversation a round trip to the action server. This
replaces the carry-over step of Rasa's built-in action instead."""

from __future__ import annotations

from typing import Any, List

from coach.knowledge import load_knowledge
from coach.session import carried_over

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import ActionSessionStart  # noqa: PLC0415
    from rasa.shared.core.events import SlotSet  # noqa: PLC0415

    def _slot_set_events_from_tracker(tracker: Any) -> List[Any]:
        values = carried_over(tracker.current_slot_values(), load_knowledge())
        return [SlotSet(name, value) for name, value in values.items()]

    ActionSessionStart._slot_set_events_from_tracker = staticmethod(_slot_set_events_from_tracker)
    _installed = True
