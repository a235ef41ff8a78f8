"""Has the runner named a diagnosis a clinician manages? Then the coach gives no training advice.

"I have a Jones fracture, what exercises can I do?" or "my physio says it's sinus tarsi syndrome,
can I run?" get "follow your clinician's plan" (knowledge/messages.yml `clinician_plan`). A hedge
("I think I broke it") is not a diagnosis - that is a safety question, handled by triage - and nor
is history ("broke it years ago, fully healed").
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from coach.knowledge import Knowledge

_HEDGED = re.compile(
    r"\b(think|thought|might|maybe|may|possibly|probably|could|worried|afraid|scared|wonder|"
    r"if|whether|what is|what's|what are|how do i know|signs?|symptoms?)\b",
    re.I,
)
_PAST = re.compile(
    r"\b(years? ago|months? ago|long time ago|fully (healed|recovered)|healed|recovered|"
    r"when i was|as a (kid|child|teen(ager)?)|back to (full )?running)\b",
    re.I,
)
_TOLD = re.compile(
    r"\b(diagnosed|diagnosis)\b|\b(physio|physiotherapist|doctor|dr|gp|consultant|surgeon|podiatrist|"
    r"specialist|x-?ray|scan|mri|ultrasound)\b.{0,25}\b(said|says|showed|shows|found|confirmed|"
    r"thinks|told me|called it)\b",
    re.I,
)
UNNAMED = "a diagnosis from your clinician"


def named_diagnosis(text: str, entity_values: Iterable[str], knowledge: Knowledge) -> Optional[str]:
    """How to name the diagnosis back to the runner, or None when the message names none."""
    text = text or ""
    if _PAST.search(text):
        return None
    values = list(entity_values)
    diagnoses = {term["id"]: term["label"] for term in knowledge.vocabulary["diagnoses"]}
    managed = {c["id"]: c["name"].lower() for c in knowledge.conditions.values() if c.get("clinician_managed")}
    told = bool(_TOLD.search(text))
    for value in values:
        label = diagnoses.get(value) or (f"a {managed[value]}" if value in managed else None)
        if label and (told or not _HEDGED.search(text)):
            return label
    self_care_condition = any(value in knowledge.conditions and value not in managed for value in values)
    if told and not self_care_condition:  # a diagnosis the knowledge file doesn't know
        return UNNAMED
    return None
