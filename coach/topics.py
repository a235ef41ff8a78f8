"""The product contract's vocabularies, in one place: topics, urgency levels, and which intents ask
which topic. Every other module (coach, actions, channels, tests) imports them from here; the
knowledge schema's enums are checked against them by a unit test.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

# custom.topic (../shared/product-contract.md)
TOPICS = (
    "why_pain",
    "shoes",
    "warmup",
    "when_to_rest",
    "exercises",
    "exercise_howto",
    "plan",
    "treatment",
    "condition_info",
    "red_flag",
    "self_test",
    "technique",
    "surface",
    "training_load",
    "stretching",
    "out_of_scope",
    "fallback",
)

# custom.urgency, most urgent first; PENDING is a safety check's: the runner's answer decides.
URGENCIES = ("emergency", "urgent", "soon", "self_care")
PENDING = "pending"
URGENCY_ORDER: Dict[str, int] = {level: rank for rank, level in enumerate(URGENCIES)}

# Requests this bot always declines kindly, whatever else the message says (coach/off_topic.py);
# asked together with a possible warning sign, the safety check comes first, then the refusal.
DECLINED_REQUESTS = ("prescription", "diagnosis_request")

# Intents that ask a question the coach answers from the knowledge file, and the topic each answer
# carries when it differs from the intent's name.
ANSWERABLE_INTENTS = (
    "why_pain",
    "shoes",
    "warmup",
    "when_to_rest",
    "exercises",
    "exercise_howto",
    "plan",
    "treatment",
    "condition_info",
    "self_test",
    "technique",
    "surface",
    "training_load",
    "stretching",
    "return_to_run",
    "out_of_scope",
    "help",
)
TOPIC_OF_INTENT = {"return_to_run": "plan", "help": "fallback"}

# Topics whose answers are medical information: the first one in a conversation carries the disclaimer.
MEDICAL_TOPICS = frozenset(TOPICS) - {"out_of_scope", "fallback"}
# After a red flag, only these still get a full answer (condition info without self-care advice);
# every other topic could imply "keep running / treat it yourself" and gets the get-checked reminder.
SAFE_AFTER_RED_FLAG = frozenset({"shoes", "condition_info"})


def topic_of(intent: str) -> str:
    return TOPIC_OF_INTENT.get(intent, intent)


def most_urgent(levels: Iterable[Optional[str]]) -> Optional[str]:
    known = [level for level in levels if level in URGENCY_ORDER]
    return min(known, key=URGENCY_ORDER.__getitem__) if known else None
