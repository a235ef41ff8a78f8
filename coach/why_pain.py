""" "Why does it hurt?": the entry for where it hurts and how it started; without a location, the
general entry and the question where it hurts."""

from __future__ import annotations

from typing import Optional

from coach.context import Context, location_buttons
from coach.entries import TopicEntries
from coach.knowledge import Knowledge
from coach.replies import Reply, button


class WhyPainAnswers:
    def __init__(self, knowledge: Knowledge, entries: TopicEntries):
        self.knowledge = knowledge
        self.entries = entries

    def answer(self, context: Context) -> Optional[Reply]:
        """None only if the knowledge has no why_pain entry (the schema requires one)."""
        entry = self.entries.best("why_pain", context)
        if entry is None:
            return None
        reply = self.entries.reply(entry)
        if context.location is None:
            reply.text += "\n\n" + self.knowledge.messages["clarify_location"]
            reply.buttons = location_buttons(self.knowledge)
            reply.clarify = True
        else:
            reply.buttons = [button("Exercises for this", "exercises"), button("Should I rest?", "when_to_rest")]
        return reply
