"""Answers about a named condition (knowledge/conditions.yml): what it is, its typical signs, what
usually helps first and when to see someone; or, when no condition was named, which ones fit."""

from __future__ import annotations

from coach.context import Context
from coach.entries import TopicEntries
from coach.knowledge import Knowledge
from coach.replies import Reply, bullet_list, button, source_line

MAX_CHOICES = 8


class ConditionAnswers:
    def __init__(self, knowledge: Knowledge, entries: TopicEntries):
        self.knowledge = knowledge
        self.entries = entries

    def answer(self, context: Context) -> Reply:
        condition = self.knowledge.conditions.get(context.condition or "")
        if condition is not None:
            return self.card(condition, self_care=not context.red_flags)
        at_location = [c for c in self.knowledge.conditions.values() if context.location in c["locations"]]
        reply = self.entries.reply(self.entries.general["condition_info"], topic="condition_info")
        reply.clarify = True
        choices = at_location or list(self.knowledge.conditions.values())
        reply.buttons = [button(c["name"], "condition_info", condition=c["id"]) for c in choices[:MAX_CHOICES]]
        return reply

    def card(self, condition: dict, self_care: bool = True) -> Reply:
        parts = [condition["name"]]
        if condition.get("summary"):
            parts.append(condition["summary"].strip())
        parts.append("Typical signs:\n" + bullet_list(condition["typical_signs"]))
        if self_care:  # never alongside a red flag: that runner needs a clinician, not self-help
            parts.append("What usually helps first:\n" + bullet_list(condition["first_advice"]))
        if self_care and condition.get("avoid"):
            parts.append("Avoid:\n" + bullet_list(condition["avoid"]))
        parts.append("See a physio or doctor if:\n" + bullet_list(condition["see_someone_when"]))
        if condition.get("evidence_note"):
            parts.append(condition["evidence_note"])
        sources = self.knowledge.citations(condition["sources"])
        parts.append(source_line(sources))
        buttons = (
            [button("Exercises for this", "exercises", condition=condition["id"])]
            if self_care and condition.get("exercises")
            else []
        )
        return Reply(
            topic="condition_info",
            urgency=condition["urgency"],
            text="\n\n".join(parts),
            sources=sources,
            buttons=buttons,
            data={"title": condition["name"], "condition": condition["id"]},
        )
