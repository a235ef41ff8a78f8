"""What this bot doesn't cover: another body part, nutrition, the weather, bookings. A short honest
answer that says who can help. A request to prescribe or to diagnose is always declined kindly."""

from __future__ import annotations

import re
from typing import Iterable, Optional, Pattern, Sequence, Set

from coach.context import Context
from coach.knowledge import Knowledge
from coach.replies import Reply
from coach.topics import DECLINED_REQUESTS

# How sure the classifier must be of a topic for off-topic words to give way to it (``giving_way``).
GIVE_WAY_CONFIDENCE = 0.8

# Topics whose questions name body parts for their own reasons ("high knees", "hip drive", "arm swing").
USES_BODY_WORDS = frozenset({"technique", "warmup", "self_test", "exercise_howto"})
# Like another body part, an animal is ours when the message also names the runner's lower leg ("I
# rolled my ankle chasing the dog"); "what's wrong with his paw" is for a vet.
DECLINED_UNLESS_LOWER_LEG = ("animals",)


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
        self.kinds = {term["id"]: term for term in knowledge.vocabulary["off_topic"]}
        # Specific things this bot answers about: they keep a message ours whatever else it names.
        self.specific = set(knowledge.locations) | set(knowledge.conditions) | set(knowledge.exercises)
        # The ankle, foot and lower leg in general words: enough to keep a message naming another body
        # part ours ("knee past my toes"), not one about food or the weather.
        self.lower_limb = {term["id"] for term in knowledge.vocabulary["covered_body"]}

    def giving_way(self, topic: str, confidence: float, mentioned: Iterable[str]) -> Set[str]:
        """Off-topic words that give way to a topic the classifier is sure of: "warm up in cold weather"
        and "shoes for rainy weather" ask about warming up and shoes, not for a forecast. Only to the
        topics their vocabulary entry names (``gives_way_to``)."""
        if confidence < GIVE_WAY_CONFIDENCE:
            return set()
        return {kind for kind in mentioned if kind in self.kinds and topic in self.kinds[kind].get("gives_way_to", ())}

    def declined(self, topic: str, mentioned: Iterable[str]) -> Optional[dict]:
        """The off-topic term this message is declined for, or None when it is ours to answer.
        Prescriptions and diagnoses are always declined. Another body part is ours when the message
        also names the lower leg, or asks about running technique, warm-ups, self-tests or exercises
        ("hip drive", "high knees"). Food, the weather and bookings are ours only when the message
        names a specific place, condition or exercise ("do I drink enough? my calves cramp")."""
        named = set(mentioned)
        terms = [self.kinds[kind] for kind in self.kinds if kind in named]
        if not terms or topic == "help":
            return None
        for term in terms:
            if term["id"] in DECLINED_REQUESTS:
                return term
        if named & self.specific:
            return None
        for term in terms:
            if not term["id"].startswith("body_") and term["id"] not in DECLINED_UNLESS_LOWER_LEG:
                return term
        if named & self.lower_limb or topic in USES_BODY_WORDS:
            return None
        return terms[0]

    def reply(self, topic: str, context: Context) -> Optional[Reply]:
        """The off-topic answer for this message, or None when it is ours to answer."""
        term = self.declined(topic, context.mentioned)
        if term is None:
            return None
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
