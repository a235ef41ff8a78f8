"""Triage: warning, safety check or answer; the safety check's decision table case by case; answers in
the runner's own words; the learned second opinion; diagnoses a clinician manages."""

import pytest

from coach.diagnoses import UNNAMED, named_diagnosis
from coach.red_flag_model import RedFlagModel, load_phrasings
from coach.triage import CHECK, NONE, NONE_OF_THESE, NOT_SURE, WARN, CheckAnswer, CheckTable, Triager, asked_intent


@pytest.fixture(scope="module")
def triager(detector, knowledge):
    return Triager(detector, knowledge, learned_threshold=0.7)


@pytest.fixture(scope="module")
def table(knowledge):
    return CheckTable(knowledge)


# ---- the first reply ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, decision, urgency_or_check",
    [
        # plain red flags: the warning at once, at the right level, never a quiz
        ("my ankle bone look very strange shape, not in normal position", WARN, "emergency"),
        ("his shin is bent in the middle and he's screaming", WARN, "emergency"),
        ("red streak going up my leg, shivering, temp 39", WARN, "emergency"),
        (
            "rolled my ankle yesterday, can only hobble like 2 steps and there's a bony bit on the outside that "
            "really hurts when I press it",
            WARN,
            "urgent",
        ),
        ("back pain and I can't feel anything when I wipe after the toilet", WARN, "emergency"),
        ("my foot slaps down when I walk and I can't lift my toes", WARN, "urgent"),
        ("on cipro for a water infection and now my achilles really hurts", WARN, "urgent"),
        ("type 2 diabetic, there's a cut on my foot that's gone red and hot", WARN, "urgent"),
        ("got hit by a car while running, ankle hurts", WARN, "emergency"),
        (
            "tight burning in both shins at the same point of every run, goes away a few minutes after I stop",
            WARN,
            "soon",
        ),
        ("my 12 year old son twisted his ankle and the bone hurts when I press it", WARN, "urgent"),
        # possible red flags: the safety check that decides them
        ("I rolled my ankle yesterday but I can walk on it ok, just a bit swollen", CHECK, "injury"),
        ("my toes have been feeling numb", CHECK, "nerve"),
        ("my calf is swollen and sore", CHECK, "calf"),
        ("my ankle is red and warm", CHECK, "infection"),
        ("I have a temperature and my ankle aches", WARN, "urgent"),  # could be an infected joint
        # nothing to triage
        ("how do I warm up my ankles on a cold morning", NONE, None),
        ("knee to wall test - how do I do it", NONE, None),
        ("toes tingle when my laces are tight and it goes when I loosen them", NONE, None),
        ("can you build me a return to run plan", NONE, None),
        ("should I switch to forefoot striking? everyone says heel striking is bad", NONE, None),
        ("dislocated my ankle when I was 19, never bothered me since. brace for trails?", NONE, None),
        ("how can I tell shin splints from a stress fracture", NONE, None),
        ("rolled my ankle on a trail yesterday, walking normally and pressing the bones doesn't hurt", NONE, None),
    ],
)
def test_first_reply(triager, text, decision, urgency_or_check):
    result = triager.triage(text)
    assert result.decision == decision, result
    if decision == WARN:
        assert result.urgency == urgency_or_check
    if decision == CHECK:
        assert result.check == urgency_or_check


def test_plain_questions_are_never_checked_but_still_warned(triager):
    """A shoe question that mentions numbness is about shoes; a plain red flag in it still warns."""
    assert (
        triager.triage("what shoes for flat feet? my toes go numb", intent="shoes", intent_confidence=0.9).decision
        == NONE
    )
    assert (
        triager.triage(
            "what shoes should I wear now my foot is pale and cold", intent="shoes", intent_confidence=0.9
        ).decision
        == WARN
    )


def test_learned_score_can_only_ask(triager):
    quiet = "I just feel off today"
    assert triager.triage(quiet, learned_score=0.1).decision == NONE
    asked = triager.triage(quiet, learned_score=0.95)
    assert asked.decision == CHECK and asked.reason == "learned" and asked.check == "general"
    assert triager.triage("my calf feels weird", learned_score=0.95).check == "calf"  # cues pick the check


# ---- the decision table, case by case ------------------------------------------------------------

