"""'Should I rest?' by the pain-monitoring model: parse the runner's answers, decide, explain.

Pure functions; thresholds and wording come from knowledge/rest_check.yml. First a bone screen
(pain on one spot of a bone, pain that grows during the run, pain on hopping): the pain-monitoring
model was tested on tendons, not bone, so any yes means "see a clinician" and the pain rule is not
applied. Otherwise the most cautious rule that applies wins: see a clinician > pause running >
reduce load > keep running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

from coach.knowledge import Knowledge
from coach.replies import Reply, source_line

KEEP, REDUCE, PAUSE, CLINICIAN = "keep_running", "reduce_load", "pause_running", "see_clinician"
CAUTION_ORDER = [KEEP, REDUCE, PAUSE, CLINICIAN]
BONE_SCREEN = ["bone_spot_pain", "pain_grows_during_run", "hop_pain"]
PAIN_QUESTIONS = ["pain_during_run", "settles_by_morning", "limping", "swelling", "rest_or_night_pain", "weeks_of_pain"]
QUESTIONS = BONE_SCREEN + PAIN_QUESTIONS  # the order the form asks them

_NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "nil": 0,
    "no": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple": 2,
    "a couple of": 2,
    "a few": 3,
    "few": 3,
    "several": 4,
    "a": 1,
    "an": 1,
}
_UNSURE = re.compile(
    r"\b(not sure|unsure|don'?t know|do not know|no idea|dunno|not certain|can'?t tell|cannot tell|"
    r"maybe|possibly|perhaps|hard to say)\b",
    re.I,
)
_YES = re.compile(
    r"^\s*(/affirm\b|y|yes|yeah|yea|yep|yup|ya|sure|definitely|it does|it is|i am|i do|correct|true|"
    r"a (little )?bit|slightly|a little|somewhat|kind of|kinda|sort of|sometimes|mostly|usually)\b",
    re.I,
)
_NO = re.compile(
    r"^\s*(/deny\b|n|no|nope|nah|not really|not at all|never|none|it doesn't|it does not|it isn't|"
    r"it is not|i'm not|i am not|i don't|i do not|false|negative)\b",
    re.I,
)
_UNITS = {
    "day": 1 / 7,
    "days": 1 / 7,
    "week": 1,
    "weeks": 1,
    "wk": 1,
    "wks": 1,
    "month": 4.3,
    "months": 4.3,
    "year": 52,
    "years": 52,
}


def parse_pain(text: str) -> Optional[float]:
    """A 0-10 pain score from '6', 'about a 4/10', 'three', 'none'; None if there isn't a sane one."""
    text = text.strip().lower()
    match = re.search(r"(?<![\d.])(-?\d+(?:\.\d+)?)(?:\s*/\s*10|\s*out of\s*10)?", text)
    if match:
        value = float(match.group(1))
    else:
        words = re.findall(r"[a-z]+", text)
        values = [_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS and w not in ("a", "an", "no")]
        if not values and text in ("no", "no pain", "nothing"):
            values = [0]
        if not values:
            return None
        value = float(values[0])
    return value if 0 <= value <= 10 else None


def parse_yes_no(text: str) -> Optional[bool]:
    """True / False; None for nonsense or uncertainty ("not sure" must be re-asked, never read as "no")."""
    if _UNSURE.search(text):
        return None
    if _NO.match(text):
        return False
    if _YES.match(text):
        return True
    return None


def parse_weeks(text: str) -> Optional[float]:
    """Duration in weeks from '2 weeks', '10 days', 'a month', 'since yesterday', or a bare number of weeks."""
    text = text.strip().lower()
    if re.search(r"\b(today|yesterday|this morning|last night|a day)\b", text):
        return round(1 / 7, 2)
    match = re.search(
        r"(\d+(?:\.\d+)?|a couple of|a couple|a few|several|an?|one|two|three|four|five|six|seven|"
        r"eight|nine|ten)\s*(days?|weeks?|wks?|months?|years?)\b",
        text,
    )
    if match:
        amount = match.group(1)
        number = float(amount) if amount[0].isdigit() else float(_NUMBER_WORDS[amount])
        return round(number * _UNITS[match.group(2)], 2)
    bare = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", text)
    if bare and float(bare.group(1)) <= 104:
        return float(bare.group(1))
    return None


