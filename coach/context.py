"""What the conversation has told us about a runner: the coach's input, built by the actions from
the Rasa slots (actions/conversation.py). Plain data, imported by every part of the coach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence


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
