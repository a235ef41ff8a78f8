"""Retrieval from the topic entries of knowledge/topics.yml: the entry written for the runner's
situation (where it hurts, how it started, the condition, terms they mentioned) beats the topic's
general entry. Plain and inspectable on purpose: a curator can tell from the entry's ``applies_to``
why it was chosen.
"""

from __future__ import annotations

from typing import Dict, Optional

from coach.context import Context
from coach.knowledge import Knowledge
from coach.replies import Reply, bullet_list, source_line

EVIDENCE_WORDS = {
    "strong": "Evidence: strong",
    "moderate": "Evidence: moderate",
    "weak": "Evidence: weak",
    "mixed": "Evidence: mixed",
    "expert_opinion": "Evidence: expert opinion rather than trials",
}


class TopicEntries:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.general: Dict[str, dict] = {}
        for entry in knowledge.topics:
            if "applies_to" not in entry:
                self.general.setdefault(entry["topic"], entry)

    def best(self, topic: str, context: Context) -> Optional[dict]:
        """The entry written for this runner's situation, else the topic's general entry."""
        best, best_score = self.general.get(topic), 0
        for entry in self.knowledge.topic_entries(topic):
            score = self.fit(entry.get("applies_to"), context)
            if score > best_score:
                best, best_score = entry, score
        return best

    @staticmethod
    def fit(applies_to: Optional[dict], context: Context) -> int:
        """How well an entry's situation fits; 0 = does not apply (or is the general entry)."""
        if not applies_to:
            return 0
        score = 0
        if "locations" in applies_to:
            if context.location not in applies_to["locations"]:
                return 0
            score += 2
        if "onset" in applies_to:
            if context.onset is not None and context.onset != applies_to["onset"]:
                return 0
            score += 1 if context.onset == applies_to["onset"] else 0
        if "conditions" in applies_to:
            if context.condition not in applies_to["conditions"]:
                return 0
            score += 3
        if "mentions" in applies_to:
            if not set(applies_to["mentions"]) & set(context.mentioned):
                return 0
            score += 3
        return score

    def reply(self, entry: dict, topic: Optional[str] = None) -> Reply:
        """An entry as an answer: its text, tips, evidence grade and sources."""
        parts = [entry["text"].strip()]
        if entry.get("tips"):
            parts.append(bullet_list(entry["tips"]))
        note = entry.get("evidence_note", "")
        parts.append(f"{EVIDENCE_WORDS[entry['evidence']]}{'. ' + note if note else '.'}")
        sources = self.knowledge.citations(entry["sources"])
        parts.append(source_line(sources))
        return Reply(
            topic=topic or entry["topic"],
            urgency=entry["urgency"],
            text="\n\n".join(parts),
            sources=sources,
            data={"title": entry["title"], "entry": entry["id"]},
        )
