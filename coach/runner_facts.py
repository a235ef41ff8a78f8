"""Numbers runners tell us in passing, for personalising plans: '3 runs a week', 'four times a week'."""

from __future__ import annotations

import re
from typing import Optional, Tuple

_WORDS = {"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_RUNS_PER_WEEK = re.compile(
    r"\b(\d{1,2}|once|twice|one|two|three|four|five|six|seven)\s*(?:x|times|runs?|sessions?|days?)?\s*"
    r"(?:a|per|each|every|/|in a)\s*(?:week|wk)\b",
    re.I,
)


def runs_per_week(text: str) -> Optional[Tuple[int, int, int]]:
    """(runs, start, end) for 'I run 3x a week' and similar; None when absent or implausible."""
    match = _RUNS_PER_WEEK.search(text)
    if not match:
        return None
    raw = match.group(1).lower()
    runs = int(raw) if raw.isdigit() else _WORDS[raw]
    return (runs, match.start(), match.end()) if 1 <= runs <= 14 else None