@dataclass(frozen=True)
class RestAnswers:
    """The runner's answers. After a yes in the bone screen the pain questions are not asked (None)."""

    pain_during_run: Optional[float]
    settles_by_morning: Optional[bool]
    limping: Optional[bool]
    swelling: Optional[bool]
    rest_or_night_pain: Optional[bool]
    weeks_of_pain: Optional[float]
    bone_spot_pain: bool = False
    pain_grows_during_run: bool = False
    hop_pain: bool = False

    @property
    def bone_screen_positive(self) -> List[str]:
        return [question for question in BONE_SCREEN if getattr(self, question)]

    @property
    def complete(self) -> bool:
        return bool(self.bone_screen_positive) or all(getattr(self, q) is not None for q in PAIN_QUESTIONS)


@dataclass
class RestDecision:
    action: str
    reasons: List[str] = field(default_factory=list)  # reason keys, most important first


def decide(answers: RestAnswers, knowledge: Knowledge) -> RestDecision:
    """Apply the pain-monitoring model; the most cautious applicable rule wins."""
    config = knowledge.rest_check
    safe_max, acceptable_max = config["pain_scale"]["safe_max"], config["pain_scale"]["acceptable_max"]
    screen = answers.bone_screen_positive
    if screen:  # the pain rule is for tendons: possible bone stress goes to a clinician
        return RestDecision(CLINICIAN, screen + ["bone_screen"])
    votes: List[tuple] = []  # (action, reason)
    if answers.rest_or_night_pain:
        votes.append((CLINICIAN, "rest_or_night_pain"))
    pain = answers.pain_during_run
    if pain > acceptable_max:
        votes.append((PAUSE, "pain_too_much"))
    elif pain > safe_max:
        votes.append((KEEP if answers.settles_by_morning else REDUCE, "pain_acceptable"))
    else:
        votes.append((KEEP, "pain_safe"))
    votes.append((KEEP, "settled") if answers.settles_by_morning else (REDUCE, "not_settled"))
    if answers.limping:
        votes.append((PAUSE, "limping"))
    if answers.swelling:
        votes.append((PAUSE if pain > safe_max or answers.limping else REDUCE, "swelling"))
    worst_so_far = max((CAUTION_ORDER.index(action) for action, _ in votes))
    if answers.weeks_of_pain >= config["see_clinician_after_weeks"] and worst_so_far >= CAUTION_ORDER.index(REDUCE):
        votes.append((CLINICIAN, "long_standing"))
    action = max((a for a, _ in votes), key=CAUTION_ORDER.index)
    # Reasons that pushed towards caution first, then the reassuring ones.
    ordered = sorted(votes, key=lambda vote: -CAUTION_ORDER.index(vote[0]))
    return RestDecision(action, [reason for _, reason in ordered])


def explain(decision: RestDecision, answers: RestAnswers, knowledge: Knowledge) -> Reply:
    config = knowledge.rest_check
    wording = config["decisions"][decision.action]
    pain = f"{answers.pain_during_run:g}" if answers.pain_during_run is not None else "?"
    weeks = f"{answers.weeks_of_pain:g}" if answers.weeks_of_pain is not None else "?"
    reasons = [config["reasons"][key].format(pain=pain, weeks=weeks) for key in decision.reasons]
    sources = knowledge.citations(config["sources"])
    text = "\n\n".join(
        [
            f"{wording['title']}.",
            "Why: " + "; ".join(dict.fromkeys(reasons)) + ".",
            wording["text"].strip(),
            source_line(sources),
        ]
    )
    return Reply(
        topic="when_to_rest",
        urgency=wording["urgency"],
        text=text,
        sources=sources,
        data={"title": wording["title"], "decision": decision.action},
    )
