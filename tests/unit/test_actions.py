"""The real custom actions run on realistic trackers, checked for what a runner (or a widget) would notice.

In the style of RasaHQ/financial-demo's action tests: build the tracker Rasa would send, run the
action with a CollectingDispatcher, then check the messages it sent and the events it returned.
pytest-asyncio isn't installed, so each test drives the coroutine with ``asyncio.run``.
"""

import asyncio
import inspect
import re

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from trackers import DOMAIN, entity, red_flag, rest_form_answer, user_turn

from actions.answers import ActionAnswer, ActionFallback, ActionUpdateContext
from actions.rest_check import ActionRestAdvice, ValidateRestForm
from actions.safety import ActionRedFlag
from coach.rest_check import BONE_SCREEN, PAIN_QUESTIONS, QUESTIONS
from coach.topics import PENDING, TOPICS, URGENCIES

NO_SOURCE_TOPICS = {"out_of_scope", "fallback"}


# ---- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()


@pytest.fixture
def domain():
    return DOMAIN


def run(action, dispatcher, tracker, domain):
    return asyncio.run(action.run(dispatcher, tracker, domain))


def texts(dispatcher):
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def payloads(dispatcher):
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def the_reply(dispatcher):
    """The one text message and the one custom payload every knowledge answer consists of."""
    assert len(dispatcher.messages) == 2, dispatcher.messages
    assert len(texts(dispatcher)) == 1 and len(payloads(dispatcher)) == 1, dispatcher.messages
    text_message = dispatcher.messages[0]
    assert text_message["text"], "the text comes before the payload"
    return text_message, payloads(dispatcher)[0]


def source_line(text):
    lines = re.findall(r"^Source: (.+)$", text, flags=re.M)
    assert len(lines) == 1, text
    return lines[0]


def slot_events(events, name):
    return [event for event in events if event.get("event") == "slot" and event.get("name") == name]


def assert_contract(payload):
    assert payload["topic"] in TOPICS
    assert payload["urgency"] in URGENCIES or (payload["urgency"] == PENDING and payload.get("clarify"))
    assert isinstance(payload["sources"], list)


