"""Triage: is the first reply to a message a warning, a safety check, or the answer it asked for?

Plain Python (no Rasa), so every rule is unit-tested directly. Three layers, none of which has to be
perfect on its own:

1. The red-flag patterns (coach/red_flags.py). A plain red flag ("the bone is sticking out") gets
   the warning at once, never a quiz. A possible one ("my foot's gone numb") asks its safety check.
2. A learned second opinion: a score in [0, 1] from a classifier trained on phrasings written for it
   (components/red_flag_classifier.py). It can only ask for a safety check, never raise an alarm.
3. The safety check itself (knowledge/safety_checks.yml): two to four questions with buttons, whose
   answers decide the urgency by a decision table.

Ordinary questions about shoes, warm-ups, technique or plans are never checked: when the classifier
is confident that is what the message asks, only a plain red flag in it changes the reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Tuple

from coach.knowledge import Knowledge
from coach.topics import ANSWERABLE_INTENTS, DECLINED_REQUESTS, URGENCY_ORDER, most_urgent

if TYPE_CHECKING:  # the detector needs spaCy; the action server reads check tables without it
    from coach.red_flags import RedFlagDetector, RedFlagHit

WARN, CHECK, NONE = "warn", "check", "none"
# The safety check's own answers (button payloads); a question id is the third kind.
NONE_OF_THESE, NOT_SURE = "none", "unsure"
# Questions about these never get a safety check (a plain red flag in them still gets the warning).
PLAIN_QUESTION_INTENTS = {
    "shoes",
    "warmup",
    "technique",
    "surface",
    "training_load",
    "stretching",
    "plan",
    "exercise_howto",
    "self_test",
}
PLAIN_QUESTION_CONFIDENCE = 0.7


@dataclass(frozen=True)
class Triage:
    decision: str  # WARN, CHECK or NONE
    flags: Tuple[str, ...] = ()  # plain red flags found (WARN), most urgent first
    urgency: Optional[str] = None  # the warning's level (WARN)
    check: Optional[str] = None  # the safety check to ask (CHECK)
    reason: str = ""  # "pattern", "possible", "learned": which layer decided

    def as_dict(self) -> Dict[str, object]:
        found: Dict[str, object] = {"decision": self.decision, "reason": self.reason}
        if self.flags:
            found.update(flags=list(self.flags), urgency=self.urgency)
        if self.check:
            found["check"] = self.check
        return found


@dataclass(frozen=True)
class CheckAnswer:
    """What the runner said to a safety check: question ids answered yes, "none", "unsure", or unclear."""

    yes: Tuple[str, ...] = ()
    kind: str = ""  # "yes", NONE_OF_THESE, NOT_SURE or "unclear"


@dataclass(frozen=True)
class CheckOutcome:
    """The decision table's row: the level, and either red flags (a yes) or the check's own advice."""

    urgency: str
    flags: Tuple[str, ...] = ()  # red flags whose advice to give (a yes)
    text: str = ""  # the check's own advice (none / unsure)
    sources: Tuple[str, ...] = ()
    answer_question: bool = False  # "none" at self-care: go on to the answer the runner asked for


class CheckTable:
    """The safety checks and their decision table (knowledge/safety_checks.yml); no language model needed."""

    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.flags = {flag["id"]: flag for flag in knowledge.red_flags["red_flags"]}
        self.checks: Dict[str, dict] = {check["id"]: check for check in knowledge.safety_checks["checks"]}

    def check(self, check_id: Optional[str]) -> dict:
        return self.checks.get(check_id or "", self.checks["general"])

    def read_button(self, check_id: str, answer: str) -> Optional[CheckAnswer]:
        """A button payload (a question id, "none", "unsure") or its number; None for other words."""
        question_ids = [question["id"] for question in self.check(check_id)["questions"]]
        answer = (answer or "").strip()
        if answer in question_ids:
            return CheckAnswer((answer,), "yes")
        if answer in (NONE_OF_THESE, NOT_SURE):
            return CheckAnswer(kind=answer)
        number = re.fullmatch(r"(\d)\s*[.)]?", answer)
        if number and 1 <= int(number.group(1)) <= len(question_ids):
            return CheckAnswer((question_ids[int(number.group(1)) - 1],), "yes")
        return None

    def decide(self, check_id: str, answer: CheckAnswer) -> CheckOutcome:
        """The decision table: a yes gives its red flag's level (the most urgent yes wins); "none" and
        "unsure" (and anything unreadable) give the check's own rows."""
        check = self.check(check_id)
        by_id = {question["id"]: question for question in check["questions"]}
        yes = [qid for qid in answer.yes if qid in by_id]
        if answer.kind == "yes" and yes:
            return self.with_flags(CheckOutcome("self_care"), [by_id[qid]["flag"] for qid in yes])
        row = check["none"] if answer.kind == NONE_OF_THESE else check["unsure"]
        return CheckOutcome(
            row["urgency"],
            text=row["text"].strip(),
            sources=tuple(row["sources"]),
            answer_question=answer.kind == NONE_OF_THESE and row["urgency"] == "self_care",
        )

    def with_flags(self, outcome: CheckOutcome, flags: Sequence[str]) -> CheckOutcome:
        """An outcome together with red flags (from a yes, or stated outright): the most urgent wins."""
        merged = sorted(
            dict.fromkeys(list(outcome.flags) + list(flags)),
            key=lambda flag_id: URGENCY_ORDER[self.flags[flag_id]["urgency"]],
        )
        return CheckOutcome(self.flags[merged[0]]["urgency"], flags=tuple(merged))

    def already_checked(self) -> CheckOutcome:
        """One check per conversation: later, the answer comes with a reminder instead of a quiz."""
        return CheckOutcome(
            "self_care", text=self.knowledge.safety_checks["already_checked"].strip(), answer_question=True
        )


