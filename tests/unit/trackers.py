"""Tracker fixtures for the action tests: what Rasa hands the action server for one turn.

Builds ``rasa_sdk.Tracker`` objects the way Rasa 3.6 sends them: every domain slot present (slots
filled from the latest message's entities are already set, as Rasa fills them before the action
runs), the parse data of the latest message as ``latest_message`` (with the guard's ``triage``
when it found a red flag), and the events of the turn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parents[2]
DOMAIN: Dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
SENDER = "runner-42"

# Slots filled from the entity of the same name (domain.yml from_entity mappings).
ENTITY_SLOTS = {
    name
    for name, slot in DOMAIN["slots"].items()
    if any(m.get("type") == "from_entity" for m in slot.get("mappings", []))
}


def initial_slots() -> Dict[str, Any]:
    """Every domain slot at its initial value, plus the ``requested_slot`` Rasa adds for forms."""
    slots = {name: slot.get("initial_value") for name, slot in DOMAIN["slots"].items()}
    slots["requested_slot"] = None
    return slots


def entity(kind: str, value: str, text: str = "", surface: Optional[str] = None) -> Dict[str, Any]:
    """An entity as the VocabularyEntityExtractor reports it; offsets point at ``surface`` in ``text``."""
    found: Dict[str, Any] = {"entity": kind, "value": value, "extractor": "VocabularyEntityExtractor"}
    if surface and surface.lower() in text.lower():
        start = text.lower().index(surface.lower())
        found.update(start=start, end=start + len(surface))
    return found


def red_flag(flag_id: str, urgency: str, matched: str) -> Dict[str, str]:
    """One plain red flag the guard found (components/red_flag_guard.py), most urgent first."""
    return {"id": flag_id, "urgency": urgency, "text": matched}


def parse_data(
    intent: str,
    text: str,
    entities: Sequence[dict] = (),
    confidence: float = 0.93,
    red_flags: Optional[Sequence[dict]] = None,
) -> Dict[str, Any]:
    message: Dict[str, Any] = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [dict(e) for e in entities],
        "text": text,
        "message_id": "3b1f0c2e9d6a4f7e8c5b2a1d0e9f8a7b",
        "metadata": {},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    if red_flags is not None:  # the red-flag guard's decision (components/red_flag_guard.py)
        message["triage"] = {
            "decision": "warn",
            "reason": "pattern",
            "flags": [flag["id"] for flag in red_flags],
            "urgency": red_flags[0]["urgency"] if red_flags else None,
            "asked": None,
        }
    return message


def _slot_event(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def user_turn(
    intent: str,
    text: str,
    entities: Sequence[dict] = (),
    slots: Optional[Dict[str, Any]] = None,
    red_flags: Optional[Sequence[dict]] = None,
    confidence: float = 0.93,
    active_loop: Optional[str] = None,
    candidates: Iterable[Tuple[str, Any]] = (),
) -> Tracker:
    """The tracker an action sees right after the runner's message.

    ``slots`` is what the conversation already knew (earlier turns). Entity values in this message
    overwrite their slots, as Rasa's from_entity mappings do before the action runs; ``equipment``
    (a list slot) collects every equipment value. ``candidates`` are form slot candidates: Rasa
    appends them as the last events before calling the form's validation action.
    """
    message = parse_data(intent, text, entities, confidence, red_flags)
    known = initial_slots()
    known.update(slots or {})
    filled: Dict[str, Any] = {}
    for found in entities:
        kind, value = found["entity"], found["value"]
        if kind not in ENTITY_SLOTS:
            continue
        if DOMAIN["slots"][kind]["type"] == "list":
            filled[kind] = list(filled.get(kind, [])) + [value]
        elif kind == "runs_per_week":
            filled[kind] = float(value)
        else:
            filled[kind] = value
    known.update(filled)
    events: List[Dict[str, Any]] = [
        {"event": "action", "timestamp": None, "name": "action_session_start"},
        {"event": "session_started", "timestamp": None},
        *(_slot_event(name, value) for name, value in (slots or {}).items()),
        {"event": "action", "timestamp": None, "name": "action_listen"},
        {"event": "user", "timestamp": None, "text": text, "parse_data": message, "input_channel": "rest"},
        *(_slot_event(name, value) for name, value in filled.items()),
    ]
    loop: Dict[str, Any] = {}
    if active_loop:
        loop = {"name": active_loop, "validate": True, "rejected": False, "trigger_message": {}}
    for name, value in candidates:
        known[name] = value
        events.append(_slot_event(name, value))
    return Tracker(SENDER, known, message, events, False, None, loop, "action_listen")


def rest_form_answer(slot: str, text: str, slots: Optional[Dict[str, Any]] = None, intent: str = "inform") -> Tracker:
    """The runner answers the rest form's question for ``slot``; Rasa's from_text mapping made it a candidate."""
    known = {"requested_slot": slot, **(slots or {})}
    return user_turn(intent, text, slots=known, active_loop="rest_form", candidates=[(slot, text)])