@pytest.fixture(scope="module")
def action_server():
    """The actions the action server registers from the ``actions`` package, by name."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


# ---- the action server knows every custom action the domain names --------------------------------


def test_every_domain_action_is_registered(action_server):
    custom = [name for name in DOMAIN["actions"] if name.startswith(("action_", "validate_"))]
    assert custom, "domain.yml lists custom actions"
    missing = [name for name in custom if name not in action_server.actions]
    assert missing == []


def test_action_server_round_trip_returns_events_and_responses(action_server):
    """What Rasa posts to /webhook and gets back: the tracker as JSON in, events and responses out."""
    text = "why does the back of my ankle hurt?"
    tracker = user_turn("why_pain", text, [entity("location", "back_ankle", text, "back of my ankle")])
    call = {
        "next_action": "action_answer",
        "sender_id": tracker.sender_id,
        "tracker": tracker.current_state(),
        "domain": DOMAIN,
    }
    response = asyncio.run(action_server.run(call))

    assert [m["custom"]["topic"] for m in response["responses"] if m["custom"]] == ["why_pain"]
    assert response["responses"][0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "last_topic", "value": "why_pain"} in response["events"]


# ---- ActionAnswer: every topic intent -----------------------------------------------------------

# intent, contract topic, what the runner typed, entities in it, what the conversation already knew
TOPIC_TURNS = [
    (
        "why_pain",
        "why_pain",
        "why does the outside of my ankle hurt?",
        [("location", "outer_ankle", "outside of my ankle")],
        {},
    ),
    ("shoes", "shoes", "what running shoes should I get?", [], {}),
    ("warmup", "warmup", "how should I warm up before a run?", [], {}),
    ("treatment", "treatment", "should I ice it?", [("subject", "ice", "ice")], {}),
    (
        "condition_info",
        "condition_info",
        "what is plantar fasciitis?",
        [("condition", "plantar_heel_pain", "plantar fasciitis")],
        {},
    ),
    ("self_test", "self_test", "how can I test my ankle myself?", [], {}),
    ("technique", "technique", "should I change my running technique?", [], {}),
    ("surface", "surface", "is running on trails better for my ankle?", [], {}),
    ("training_load", "training_load", "how much should I increase my mileage?", [], {}),
    ("stretching", "stretching", "should I stretch before running?", [], {}),
    ("exercises", "exercises", "what exercises help my achilles?", [("location", "back_ankle", "achilles")], {}),
    ("exercise_howto", "exercise_howto", "how do I do calf raises?", [("exercise", "calf_raise", "calf raises")], {}),
    ("plan", "plan", "can you give me a weekly plan?", [], {"runs_per_week": 3.0}),
    ("return_to_run", "plan", "when can I run again after my sprain?", [], {"location": "outer_ankle"}),
    ("out_of_scope", "out_of_scope", "what's the weather tomorrow?", [], {}),
    ("help", "fallback", "what can you do?", [], {}),
]


def topic_tracker(intent, text, found, known, disclaimer_shown):
    entities = [entity(kind, value, text, surface) for kind, value, surface in found]
    return user_turn(intent, text, entities, slots={**known, "disclaimer_shown": disclaimer_shown})


@pytest.mark.parametrize("disclaimer_shown", [False, True], ids=["first_answer", "disclaimer_already_shown"])
@pytest.mark.parametrize("intent, topic, text, found, known", TOPIC_TURNS, ids=[t[0] for t in TOPIC_TURNS])
def test_answer_for_each_topic_intent(
    dispatcher, domain, knowledge, intent, topic, text, found, known, disclaimer_shown
):
    tracker = topic_tracker(intent, text, found, known, disclaimer_shown)
    events = run(ActionAnswer(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert_contract(payload)
    assert payload["topic"] == topic
    disclaimer = knowledge.messages["disclaimer"]
    if topic in NO_SOURCE_TOPICS:
        # Help, fallback and out-of-scope replies always carry the disclaimer (product contract).
        assert payload["disclaimer"] is True
        assert disclaimer in message["text"]
        assert slot_events(events, "last_topic") == []
    else:
        assert payload["sources"], "a medical answer names its sources"
        cited = source_line(message["text"])
        for source in payload["sources"]:
            assert source in cited
        assert payload["urgency"] == "self_care"
        if disclaimer_shown:
            assert disclaimer not in message["text"]
            assert "disclaimer" not in payload
            assert slot_events(events, "disclaimer_shown") == []
        else:
            assert message["text"].rstrip().endswith(disclaimer)
            assert payload["disclaimer"] is True
            assert SlotSet("disclaimer_shown", True) in events
        assert SlotSet("last_topic", intent) in events


def test_why_pain_without_location_asks_where_with_location_buttons(dispatcher, domain, knowledge):
    tracker = user_turn("why_pain", "why does my ankle hurt when I run?")
    run(ActionAnswer(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "why_pain" and payload["clarify"] is True
    assert payload["entry"] == "why_pain_general"
    assert knowledge.messages["clarify_location"] in message["text"]
    offered = {button["payload"] for button in message["buttons"]}
    for location in knowledge.locations:
        assert f'/inform{{"location": "{location}"}}' in offered


def test_why_pain_outer_ankle_after_injury_is_the_sprain_entry(dispatcher, domain):
    text = "it's the outside of my ankle, I rolled it on a trail run"
    tracker = user_turn(
        "why_pain",
        text,
        [entity("location", "outer_ankle", text, "outside of my ankle"), entity("onset", "injury", text, "rolled it")],
        slots={"disclaimer_shown": True},
    )
    assert tracker.get_slot("location") == "outer_ankle" and tracker.get_slot("onset") == "injury"
    events = run(ActionAnswer(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["entry"] == "why_pain_outer_injury"
    assert "clarify" not in payload
    assert "sprain" in message["text"].lower()
    assert "/when_to_rest" in {button["payload"] for button in message["buttons"]}
    assert SlotSet("last_topic", "why_pain") in events


def test_why_pain_same_place_but_gradual_is_a_different_entry(dispatcher, domain):
    tracker = user_turn("why_pain", "why does it hurt?", slots={"location": "outer_ankle", "onset": "gradual"})
    run(ActionAnswer(), dispatcher, tracker, domain)
    _, payload = the_reply(dispatcher)
    assert payload["entry"] == "why_pain_outer_gradual"


def test_exercise_howto_gives_the_named_exercises_steps(dispatcher, domain, knowledge):
    text = "how do I do the eccentric heel drops?"
    # An exercise asked about earlier was in the slot; the one named now (refilled from the entity) wins.
    tracker = user_turn(
        "exercise_howto",
        text,
        [entity("exercise", "eccentric_heel_drop", text, "eccentric heel drops")],
        slots={"exercise": "towel_grip", "disclaimer_shown": True},
    )
    run(ActionAnswer(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    exercise = knowledge.exercises["eccentric_heel_drop"]
    assert payload["topic"] == "exercise_howto"
    assert [card["id"] for card in payload["exercises"]] == ["eccentric_heel_drop"]
    assert payload["exercises"][0]["steps"] == exercise["steps"]
    assert message["text"].startswith(exercise["name"])
    for number, step in enumerate(exercise["steps"], 1):
        assert f"{number}. {step}" in message["text"]
    assert knowledge.exercises["towel_grip"]["name"] not in message["text"]


def test_exercise_howto_without_an_exercise_asks_which(dispatcher, domain):
    tracker = user_turn("exercise_howto", "how do I do that one?", slots={"disclaimer_shown": True})
    run(ActionAnswer(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "exercise_howto" and payload["clarify"] is True
    assert message["buttons"] and all(
        b["payload"].startswith('/exercise_howto{"exercise": ') for b in message["buttons"]
    )


def test_condition_info_for_achilles_rupture_is_an_emergency(dispatcher, domain, knowledge):
    text = "what is an achilles rupture?"
    tracker = user_turn("condition_info", text, [entity("condition", "achilles_rupture", text, "achilles rupture")])
    run(ActionAnswer(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "condition_info"
    assert payload["condition"] == "achilles_rupture"
    assert payload["urgency"] == "emergency"
    assert message["text"].startswith(knowledge.conditions["achilles_rupture"]["name"])
    assert "Maffulli 1998" in payload["sources"]


def test_an_intent_the_action_does_not_answer_gets_the_fallback(dispatcher, domain, knowledge):
    tracker = user_turn("greet", "hello there", slots={"disclaimer_shown": True})
    events = run(ActionAnswer(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "fallback" and payload["disclaimer"] is True
    assert knowledge.messages["fallback"] in message["text"]
    assert slot_events(events, "last_topic") == []


# ---- ActionRedFlag ------------------------------------------------------------------------------


def red_flag_turn(text, flags, slots=None):
    return user_turn("red_flag", text, slots=slots, red_flags=flags, confidence=1.0)


@pytest.mark.parametrize(
    "flag_id, urgency, heading, text, matched",
    [
        (
            "achilles_rupture",
            "emergency",
            "This needs emergency care now.",
            "I heard a pop and it felt like someone kicked me in the back of my ankle",
            "kicked me in the back",
        ),
        (
            "cannot_bear_weight",
            "urgent",
            "Please get this checked by a clinician today.",
            "I rolled it and now I can't put any weight on it",
            "can't put any weight",
        ),
    ],
)
def test_red_flag_first_reply_is_the_warning(dispatcher, domain, knowledge, flag_id, urgency, heading, text, matched):
    tracker = red_flag_turn(text, [red_flag(flag_id, urgency, matched)])
    events = run(ActionRedFlag(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    flag = next(f for f in knowledge.red_flags["red_flags"] if f["id"] == flag_id)
    assert payload["topic"] == "red_flag"
    assert payload["urgency"] == urgency
    assert payload["red_flags"] == [flag_id]
    paragraphs = message["text"].split("\n\n")
    assert paragraphs[0] == heading
    assert paragraphs[1] == flag["what_to_do"].strip(), "what to do comes straight after the heading"
    assert payload["sources"] and all(s in source_line(message["text"]) for s in payload["sources"])
    assert knowledge.messages["disclaimer"] in message["text"]
    assert SlotSet("red_flags", [flag_id]) in events
    assert SlotSet("disclaimer_shown", True) in events


def test_red_flag_is_merged_with_the_ones_remembered(dispatcher, domain):
    text = "my ankle looks bent and out of shape"
    tracker = red_flag_turn(
        text,
        [red_flag("deformity", "emergency", "bent and out of shape")],
        slots={"red_flags": ["cannot_bear_weight"], "disclaimer_shown": True},
    )
    events = run(ActionRedFlag(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["urgency"] == "emergency"
    assert payload["red_flags"] == ["deformity"]
    assert slot_events(events, "red_flags") == [SlotSet("red_flags", ["cannot_bear_weight", "deformity"])]
    assert slot_events(events, "disclaimer_shown") == []


def test_red_flag_already_remembered_is_not_duplicated(dispatcher, domain):
    tracker = red_flag_turn(
        "it still feels like I was kicked in the achilles",
        [red_flag("achilles_rupture", "emergency", "kicked in the achilles")],
        slots={"red_flags": ["bone_stress", "achilles_rupture"], "disclaimer_shown": True},
    )
    events = run(ActionRedFlag(), dispatcher, tracker, domain)
    assert slot_events(events, "red_flags") == [SlotSet("red_flags", ["bone_stress", "achilles_rupture"])]


def test_several_red_flags_lead_with_the_most_urgent(dispatcher, domain, knowledge):
    text = "I can't walk on it and the ankle looks misshapen"
    tracker = red_flag_turn(
        text,
        [red_flag("cannot_bear_weight", "urgent", "can't walk"), red_flag("deformity", "emergency", "looks misshapen")],
    )
    events = run(ActionRedFlag(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    deformity = next(f for f in knowledge.red_flags["red_flags"] if f["id"] == "deformity")
    assert payload["urgency"] == "emergency"
    assert payload["red_flags"] == ["deformity", "cannot_bear_weight"]
    assert message["text"].startswith("This needs emergency care now.\n\n" + deformity["what_to_do"].strip())
    # The other flag is still mentioned, after the most urgent instruction.
    other = next(f for f in knowledge.red_flags["red_flags"] if f["id"] == "cannot_bear_weight")["name"].lower()
    lowered = message["text"].lower()
    assert other in lowered
    assert lowered.index(other) > lowered.index(deformity["what_to_do"].strip().lower())
    assert SlotSet("red_flags", ["cannot_bear_weight", "deformity"]) in events


def test_red_flag_intent_without_a_flag_answers_why_pain(dispatcher, domain):
    # e.g. "/red_flag" typed or sent as a button payload: the guard found nothing.
    tracker = red_flag_turn("/red_flag", None)
    events = run(ActionRedFlag(), dispatcher, tracker, domain)

    _, payload = the_reply(dispatcher)
    assert payload["topic"] == "why_pain"
    assert payload["urgency"] == "self_care"
    assert slot_events(events, "red_flags") == []


def test_red_flag_intent_without_a_new_flag_repeats_the_remembered_warning(dispatcher, domain):
    tracker = red_flag_turn("/red_flag", [], slots={"red_flags": ["cannot_bear_weight"], "disclaimer_shown": True})
    events = run(ActionRedFlag(), dispatcher, tracker, domain)

    _, payload = the_reply(dispatcher)
    assert payload["topic"] == "red_flag" and payload["urgency"] == "urgent"
    assert payload["red_flags"] == ["cannot_bear_weight"]
    assert slot_events(events, "red_flags") == [SlotSet("red_flags", ["cannot_bear_weight"])]


# ---- after a red flag: no loading advice -----------------------------------------------------------

LOADING_TURNS = [
    ("plan", "plan", "give me a training plan for this week"),
    ("exercises", "exercises", "what exercises should I do?"),
    ("training_load", "training_load", "how many miles can I do this week?"),
    ("return_to_run", "plan", "when can I start running again?"),
    ("exercise_howto", "exercise_howto", "how do I do pogo hops?"),
    ("self_test", "self_test", "how do I test if it's ready for running?"),
]


@pytest.mark.parametrize(
    "remembered, urgency",
    [
        (["cannot_bear_weight"], "urgent"),
        (["cannot_bear_weight", "achilles_rupture"], "emergency"),
        (["bone_stress"], "soon"),
    ],
    ids=["urgent_flag", "urgent_and_emergency_flags", "soon_flag"],
)
@pytest.mark.parametrize("intent, topic, text", LOADING_TURNS, ids=[t[0] for t in LOADING_TURNS])
def test_after_a_red_flag_loading_topics_remind_instead(
    dispatcher, domain, knowledge, intent, topic, text, remembered, urgency
):
    entities = [entity("exercise", "pogo_hops", text, "pogo hops")] if intent == "exercise_howto" else []
    tracker = user_turn(
        intent,
        text,
        entities,
        slots={"red_flags": remembered, "location": "back_ankle", "onset": "injury", "disclaimer_shown": True},
    )
    events = run(ActionAnswer(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["topic"] == topic
    assert payload["urgency"] == urgency
    assert "red_flags" not in payload, "the payload carries nothing from earlier turns"
    assert "keep running" not in message["text"].lower()
    assert message["text"].startswith(knowledge.messages["red_flag_reminder"])
    assert "plan" not in payload and "exercises" not in payload
    assert payload["sources"]
    assert SlotSet("last_topic", intent) in events


def test_after_a_red_flag_treatment_gives_only_the_reminder(dispatcher, domain, knowledge):
    """Icing advice to a runner with a possible clot would be wrong: after a red flag, self-care
    topics give the reminder to be checked, with the remembered urgency, and nothing else."""
    tracker = user_turn(
        "treatment",
        "should I ice it?",
        [entity("subject", "ice", "should I ice it?", "ice")],
        slots={"red_flags": ["dvt"], "disclaimer_shown": True},
    )
    run(ActionAnswer(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "treatment" and payload["urgency"] == "urgent"
    assert "entry" not in payload
    assert message["text"].startswith(knowledge.messages["red_flag_reminder"])
    assert "ice" not in message["text"].lower().split("(you mentioned")[0]


def test_after_a_red_flag_condition_info_leaves_out_self_care(dispatcher, domain):
    tracker = user_turn(
        "condition_info",
        "what is achilles tendinopathy?",
        [
            entity(
                "condition",
                "achilles_tendinopathy_midportion",
                "what is achilles tendinopathy?",
                "achilles tendinopathy",
            )
        ],
        slots={"red_flags": ["achilles_rupture"], "disclaimer_shown": True},
    )
    run(ActionAnswer(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    assert payload["urgency"] == "emergency"
    assert "What usually helps first" not in message["text"] and "keep running" not in message["text"].lower()
    assert "See a physio or doctor if" in message["text"]


# ---- ActionUpdateContext ------------------------------------------------------------------------


def test_new_location_is_acknowledged_and_the_last_topic_re_answered(dispatcher, domain):
    text = "actually it's more the inside of my ankle"
    tracker = user_turn(
        "inform",
        text,
        [entity("location", "inner_ankle", text, "inside of my ankle")],
        slots={"location": "outer_ankle", "last_topic": "why_pain", "disclaimer_shown": True},
    )
    assert tracker.get_slot("location") == "inner_ankle"
    events = run(ActionUpdateContext(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert message["text"].startswith("Got it: the inside of your ankle.\n\n")
    assert payload["topic"] == "why_pain"
    assert payload["entry"] == "why_pain_inner"
    assert "clarify" not in payload
    assert SlotSet("last_topic", "why_pain") in events


def test_new_kit_re_answers_exercises_for_that_kit(dispatcher, domain, knowledge):
    text = "I have a resistance band"
    tracker = user_turn(
        "inform",
        text,
        [entity("equipment", "resistance_band", text, "resistance band")],
        slots={"location": "outer_ankle", "last_topic": "exercises", "disclaimer_shown": True},
    )
    events = run(ActionUpdateContext(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert message["text"].startswith("Got it: you have a resistance band.")
    assert payload["topic"] == "exercises"
    band = knowledge.equipment["resistance_band"]["label"]
    assert all(set(card["equipment"]) <= {band} for card in payload["exercises"])
    assert any(card["equipment"] == [band] for card in payload["exercises"])
    assert SlotSet("last_topic", "exercises") in events


def test_new_location_without_a_last_topic_is_answered_as_why_it_hurts(dispatcher, domain):
    """A first message that tells where it hurts asks, in effect, why: no dead end."""
    text = "it's the inside of my ankle"
    tracker = user_turn("inform", text, [entity("location", "inner_ankle", text, "inside of my ankle")])
    events = run(ActionUpdateContext(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert message["text"].startswith("Got it: the inside of your ankle.\n\n")
    assert payload["topic"] == "why_pain" and payload["entry"] == "why_pain_inner" and payload["sources"]
    assert SlotSet("last_topic", "why_pain") in events


def test_nothing_recognised_and_no_last_topic_just_asks_what_next(dispatcher, domain):
    tracker = user_turn("inform", "hmm ok", slots={"disclaimer_shown": True})
    run(ActionUpdateContext(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    assert message["text"] == "What would you like to know?"
    assert message["buttons"]
    assert payload["topic"] == "fallback"


# ---- ActionFallback -----------------------------------------------------------------------------


@pytest.mark.parametrize("disclaimer_shown", [False, True])
def test_fallback_always_carries_the_disclaimer(dispatcher, domain, knowledge, disclaimer_shown):
    tracker = user_turn(
        "nlu_fallback", "blorp the ankle wibble", confidence=0.31, slots={"disclaimer_shown": disclaimer_shown}
    )
    events = run(ActionFallback(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "fallback"
    assert payload["disclaimer"] is True
    assert payload["sources"] == []
    assert knowledge.messages["fallback"] in message["text"]
    assert knowledge.messages["disclaimer"] in message["text"]
    assert SlotSet("disclaimer_shown", True) in events


# ---- ValidateRestForm ---------------------------------------------------------------------------

# slot, what the runner typed, what the slot should hold (None: re-ask with the hint)
VALIDATIONS = [
    ("pain_during_run", "about a 4/10", 4.0),
    ("pain_during_run", "seven", 7.0),
    ("pain_during_run", "15", None),
    ("pain_during_run", "banana", None),
    ("settles_by_morning", "yes", True),
    ("settles_by_morning", "/deny", False),
    ("settles_by_morning", "purple", None),
    ("limping", "nope", False),
    ("limping", "banana", None),
    ("swelling", "a bit", True),
    ("swelling", "purple", None),
    ("rest_or_night_pain", "no", False),
    ("rest_or_night_pain", "15", None),
    ("weeks_of_pain", "15", 15.0),
    ("weeks_of_pain", "10 days", 1.43),
    ("weeks_of_pain", "a month", 4.3),
    ("weeks_of_pain", "banana", None),
    ("weeks_of_pain", "purple", None),
]
# Which kind of answer each question needs, and a phrase the right re-ask must contain.
ANSWER_KINDS = {
    "pain_during_run": "pain",
    "settles_by_morning": "yes_no",
    "limping": "yes_no",
    "swelling": "yes_no",
    "rest_or_night_pain": "yes_no",
    "weeks_of_pain": "weeks",
    "bone_spot_pain": "yes_no",
    "pain_grows_during_run": "yes_no",
    "hop_pain": "yes_no",
}
HINT_PHRASES = {"pain": "0 to 10", "yes_no": "yes or no", "weeks": "2 weeks"}


def said(dispatcher, domain):
    """What the runner reads: a message's text, or the text of the domain response it names."""
    read = []
    for message in dispatcher.messages:
        if message.get("response"):
            read.append(domain["responses"][message["response"]][0]["text"])
        elif message.get("text"):
            read.append(message["text"])
    return read