# check, answer (question ids answered yes, or none / unsure) -> urgency, red flags whose advice is given,
# and whether the runner's own question is answered next
TABLE = [
    ("injury", ("out_of_shape",), "emergency", ("deformity",), False),
    ("injury", ("numb_pale_cold",), "emergency", ("numb_after_injury",), False),
    ("injury", ("four_steps",), "urgent", ("cannot_bear_weight",), False),
    ("injury", ("bone_tender",), "urgent", ("ottawa_tenderness",), False),
    ("injury", ("bone_tender", "out_of_shape"), "emergency", ("deformity", "ottawa_tenderness"), False),
    ("injury", NONE_OF_THESE, "self_care", (), True),
    ("injury", NOT_SURE, "urgent", (), False),
    ("nerve", ("pale_cold",), "emergency", ("pale_cold_foot",), False),
    ("nerve", ("saddle",), "emergency", ("cauda_equina",), False),
    ("nerve", ("after_injury",), "emergency", ("numb_after_injury",), False),
    ("nerve", ("foot_drop",), "urgent", ("foot_drop",), False),
    ("nerve", NONE_OF_THESE, "soon", (), False),  # numbness without those signs: see someone within days
    ("nerve", NOT_SURE, "urgent", (), False),
    ("infection", ("very_unwell",), "emergency", ("sepsis",), False),
    ("infection", ("diabetes",), "urgent", ("diabetic_foot",), False),
    ("infection", ("fever_spreading",), "urgent", ("infection",), False),
    ("infection", NONE_OF_THESE, "soon", (), False),
    ("infection", NOT_SURE, "urgent", (), False),
    ("calf", ("breathless",), "emergency", ("clot_with_breathlessness",), False),
    ("calf", ("tense",), "emergency", ("compartment",), False),
    ("calf", ("one_side",), "urgent", ("dvt",), False),
    ("calf", NONE_OF_THESE, "self_care", (), True),
    ("calf", NOT_SURE, "urgent", (), False),
    ("achilles", ("kicked_pop",), "emergency", ("achilles_rupture",), False),
    ("achilles", ("no_tiptoe", "gap"), "emergency", ("achilles_rupture",), False),
    ("achilles", NONE_OF_THESE, "self_care", (), True),
    ("achilles", NOT_SURE, "urgent", (), False),
    ("bone", ("walking_hurts",), "urgent", ("bone_stress_walking",), False),
    ("bone", ("one_spot",), "soon", ("bone_stress",), False),
    ("bone", ("night", "grows"), "soon", ("bone_stress",), False),
    ("bone", NONE_OF_THESE, "self_care", (), True),
    ("bone", NOT_SURE, "soon", (), False),
    ("general", ("out_of_shape",), "emergency", ("deformity",), False),
    ("general", ("numb_pale_cold",), "emergency", ("pale_cold_foot",), False),
    ("general", ("four_steps",), "urgent", ("cannot_bear_weight",), False),
    ("general", ("fever_spreading",), "urgent", ("infection",), False),
    ("general", NONE_OF_THESE, "self_care", (), True),
    ("general", NOT_SURE, "urgent", (), False),
]


@pytest.mark.parametrize("check, answer, urgency, flags, answers_question", TABLE)
def test_decision_table(table, check, answer, urgency, flags, answers_question):
    given = CheckAnswer(kind=answer) if isinstance(answer, str) else CheckAnswer(answer, "yes")
    outcome = table.decide(check, given)
    assert (outcome.urgency, outcome.flags, outcome.answer_question) == (urgency, flags, answers_question)
    if not flags:
        assert outcome.text and outcome.sources, "none/unsure rows carry their own sourced advice"


def test_every_question_of_every_check_is_in_the_table(knowledge):
    covered = {(check, qid) for check, answer, *_ in TABLE if not isinstance(answer, str) for qid in answer}
    every = {(c["id"], q["id"]) for c in knowledge.safety_checks["checks"] for q in c["questions"]}
    rows = {(check, answer) for check, answer, *_ in TABLE if isinstance(answer, str)}
    assert every <= covered
    assert rows == {(c["id"], kind) for c in knowledge.safety_checks["checks"] for kind in (NONE_OF_THESE, NOT_SURE)}


def test_questions_are_asked_most_urgent_first(knowledge, table):
    """'Tap the first one that fits' only works if the list runs from most to least urgent."""
    order = {"emergency": 0, "urgent": 1, "soon": 2}
    for check in knowledge.safety_checks["checks"]:
        levels = [order[table.flags[q["flag"]]["urgency"]] for q in check["questions"]]
        assert levels == sorted(levels), check["id"]


def test_a_red_flag_stated_while_answering_wins(table):
    outcome = table.with_flags(table.decide("injury", CheckAnswer(kind=NONE_OF_THESE)), ["deformity"])
    assert outcome.urgency == "emergency" and outcome.flags == ("deformity",)


# ---- answers in the runner's own words -------------------------------------------------------------


@pytest.mark.parametrize(
    "check, typed, yes, kind",
    [
        ("injury", "none", (), NONE_OF_THESE),
        ("injury", "no, none of those, it looks normal", (), NONE_OF_THESE),
        ("injury", "nope all fine", (), NONE_OF_THESE),
        ("injury", "it hurts when I press on the bone", ("bone_tender",), "yes"),
        ("injury", "I can't walk on it at all", ("four_steps",), "yes"),
        ("injury", "it looks bent", ("out_of_shape",), "yes"),
        ("injury", "it doesn't look bent", (), "unclear"),
        ("injury", "3", ("four_steps",), "yes"),  # the question's number (terminal users)
        ("injury", "four_steps", ("four_steps",), "yes"),  # a button's answer
        ("injury", "not sure", (), NOT_SURE),
        ("injury", "dunno really", (), NOT_SURE),
        ("injury", "bananas and custard", (), "unclear"),
        ("nerve", "yes it's cold and white", ("pale_cold",), "yes"),
        ("calf", "I'm a bit short of breath", ("breathless",), "yes"),
    ],
)
def test_reading_typed_answers(triager, check, typed, yes, kind):
    answer = triager.read_answer(check, typed)
    assert (answer.yes, answer.kind) == (yes, kind)


