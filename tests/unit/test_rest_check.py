"""The 'should I rest?' decision, checked against a table of cases worked out from the
pain-monitoring model (0-2 safe, 3-5 acceptable if settled by morning, >5 too much) plus the
cautions a physio would add (limp, swelling, rest/night pain, long-standing, red flag)."""

import pytest

from coach.context import Context
from coach.rest_check import (
    CLINICIAN,
    KEEP,
    PAUSE,
    REDUCE,
    RestAnswers,
    decide,
    explain,
    parse_pain,
    parse_weeks,
    parse_yes_no,
)

# pain, settles_by_morning, limping, swelling, rest_or_night_pain, weeks -> decision
TABLE = [
    # plain pain-monitoring, nothing else wrong
    (0, True, False, False, False, 1, KEEP),
    (1, True, False, False, False, 2, KEEP),
    (2, True, False, False, False, 8, KEEP),  # long-standing but in the safe range: fine
    (3, True, False, False, False, 1, KEEP),
    (4, True, False, False, False, 3, KEEP),
    (5, True, False, False, False, 2, KEEP),
    (5, True, False, False, False, 5.9, KEEP),
    (6, True, False, False, False, 1, PAUSE),  # above 5/10 is too much
    (7, True, False, False, False, 2, PAUSE),
    (10, True, False, False, False, 0.1, PAUSE),
    # not settled by the next morning
    (0, False, False, False, False, 1, REDUCE),
    (2, False, False, False, False, 2, REDUCE),
    (3, False, False, False, False, 1, REDUCE),
    (5, False, False, False, False, 4, REDUCE),
    (6, False, False, False, False, 1, PAUSE),
    (8, False, False, False, False, 3, PAUSE),
    # limping
    (1, True, True, False, False, 1, PAUSE),
    (4, True, True, False, False, 2, PAUSE),
    (4, False, True, False, False, 1, PAUSE),
    (7, False, True, False, False, 1, PAUSE),
    # swelling
    (1, True, False, True, False, 1, REDUCE),  # mild pain + swelling: back off
    (2, True, False, True, False, 2, REDUCE),
    (3, True, False, True, False, 1, PAUSE),  # swelling with more than safe pain
    (5, True, False, True, False, 2, PAUSE),
    (1, True, True, True, False, 1, PAUSE),
    (0, False, False, True, False, 1, REDUCE),
    # pain at rest or at night: possible bone stress -> clinician, whatever else
    (0, True, False, False, True, 1, CLINICIAN),
    (2, True, False, False, True, 0.5, CLINICIAN),
    (4, True, False, False, True, 2, CLINICIAN),
    (7, False, True, True, True, 1, CLINICIAN),
    # long-standing and not settling on its own
    (3, False, False, False, False, 6, CLINICIAN),
    (5, False, False, False, False, 10, CLINICIAN),
    (6, True, False, False, False, 8, CLINICIAN),
    (2, True, True, False, False, 7, CLINICIAN),
    (1, True, False, True, False, 6, CLINICIAN),
    (4, True, False, False, False, 12, KEEP),  # acceptable and settling: no reason to refer
    (2, False, False, False, False, 5, REDUCE),  # not yet long-standing
    # a red flag earlier in the conversation overrides everything
    # boundaries of the scale
    (2.5, True, False, False, False, 1, KEEP),
    (5.5, True, False, False, False, 1, PAUSE),
    (5.5, False, False, False, False, 1, PAUSE),
    (2.5, False, False, False, False, 1, REDUCE),
]


@pytest.mark.parametrize("pain, settles, limping, swelling, night, weeks, expected", TABLE)
def test_decision_table(knowledge, pain, settles, limping, swelling, night, weeks, expected):
    answers = RestAnswers(pain, settles, limping, swelling, night, weeks)
    assert decide(answers, knowledge).action == expected


# A red flag earlier in the conversation overrides everything: whatever the answers, the runner is
# told to get checked by a clinician (the pain rule is not for them), never "keep running".
RED_FLAG_ANSWERS = [
    (0, True, False, False, False, 1),
    (3, True, False, False, False, 1),
    (9, False, True, True, False, 1),
]


@pytest.mark.parametrize("pain, settles, limping, swelling, night, weeks", RED_FLAG_ANSWERS)
def test_a_red_flag_earlier_overrides_the_answers(coach, pain, settles, limping, swelling, night, weeks):
    answers = RestAnswers(pain, settles, limping, swelling, night, weeks)
    reply = coach.rest_advice(answers, Context(red_flags=("achilles_rupture",), disclaimer_shown=True))
    assert reply.urgency == "emergency" and reply.data.get("decision") != KEEP
    assert reply.text.startswith("Because you mentioned a warning sign")


def test_table_is_big_enough():
    assert len(TABLE) >= 40
    assert {row[-1] for row in TABLE} == {KEEP, REDUCE, PAUSE, CLINICIAN}


def test_explanation_is_plain_and_sourced(knowledge):
    answers = RestAnswers(4, False, False, False, False, 2)
    reply = explain(decide(answers, knowledge), answers, knowledge)
    assert reply.topic == "when_to_rest" and reply.urgency == "self_care"
    assert reply.text.startswith("Reduce your running load.")
    assert "4/10" in reply.text and "hadn't settled" in reply.text
    assert "Silbernagel et al. 2007" in reply.sources


def test_night_pain_explanation_names_bone_stress(knowledge):
    answers = RestAnswers(2, True, False, False, True, 1)
    reply = explain(decide(answers, knowledge), answers, knowledge)
    assert reply.urgency == "soon" and "bone stress" in reply.text


@pytest.mark.parametrize(
    "text, value",
    [
        ("6", 6),
        ("about a 4/10", 4),
        ("3 out of 10", 3),
        ("three", 3),
        ("0", 0),
        ("none", 0),
        ("no pain", 0),
        ("10", 10),
        ("7.5", 7.5),
        ("maybe 2", 2),
    ],
)
def test_parse_pain(text, value):
    assert parse_pain(text) == value


@pytest.mark.parametrize("text", ["15", "banana", "-3", "", "lots", "11/10"])
def test_parse_pain_rejects_nonsense(text):
    assert parse_pain(text) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("yes", True),
        ("yeah a bit", True),
        ("/affirm", True),
        ("slightly", True),
        ("no", False),
        ("nope", False),
        ("not really", False),
        ("/deny", False),
        ("banana", None),
        ("", None),
        ("maybe", None),
        ("I'm not sure", None),
        ("no idea", None),
        ("dunno", None),
        ("I don't know", None),
    ],
)
def test_parse_yes_no(text, value):
    assert parse_yes_no(text) == value


@pytest.mark.parametrize(
    "text, weeks",
    [
        ("2 weeks", 2),
        ("10 days", 1.43),
        ("a month", 4.3),
        ("3", 3),
        ("since yesterday", 0.14),
        ("a couple of weeks", 2),
        ("six weeks", 6),
        ("about 2 months", 8.6),
    ],
)
def test_parse_weeks(text, weeks):
    assert parse_weeks(text) == weeks


@pytest.mark.parametrize("text", ["banana", "ages", "", "500"])
def test_parse_weeks_rejects_nonsense(text):
    assert parse_weeks(text) is None