def expected_hint(slot, knowledge, domain):
    kind = ANSWER_KINDS[slot]
    hint = knowledge.rest_check.get("hints", {}).get(kind)
    return hint if hint is not None else domain["responses"][f"utter_hint_{kind}"][0]["text"]


def assert_hint(slot, dispatcher, domain, knowledge):
    assert said(dispatcher, domain) == [expected_hint(slot, knowledge, domain)]
    assert HINT_PHRASES[ANSWER_KINDS[slot]] in said(dispatcher, domain)[0]


def call_validator(slot, value, dispatcher, tracker, domain):
    result = getattr(ValidateRestForm(), f"validate_{slot}")(value, dispatcher, tracker, domain)
    return asyncio.run(result) if inspect.isawaitable(result) else result


@pytest.mark.parametrize("slot, typed, expected", VALIDATIONS)
def test_validate_method_parses_or_hints(dispatcher, domain, knowledge, slot, typed, expected):
    tracker = rest_form_answer(slot, typed)
    result = call_validator(slot, typed, dispatcher, tracker, domain)

    assert result == {slot: expected}
    if expected is None:
        assert_hint(slot, dispatcher, domain, knowledge)
    else:
        assert dispatcher.messages == []


@pytest.mark.parametrize(
    "slot, typed, expected",
    [
        ("pain_during_run", "3 out of 10", 3.0),
        ("pain_during_run", "banana", None),
        ("limping", "purple", None),
        ("weeks_of_pain", "2 weeks", 2.0),
    ],
)
def test_form_validation_run_sets_the_parsed_answer(dispatcher, domain, knowledge, slot, typed, expected):
    """Through FormValidationAction.run, as Rasa calls it with the slot candidate as the last event."""
    tracker = rest_form_answer(slot, typed)
    events = run(ValidateRestForm(), dispatcher, tracker, domain)

    assert events == [SlotSet(slot, expected)]
    if expected is None:
        assert_hint(slot, dispatcher, domain, knowledge)
    else:
        assert dispatcher.messages == []