def test_asked_intent_falls_back_to_the_checks_topic():
    assert asked_intent("exercises", "treatment") == "exercises"
    assert asked_intent("inform", "treatment") == "treatment"
    assert asked_intent(None, "why_pain") == "why_pain"
    assert asked_intent("out_of_scope", "treatment") == "treatment"
    assert asked_intent("diagnosis_request", "treatment") == "diagnosis_request"  # declined after the check


# ---- the learned second opinion --------------------------------------------------------------------


def test_learned_model_scores_red_flags_above_ordinary_messages():
    positives, negatives = load_phrasings()
    model = RedFlagModel.train(positives, negatives)
    flagged = model.scores(
        [
            "my foot has gone white and I can't feel my toes after the fall",
            "felt a kick in the back of my calf and now I can't go on tiptoe",
        ]
    )
    ordinary = model.scores(["what shoes are best for a marathon", "how do I warm up before a parkrun"])
    assert min(flagged) > 0.7 > max(ordinary)


def test_learned_model_is_deterministic():
    positives, negatives = load_phrasings()
    text = "my ankle is hot and I feel shivery"
    assert RedFlagModel.train(positives, negatives).score(text) == RedFlagModel.train(positives, negatives).score(text)


# ---- diagnoses a clinician manages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, values, named",
    [
        ("I have a Jones fracture, what exercises can I do?", ["fracture"], "a fracture"),
        ("diagnosed with gout last week, can I run", ["gout"], "gout"),
        ("got a lisfranc injury, when can I run", ["lisfranc_injury"], "a Lisfranc (midfoot) injury"),
        (
            "I've got a stress fracture in my shin, how do I keep fit",
            ["bone_stress_injury"],
            "a bone stress injury (stress fracture)",
        ),
        ("my physio says it's sinus tarsi syndrome, can I run?", [], UNNAMED),
        ("I think I broke my ankle", ["fracture"], None),  # a hedge: a safety question instead
        ("broke my ankle 3 years ago, fully healed, what shoes", ["fracture"], None),
        ("what is a stress fracture", ["bone_stress_injury"], None),
        ("my physio said it's achilles tendinopathy, which exercises", ["achilles_tendinopathy_midportion"], None),
    ],
)
def test_named_diagnosis(knowledge, text, values, named):
    assert named_diagnosis(text, values, knowledge) == named


def test_a_named_diagnosis_gets_the_clinicians_plan_not_training_advice(coach, context):
    for topic in ("exercises", "plan", "return_to_run", "when_to_rest", "training_load", "treatment"):
        reply = coach.answer(topic, context(diagnosis="a fracture", disclaimer_shown=True))
        assert reply.text.startswith("You mention a fracture.") and "follow the plan" in reply.text, topic
        assert reply.urgency == "soon" and reply.sources and "exercises" not in reply.data, topic
    assert coach.answer("shoes", context(diagnosis="a fracture")).topic == "shoes"


# ---- banner and text name the same time frame ---------------------------------------------------------

TIME_FRAME = {"emergency": "now", "urgent": "today", "soon": "days"}
NOT_THIS_TIME_FRAME = {"emergency": "within the next few days", "urgent": "within the next few days", "soon": "today"}


def test_every_warning_names_its_levels_time_frame(knowledge):
    levels = knowledge.messages["urgency_levels"]
    for level, word in TIME_FRAME.items():
        assert word in levels[level]["heading"] and word in levels[level]["banner"], level
    advice = [(f["id"], f["urgency"], f["what_to_do"]) for f in knowledge.red_flags["red_flags"]]
    advice += [
        (f"{c['id']}.{row}", c[row]["urgency"], c[row]["text"])
        for c in knowledge.safety_checks["checks"]
        for row in ("none", "unsure")
        if c[row]["urgency"] != "self_care"
    ]
    for name, level, text in advice:
        assert TIME_FRAME[level] in text, name
        assert NOT_THIS_TIME_FRAME[level] not in text, name


@pytest.mark.parametrize(
    "text, asks",
    [
        ("I rolled my ankle yesterday but I can walk on it ok, just a bit swollen", False),
        ("rolled it, bit swollen", False),
        ("rolled it yesterday, should I ice it", True),
        ("twisted my ankle, what exercises help?", True),
        ("twisted my ankle. Any tips", True),
        ("can I run on it", True),
        ("return to run plan after my metatarsal stress fracture please", True),
        ("give me a plan for my achilles", True),
    ],
)
def test_whether_a_message_asks_a_question(text, asks):
    from coach.triage import asks_a_question

    assert asks_a_question(text) is asks