class Triager:
    """Decides the first reply to a message, and reads a safety check's answer in the runner's words."""

    def __init__(self, detector: "RedFlagDetector", knowledge: Knowledge, learned_threshold: float = 0.5):
        self.detector = detector
        self.table = CheckTable(knowledge)
        self.learned_threshold = learned_threshold
        config = knowledge.safety_checks
        self.cues = {
            check_id: detector.phrases(f"cue:{check_id}", check["cues"])
            for check_id, check in self.table.checks.items()
        }
        self.says = {
            (check_id, question["id"]): detector.phrases(f"says:{question['id']}", question["says"])
            for check_id, check in self.table.checks.items()
            for question in check["questions"]
        }
        self.none_words = detector.phrases("none_words", config["none_words"])
        self.unsure_words = detector.phrases("unsure_words", config["unsure_words"])

    # ---- the first reply ---------------------------------------------------------------------
    def triage(
        self,
        text: str,
        learned_score: Optional[float] = None,
        intent: Optional[str] = None,
        intent_confidence: float = 0.0,
        hits: Optional[Sequence["RedFlagHit"]] = None,
    ) -> Triage:
        """``intent``: the classifier's best guess other than red_flag, to spare plain questions."""
        hits = self.detector.detect(text) if hits is None else list(hits)
        plain = [hit for hit in hits if hit.plain]
        if plain:
            return Triage(
                WARN, tuple(hit.flag_id for hit in plain), most_urgent(hit.urgency for hit in plain), reason="pattern"
            )
        if intent in PLAIN_QUESTION_INTENTS and intent_confidence >= PLAIN_QUESTION_CONFIDENCE:
            return Triage(NONE)
        possible = [hit for hit in hits if not hit.plain]
        if possible:
            return Triage(CHECK, check=possible[0].check, reason="possible")
        if learned_score is not None and learned_score >= self.learned_threshold:
            return Triage(CHECK, check=self.check_for(text), reason="learned")
        return Triage(NONE)

    def check_for(self, text: str) -> str:
        """The first check (in knowledge order) whose cues the message mentions, else the general one."""
        return next((check_id for check_id, cues in self.cues.items() if cues.found_in(text)), "general")

    # ---- reading an answer ---------------------------------------------------------------------
    def read_answer(self, check_id: str, answer: str, doc: Any = None) -> CheckAnswer:
        """A button payload, or the runner's own words ("no, it looks normal", "the bone hurts")."""
        check = self.table.check(check_id)
        button = self.table.read_button(check["id"], answer)
        if button is not None:
            return button
        doc = doc if doc is not None or not (answer or "").strip() else self.detector.read(answer)
        if self.unsure_words.found_in(answer, doc):
            return CheckAnswer(kind=NOT_SURE)
        yes = tuple(q["id"] for q in check["questions"] if self.says[(check["id"], q["id"])].found_in(answer, doc))
        if yes:
            return CheckAnswer(yes, "yes")
        if self.none_words.found_in(answer, doc) or _DENIAL_ONLY.match(answer or ""):
            return CheckAnswer(kind=NONE_OF_THESE)
        return CheckAnswer(kind="unclear")

    def read_as_answers(self, text: str) -> Dict[str, Dict[str, Any]]:
        """The message read as an answer to each safety check, so the action server needs no language
        model to read one (components/red_flag_guard.py puts this in the parse data)."""
        doc = self.detector.read(text) if (text or "").strip() else None
        readings = {check_id: self.read_answer(check_id, text, doc) for check_id in self.table.checks}
        return {check_id: {"yes": list(answer.yes), "kind": answer.kind} for check_id, answer in readings.items()}


# "no, I can walk fine and it looks normal": an answer that starts with a plain no.
_DENIAL_ONLY = re.compile(r"^\s*(no|nope|nah|none|neither|not at all|nothing)\b", re.I)


_QUESTION = re.compile(
    r"\?|\b(what|how|why|when|which|where|any (tips|advice|ideas?))\b|"
    r"\b(should|can|could|do|does|would|will|is|are|may|must) (i|you|it|we|my)\b|"
    r"\b(tell me|advice|advise|help me|recommend|suggest|need to know)\b|"
    # a request asks too: "return to run plan after a stress fracture please"
    r"\b(please|pls|plz|give me|show me|send me|explain|i want|i'd like|looking for)\b",
    re.I,
)


def asks_a_question(text: str) -> bool:
    """'rolled it yesterday, can walk, bit swollen' tells; 'should I ice it?' asks."""
    return bool(_QUESTION.search(text or ""))


def asked_intent(intent: Optional[str], fallback: str) -> str:
    """What a runner who was checked asked for: their intent if it asks a question, or the request
    that is declined after the check; else the check's topic."""
    if intent in DECLINED_REQUESTS:
        return intent
    return intent if intent in ANSWERABLE_INTENTS and intent not in ("help", "out_of_scope") else fallback