def test_required_slots_are_the_nine_questions_without_a_red_flag(dispatcher, domain):
    tracker = rest_form_answer("pain_during_run", "4")
    slots = asyncio.run(ValidateRestForm().required_slots(QUESTIONS, dispatcher, tracker, domain))
    assert slots == QUESTIONS == DOMAIN["forms"]["rest_form"]["required_slots"]


def test_required_slots_empty_after_a_red_flag(dispatcher, domain):
    tracker = rest_form_answer("pain_during_run", "4", slots={"red_flags": ["bone_stress"]})
    slots = asyncio.run(ValidateRestForm().required_slots(QUESTIONS, dispatcher, tracker, domain))
    assert slots == []


def test_red_flag_ends_the_form_without_more_questions(dispatcher, domain):
    tracker = rest_form_answer("settles_by_morning", "no", slots={"red_flags": ["dvt"], "pain_during_run": 4.0})
    events = run(ValidateRestForm(), dispatcher, tracker, domain)
    assert events == [SlotSet("requested_slot", None)]
    assert dispatcher.messages == []


# ---- the rest form's questions -------------------------------------------------------------------

# slot -> words its question must contain (so each ask action asks its own question)
QUESTION_WORDS = {
    "pain_during_run": ["0", "10"],
    "settles_by_morning": ["morning"],
    "limping": ["limping"],
    "swelling": ["swollen"],
    "rest_or_night_pain": ["night"],
    "weeks_of_pain": ["How long"],
    "bone_spot_pain": ["one spot", "bone"],
    "pain_grows_during_run": ["longer you run"],
    "hop_pain": ["hop"],
}


