"""Replies every channel can give without the model (plain Python, no Rasa).

One 100,000-character message drove the stock server out of memory, so an over-long message gets a
polite reply without going near the model; it is still scanned for red flags, because safety comes
before length limits. And when the bot could not answer at all, a red flag is still warned of.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Tuple

from coach.answers import Coach
from coach.knowledge import load_knowledge
from coach.language import load_pipeline
from coach.red_flags import RedFlagDetector

MAX_MESSAGE_CHARS = 2000  # longer messages are not run through the NLU model
RED_FLAG_SCAN_CHARS = 20_000  # how much of an over-long message is still read for red flags


@functools.lru_cache(maxsize=1)
def _safety_net() -> Tuple[Coach, RedFlagDetector]:
    knowledge = load_knowledge()
    return Coach(knowledge), RedFlagDetector(load_pipeline(), knowledge)


def oversized_reply(
    text: str, coach: Optional[Coach] = None, detector: Optional[RedFlagDetector] = None
) -> List[Dict[str, Any]]:
    """Reply to a message too long for the model: red-flag advice if it describes one, else a polite ask.
    Every channel calls this; coach and detector default to the process-wide ones."""
    if coach is None or detector is None:
        coach, detector = _safety_net()
    plain = [hit.flag_id for hit in detector.detect(text[:RED_FLAG_SCAN_CHARS]) if hit.plain]
    messages = []
    if plain:
        messages += coach.safety.red_flag_reply(plain).messages()
    messages.append({"text": coach.knowledge.messages["too_long"]})
    return messages


def unanswered_reply(
    text: str, coach: Optional[Coach] = None, detector: Optional[RedFlagDetector] = None
) -> List[Dict[str, Any]]:
    """When the bot could not answer at all (its action server down, an action failing): a red-flag
    warning if the message describes one - it never depends on the action server - else an honest
    "can't reach my knowledge right now", with the disclaimer."""
    if coach is None or detector is None:
        coach, detector = _safety_net()
    plain = [hit.flag_id for hit in detector.detect(text[:RED_FLAG_SCAN_CHARS]) if hit.plain]
    if plain:
        return coach.safety.red_flag_reply(plain).messages()
    return coach.unavailable().messages()
