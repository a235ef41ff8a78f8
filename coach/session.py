"""What a new session (after 60 minutes' quiet) remembers of the last one. Plain Python, no Rasa.

Carried over, each checked against the knowledge file: where it hurts, how it started, a named
condition, the kit at hand, runs a week, and red flags (a runner who comes back an hour after a
warning is still reminded to get checked). Not carried over: the disclaimer (shown again in the new
session), the safety check (a new session may ask one again), the last topic, how sore it is right
now, and half-answered forms.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping

from coach.knowledge import Knowledge

CARRIED = ("location", "onset", "condition", "equipment", "runs_per_week", "red_flags")


def runs_per_week(value: Any) -> Any:
    try:
        runs = float(value)
    except (TypeError, ValueError):
        return None
    return runs if math.isfinite(runs) and 1 <= runs <= 14 else None


def carried_over(slots: Mapping[str, Any], knowledge: Knowledge) -> Dict[str, Any]:
    """The slot values a new session starts with (only valid ones, only the remembered kinds)."""
    flags = {flag["id"] for flag in knowledge.red_flags["red_flags"]}
    checks = {
        "location": lambda v: v if isinstance(v, str) and v in knowledge.locations else None,
        "onset": lambda v: v if v in ("injury", "gradual") else None,
        "condition": lambda v: v if isinstance(v, str) and v in knowledge.conditions else None,
        "equipment": lambda v: [e for e in v if e in knowledge.equipment] or None if isinstance(v, list) else None,
        "runs_per_week": runs_per_week,
        "red_flags": lambda v: [f for f in v if f in flags] or None if isinstance(v, list) else None,
    }
    kept = {name: checks[name](slots.get(name)) for name in CARRIED}
    return {name: value for name, value in kept.items() if value is not None}