@pytest.mark.parametrize("slot", QUESTIONS)
def test_each_rest_question_is_asked_with_the_right_answer_options(dispatcher, domain, action_server, slot):
    name = f"action_ask_{slot}"
    # asked after the runner's answer to the previous question (the first question: tests below)
    tracker = user_turn("affirm", "yes", slots={"requested_slot": slot}, active_loop="rest_form")
    if name in action_server.actions:
        events = asyncio.run(action_server.actions[name](dispatcher, tracker, domain))
        assert events == []
        read, buttons = said(dispatcher, domain), dispatcher.messages[0]["buttons"]
        # A question, not an answer: it says so in its payload (product contract).
        assert payloads(dispatcher) == [
            {"topic": "when_to_rest", "urgency": "self_care", "sources": [], "clarify": True}
        ]
    else:  # asked by a domain response instead
        response = domain["responses"][f"utter_ask_{slot}"][0]
        read, buttons = [response["text"]], response.get("buttons", [])
    assert len(read) == 1 and read[0].rstrip().endswith(("?", ")"))
    for word in QUESTION_WORDS[slot]:
        assert word in read[0]
    if ANSWER_KINDS[slot] == "yes_no":
        assert [b["payload"] for b in buttons] == ["/affirm", "/deny"]
    else:
        assert buttons == []


