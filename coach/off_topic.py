"""What this bot doesn't cover: another body part, nutrition, the weather, bookings. A short honest
answer that says who can help. A request to prescribe or to diagnose is always declined kindly."""

from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern, Sequence

from coach.context import Context
from coach.knowledge import Knowledge
from coach.replies import Reply

# Topics whose questions name body parts for their own reasons ("high knees", "hip drive", "arm swing").
USES_BODY_WORDS = frozenset({"technique", "warmup", "self_test", "exercise_howto"})
ALWAYS_DECLINED = ("prescription", "diagnosis_request")


def phrase_pattern(phrases: Sequence[str]) -> Pattern[str]:
    """Any of the phrases as whole words, case-insensitively (longest first, so "yes or no" beats "no")."""
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])", re.I)


def plain_apostrophes(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


class VerdictRequests:
    """ "Just tell me, yes or no: is it a stress fracture?" - a demand for a verdict about what the
    runner has, which only a clinician can give (knowledge/vocabulary.yml verdict_requests)."""

    def __init__(self, knowledge: Knowledge):
        words = knowledge.vocabulary["verdict_requests"]
        self.demands = phrase_pattern(words["demands"])
        self.about = phrase_pattern(words["about"])
        self.named = set(knowledge.conditions) | {term["id"] for term in knowledge.vocabulary["diagnoses"]}

    def asked(self, text: str, entity_values: Iterable[str]) -> bool:
        text = plain_apostrophes(text or "")
        if not self.demands.search(text):
            return False
        return bool(self.named & set(entity_values)) or bool(self.about.search(text))


class OffTopic:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.answers = knowledge.messages["off_topic"]

    def reply(self, topic: str, context: Context) -> Optional[Reply]:
        """The off-topic answer for this message, or None when it is ours to answer: a message that
        also names something this bot covers (the ankle, a condition, an exercise) gets that answer."""
        mentioned = set(context.mentioned)
        kinds = [term for term in self.knowledge.vocabulary["off_topic"] if term["id"] in mentioned]
        if not kinds or topic == "help":
            return None
        for term in kinds:
            if term["id"] in ALWAYS_DECLINED:
                return self._reply(self.answers[term["id"]])
        covered = mentioned & (
            set(self.knowledge.locations)
            | set(self.knowledge.conditions)
            | set(self.knowledge.exercises)
            | {t["id"] for t in self.knowledge.vocabulary["covered_body"]}
        )
        if covered or topic in USES_BODY_WORDS:
            return None
        term = kinds[0]
        if term["id"].startswith("body_"):
            return self._reply(self.answers["body_part"].format(what=term["label"]))
        return self._reply(self.answers[term["id"]])

    def _reply(self, text: str) -> Reply:
        return Reply(
            topic="out_of_scope",
            urgency="self_care",
            disclaimer=True,
            text=text.strip() + "\n\n" + self.knowledge.messages["disclaimer"],
        )
