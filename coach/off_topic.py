"""What this bot doesn't cover: another body part, nutrition, the weather, bookings. A short honest
answer that says who can help. A request to prescribe or to diagnose is always declined kindly."""

from __future__ import annotations

from typing import Optional

from coach.context import Context
from coach.knowledge import Knowledge
from coach.replies import Reply

# Topics whose questions name body parts for their own reasons ("high knees", "hip drive", "arm swing").
USES_BODY_WORDS = frozenset({"technique", "warmup", "self_test", "exercise_howto"})
ALWAYS_DECLINED = ("prescription", "diagnosis_request")


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