def ask_first_rest_question(dispatcher, domain, action_server, tracker):
    events = asyncio.run(action_server.actions[f"action_ask_{QUESTIONS[0]}"](dispatcher, tracker, domain))
    message, payload = the_reply(dispatcher)
    return events, message, payload, [b["payload"] for b in message["buttons"]]


def test_rest_check_started_by_a_clear_question_can_be_skipped_with_a_button(
    dispatcher, domain, action_server, knowledge
):
    tracker = user_turn("when_to_rest", "should I rest or keep running?", confidence=0.97, active_loop="rest_form")
    _, message, payload, pressed = ask_first_rest_question(dispatcher, domain, action_server, tracker)

    assert pressed == ["/affirm", "/deny", "/skip_questions"]
    assert message["buttons"][-1]["title"] == knowledge.messages["skip_rest_check"]
    assert "suggestions" not in payload and payload["topic"] == "when_to_rest" and payload["clarify"] is True


def test_rest_check_started_by_an_unsure_reading_offers_the_other_likely_topics(
    dispatcher, domain, action_server, knowledge
):
    # "rest days?" could be about recovery between runs: the runner gets a way out of the questions.
    tracker = user_turn(
        "when_to_rest", "rest days?", entities=[entity("location", "heel")], confidence=0.55, active_loop="rest_form"
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "when_to_rest", "confidence": 0.55},
        {"name": "training_load", "confidence": 0.3},
        {"name": "out_of_scope", "confidence": 0.1},
        {"name": "stretching", "confidence": 0.05},
    ]
    _, message, payload, pressed = ask_first_rest_question(dispatcher, domain, action_server, tracker)

    assert pressed[:3] == ["/affirm", "/deny", "/skip_questions"]
    assert pressed[3:] == ['/training_load{"location": "heel"}', '/stretching{"location": "heel"}']
    assert payload["suggestions"] == ["training_load", "stretching"]
    assert knowledge.messages["also_asked"] in message["text"]
    assert message["text"].startswith(knowledge.rest_check["questions"][QUESTIONS[0]]["text"].strip())


