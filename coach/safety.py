"""Safety replies: the warning for a red flag, the safety check's question, what its answer decides,
and the reminder after a red flag. Wording comes from knowledge/red_flags.yml,
knowledge/safety_checks.yml and the urgency levels in knowledge/messages.yml.
"""

from __future__ import annotations

from typing import Dict, Iterable, Sequence

from coach.knowledge import Knowledge
from coach.replies import Reply, source_line
from coach.topics import PENDING, URGENCY_ORDER
from coach.triage import NONE_OF_THESE, NOT_SURE, CheckOutcome

CHECK_ANSWER_SLOT = "check_answer"


def check_button(title: str, answer: str) -> Dict[str, str]:
    """A safety-check button: its payload fills the check's answer directly, skipping NLU."""
    return {"title": title, "payload": f'/inform{{"{CHECK_ANSWER_SLOT}": "{answer}"}}'}


class SafetyReplies:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.flags = {flag["id"]: flag for flag in knowledge.red_flags["red_flags"]}
        self.checks = {check["id"]: check for check in knowledge.safety_checks["checks"]}
        self.levels = knowledge.messages["urgency_levels"]

    def flag(self, flag_id: str) -> dict:
        return self.flags[flag_id]

    def most_urgent_level(self, flag_ids: Iterable[str]) -> str:
        return min((self.flags[f]["urgency"] for f in flag_ids), key=URGENCY_ORDER.__getitem__)

    # ---- warnings ------------------------------------------------------------------------------
    def red_flag_reply(self, flag_ids: Sequence[str]) -> Reply:
        """What to do now and why, for the most urgent flag; the others named in one line."""
        flags = sorted(
            (self.flags[flag_id] for flag_id in dict.fromkeys(flag_ids)),
            key=lambda flag: (URGENCY_ORDER[flag["urgency"]], not flag.get("leads", False)),
        )
        top = flags[0]
        parts = [self.levels[top["urgency"]]["heading"], top["what_to_do"].strip(), f"Why: {top['why'].strip()}"]
        if flags[1:]:  # one line, not more paragraphs: the first instruction must stand out
            parts.append("Also noted: " + "; ".join(flag["name"].lower() for flag in flags[1:]) + ".")
        parts.append(self.knowledge.messages["red_flag_followup"])
        sources = self.knowledge.citations([source for flag in flags for source in flag["sources"]])
        parts.append(source_line(sources))
        return Reply(
            topic="red_flag",
            urgency=top["urgency"],
            text="\n\n".join(parts),
            sources=sources,
            data={"title": top["name"], "red_flags": [flag["id"] for flag in flags]},
        )

    def red_flag_reminder(self, topic: str, flag_ids: Sequence[str]) -> Reply:
        """After a red flag, an answer that could mean 'keep running' becomes: get checked first."""
        flags = [self.flags[flag_id] for flag_id in flag_ids]
        names = ", ".join(flag["name"].lower() for flag in flags)
        text = f"{self.knowledge.messages['red_flag_reminder']} (You mentioned: {names}.)"
        sources = self.knowledge.citations([s for flag in flags for s in flag["sources"]])
        return Reply(
            topic=topic,
            urgency=self.most_urgent_level(flag_ids),
            text=text + "\n\n" + source_line(sources),
            sources=sources,
        )

    # ---- the safety check ----------------------------------------------------------------------
    def check_question(self, check_id: str, re_ask: bool = False) -> Reply:
        """The check's questions in one message, most urgent first, one button each."""
        config = self.knowledge.safety_checks
        check = self.checks[check_id]
        lead = config["hint"] if re_ask else config["intro"]
        lines = [f"{i}. {question['ask'].strip()}" for i, question in enumerate(check["questions"], 1)]
        buttons = [check_button(question["button"], question["id"]) for question in check["questions"]]
        buttons += [check_button(config["none_button"], NONE_OF_THESE), check_button(config["unsure_button"], NOT_SURE)]
        return Reply(
            topic="red_flag",
            urgency=PENDING,
            clarify=True,
            text=lead.strip() + "\n\n" + "\n".join(lines),
            buttons=buttons,
            data={"check": check_id, "title": check["name"]},
        )

    def check_advice(self, check_id: str, outcome: CheckOutcome) -> Reply:
        """The reply to a check's answer, unless it is 'none' at self-care (then the runner's question
        is answered, with ``outcome.text`` as a note first)."""
        if outcome.flags:
            return self.red_flag_reply(outcome.flags)
        heading = self.levels[outcome.urgency]["heading"] if outcome.urgency in self.levels else ""
        sources = self.knowledge.citations(outcome.sources)
        text = "\n\n".join(part for part in (heading, outcome.text, source_line(sources)) if part)
        return Reply(
            topic="red_flag",
            urgency=outcome.urgency,
            text=text,
            sources=sources,
            data={"title": self.checks[check_id]["name"]},
        )

    def check_note(self, outcome: CheckOutcome, topic: str) -> Reply:
        """The short note that goes before the answer when none of the warning signs applies."""
        sources = self.knowledge.citations(outcome.sources)
        text = outcome.text + (f" ({source_line(sources)})" if sources else "")
        return Reply(topic=topic, urgency="self_care", text=text, sources=sources)