def test_topic_pressed_instead_of_answering_ends_the_rest_check_and_answers_it(dispatcher, domain):
    tracker = rest_form_answer(QUESTIONS[0], "/training_load", intent="training_load")
    assert run(ValidateRestForm(), dispatcher, tracker, domain) == [SlotSet("requested_slot", None)]
    assert dispatcher.messages == [], "no 'please answer yes or no' for a button the bot offered"

    dispatcher.messages.clear()
    events = run(ActionRestAdvice(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "training_load" and payload["sources"]
    assert SlotSet("last_topic", "training_load") in events
    assert_answers_cleared(events)


def test_typed_answer_read_as_another_topic_still_answers_the_rest_question(dispatcher, domain):
    # Typed, the same words are an answer to the question asked, whatever the classifier thought.
    tracker = rest_form_answer(QUESTIONS[0], "yes, pressing the shin bone hurts", intent="why_pain")
    events = run(ValidateRestForm(), dispatcher, tracker, domain)
    # read as a yes (which, in the bone screen, ends the questions: a clinician should see it)
    assert events == [SlotSet(QUESTIONS[0], True), SlotSet("requested_slot", None)]


# ---- ActionRestAdvice ---------------------------------------------------------------------------


def answers(pain, settles, limping, swelling, night, weeks):
    """The six pain-rule answers, after a bone screen answered no three times."""
    return {
        **dict.fromkeys(BONE_SCREEN, False),
        **dict(zip(PAIN_QUESTIONS, [pain, settles, limping, swelling, night, weeks])),
    }


def assert_answers_cleared(events):
    for slot in QUESTIONS:
        assert slot_events(events, slot) == [SlotSet(slot, None)], slot


@pytest.mark.parametrize(
    "filled, decision, urgency",
    [
        (answers(4.0, False, False, False, False, 2.0), "reduce_load", "self_care"),
        (answers(1.0, True, False, False, False, 1.0), "keep_running", "self_care"),
        (answers(7.0, True, False, False, False, 1.0), "pause_running", "self_care"),
        (answers(2.0, True, False, False, True, 0.5), "see_clinician", "soon"),
        (answers(4.0, False, False, False, False, 8.0), "see_clinician", "soon"),
    ],
)
def test_rest_advice_decides_from_the_six_answers(dispatcher, domain, knowledge, filled, decision, urgency):
    tracker = user_turn("deny", "no", slots={**filled, "location": "outer_ankle", "disclaimer_shown": True})
    events = run(ActionRestAdvice(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    wording = knowledge.rest_check["decisions"][decision]
    assert payload["topic"] == "when_to_rest"
    assert payload["decision"] == decision
    assert payload["urgency"] == urgency
    assert message["text"].startswith(wording["title"] + ".")
    assert f"{filled['pain_during_run']:g}/10" in message["text"]
    assert payload["sources"] and all(s in source_line(message["text"]) for s in payload["sources"])
    assert_answers_cleared(events)
    assert SlotSet("last_topic", "when_to_rest") in events


def test_rest_advice_pain_4_not_settled_reduces_load_with_reasons(dispatcher, domain, knowledge):
    tracker = user_turn("deny", "no", slots=answers(4.0, False, False, False, False, 2.0))
    events = run(ActionRestAdvice(), dispatcher, tracker, domain)
    message, payload = the_reply(dispatcher)
    reasons = knowledge.rest_check["reasons"]
    assert payload["decision"] == "reduce_load"
    why = next(paragraph for paragraph in message["text"].split("\n\n") if paragraph.startswith("Why: "))
    assert reasons["pain_acceptable"].format(pain="4", weeks="2") in why
    assert reasons["not_settled"] in why
    assert reasons["settled"] not in why and reasons["limping"] not in why
    assert payload["disclaimer"] is True and SlotSet("disclaimer_shown", True) in events


def test_rest_advice_after_skipping_gives_the_general_answer(dispatcher, domain):
    # "just tell me" after the first question: the rest are still unanswered.
    tracker = user_turn("skip_questions", "just tell me", slots={"pain_during_run": 4.0, "disclaimer_shown": True})
    events = run(ActionRestAdvice(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "when_to_rest"
    assert "decision" not in payload
    assert payload["entry"] == "when_to_rest_general"
    assert payload["sources"] and "Source: " in message["text"]
    assert_answers_cleared(events)


def test_rest_advice_after_a_red_flag_is_the_reminder(dispatcher, domain, knowledge):
    tracker = user_turn(
        "affirm",
        "yes",
        slots={
            **answers(1.0, True, False, False, False, 1.0),
            "red_flags": ["achilles_rupture"],
            "disclaimer_shown": True,
        },
    )
    events = run(ActionRestAdvice(), dispatcher, tracker, domain)

    message, payload = the_reply(dispatcher)
    assert payload["topic"] == "when_to_rest"
    assert payload["urgency"] == "emergency"
    assert "decision" not in payload
    assert "red_flags" not in payload, "the payload carries nothing from earlier turns"
    assert message["text"].startswith(knowledge.messages["red_flag_reminder"])
    assert "keep running" not in message["text"].lower()
    assert_answers_cleared(events)
