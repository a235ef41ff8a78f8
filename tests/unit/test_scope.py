"""What the bot declines and how it answers when it is not sure (coach/off_topic.py, coach/fallbacks.py,
components/scope_guard.py): a runner asking for a prescription or a verdict is kindly refused with who
can help; a first message nowhere near running is told so plainly; an unsure question about running
is offered the likeliest topics."""

from dataclasses import replace

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from coach.context import Context
from coach.fallbacks import Fallbacks, mostly_another_script
from coach.off_topic import VerdictRequests
from coach.triage import NONE_OF_THESE, CheckAnswer, CheckTable
from components.red_flag_guard import TRIAGE
from components.scope_guard import ScopeGuard


@pytest.mark.parametrize(
    "text, entities, verdict",
    [
        ("just tell me yes or no, is it broken", [], True),
        ("no maybes please: is it a stress fracture or not?", ["stress_fracture"], True),
        ("one answer only, what's wrong with my heel", [], True),
        ("tell me straight which one it is, tendon or bone", [], True),
        ("Please give me diagnosis. It is stress fracture or not?", ["stress_fracture"], True),
        ("yes or no, can I run today?", [], False),  # a rest question, not a diagnosis
        ("just tell me if I should rest", [], False),
        ("is it a stress fracture?", ["stress_fracture"], False),  # a question, not a demand: answered
    ],
)
def test_a_verdict_is_a_demand_about_what_it_is(knowledge, text, entities, verdict):
    assert VerdictRequests(knowledge).asked(text, entities) is verdict


@pytest.mark.parametrize(
    "text, ours",
    [
        ("tell me a joke", False),
        ("can you help me write a cover letter", False),
        ("what's the capital of peru", False),
        ("keto and running?", True),
        ("cadence??", True),
        ("toe box space", True),
    ],
)
def test_what_is_in_this_bots_world(knowledge, text, ours):
    assert Fallbacks(knowledge).in_our_world(text, []) is ours


def test_a_named_part_of_the_lower_leg_is_ours_whatever_the_words(knowledge):
    assert Fallbacks(knowledge).in_our_world("peroneal?", [{"entity": "condition", "value": "peroneal_tendinopathy"}])


def parse(text, ranking, entities=()):
    return {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": list(entities),
    }


def test_an_unsure_first_message_nowhere_near_running_is_out_of_scope(coach, knowledge):
    reply, _ = coach.answer_unsure(parse("tell me a joke", [("self_test", 0.2), ("surface", 0.15)]), Context())
    assert reply.topic == "out_of_scope" and reply.disclaimer
    assert reply.text.startswith(knowledge.messages["out_of_scope"].split(" - ")[0])


def test_an_unsure_question_about_running_offers_the_likeliest_topics(coach):
    reply, _ = coach.answer_unsure(
        parse("walk-run after injury?", [("return_to_run", 0.4), ("exercises", 0.2)]), Context()
    )
    assert reply.topic == "fallback" and reply.data["suggestions"] == ["return_to_run", "exercises"]
    assert [b["title"] for b in reply.buttons][-1] == "Something else"


def test_an_unsure_question_that_says_where_the_lower_leg_hurts_is_never_called_out_of_scope(coach):
    ranking = [("out_of_scope", 0.3), ("training_load", 0.28), ("when_to_rest", 0.25)]
    data = parse(
        "my daughter's shins ache, is the race on sunday ok?", ranking, [{"entity": "location", "value": "shin"}]
    )
    reply, _ = coach.answer_unsure(data, Context())
    assert reply.topic == "fallback" and reply.data["suggestions"][:2] == ["training_load", "when_to_rest"]


def test_an_unsure_question_likely_out_of_scope_without_a_sore_place_is_declined_with_offers(coach):
    ranking = [("out_of_scope", 0.3), ("training_load", 0.28)]
    reply, _ = coach.answer_unsure(parse("is the race on sunday ok for a runner like me?", ranking), Context())
    assert reply.topic == "out_of_scope" and "training_load" in reply.data["suggestions"]


def test_mid_conversation_an_unsure_follow_up_is_not_called_out_of_scope(coach):
    reply, _ = coach.answer_unsure(
        parse("and how long for?", [("exercise_howto", 0.3), ("plan", 0.2)]), Context(), last_topic="exercises"
    )
    assert reply.topic == "fallback" and "exercise_howto" in reply.data["suggestions"]


def nlu_message(text, intent, entities=(), triage=None):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.9})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}, {"name": "treatment", "confidence": 0.05}])
    message.set(ENTITIES, [{"entity": e, "value": v} for e, v in entities])
    if triage is not None:
        message.set(TRIAGE, triage)
    return message


def test_a_prescription_request_is_declined_whatever_the_classifier_thought(coach):
    message = nlu_message(
        "i need tramadol for my ankle, can you give me a prescription", "when_to_rest", [("off_topic", "prescription")]
    )
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"
    values = [e["value"] for e in message.get(ENTITIES)]
    reply = coach.answer("out_of_scope", Context(mentioned=tuple(values)))
    assert reply.topic == "out_of_scope" and "prescri" in reply.text.lower()


def test_a_question_about_a_dose_is_declined_with_who_can_advise(coach, knowledge):
    from coach.language import load_pipeline

    doc = load_pipeline()("what dose of naproxen should i take for my ankle")
    values = [ent.ent_id_ for ent in doc.ents]
    assert "prescription" in values
    reply = coach.answer("out_of_scope", Context(mentioned=tuple(values)))
    assert "pharmacist" in reply.text and reply.disclaimer


def test_a_demand_for_a_verdict_is_declined_and_says_who_can_tell(coach, knowledge):
    message = nlu_message("x-ray on monday but just tell me now, is it fractured or not", "condition_info")
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"
    values = [e["value"] for e in message.get(ENTITIES)]
    reply = coach.answer("out_of_scope", Context(mentioned=tuple(values)))
    assert reply.text.startswith(knowledge.messages["off_topic"]["diagnosis_request"].strip()[:40])


def test_a_verdict_demand_the_classifier_already_called_out_of_scope_still_gets_the_refusal(coach, knowledge):
    # Not the general "outside what I cover" menu: the runner is told who can tell them what it is.
    message = nlu_message("don't give me maybes, just tell me exactly what's wrong with my heel", "out_of_scope")
    ScopeGuard().process([message])
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 1.0}
    values = [e["value"] for e in message.get(ENTITIES)]
    reply = coach.answer("out_of_scope", Context(mentioned=tuple(values)))
    assert reply.text.startswith(knowledge.messages["off_topic"]["diagnosis_request"].strip()[:40])


def test_a_red_flag_still_comes_first():
    message = nlu_message("just tell me yes or no, is it broken? it's swollen", "red_flag")
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "red_flag"


def test_a_safety_check_about_the_lower_leg_is_not_asked_about_a_shoulder():
    shoulder = nlu_message(
        "my shoulder aches more with longer swim sets", "safety_check", [("off_topic", "body_upper")]
    )
    ankle = nlu_message(
        "shoulder and ankle both swollen", "safety_check", [("off_topic", "body_upper"), ("body", "lower_limb")]
    )
    verdict = nlu_message("just tell me yes or no, is it broken? it's swollen", "safety_check")
    dog = nlu_message("my dog limps after our runs, what do i do", "safety_check", [("off_topic", "animals")])
    ScopeGuard().process([shoulder, ankle, verdict, dog])
    assert shoulder.get(INTENT)["name"] == dog.get(INTENT)["name"] == "out_of_scope"
    assert ankle.get(INTENT)["name"] == verdict.get(INTENT)["name"] == "safety_check"


def test_a_verdict_demand_that_is_checked_first_is_remembered_as_declined(coach, knowledge):
    # "None of these" then gets the refusal, not an answer about the condition the runner named.
    message = nlu_message(
        "just tell me yes or no, is it broken? it's swollen", "safety_check", triage={"asked": "condition_info"}
    )
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "safety_check"
    assert message.get(TRIAGE)["asked"] == "diagnosis_request"
    outcome = CheckTable(knowledge).decide("injury", CheckAnswer(kind=NONE_OF_THESE))
    reply = coach.check_result("injury", outcome, "diagnosis_request", Context(condition="bone_stress_injury"))
    assert reply.topic == "out_of_scope"
    assert knowledge.messages["off_topic"]["diagnosis_request"].strip()[:40] in reply.text


@pytest.mark.parametrize(
    "text, intent, entities, declined",
    [
        ("is it too hot to run today", "when_to_rest", [("off_topic", "weather")], True),
        (
            "what food helps an ankle heal faster",
            "treatment",
            [("off_topic", "nutrition"), ("body", "lower_limb")],
            True,
        ),
        ("lower back aches after long runs", "why_pain", [("off_topic", "body_back")], True),
        # ours: the lower leg named too, or a technique question using body words, or a form's answer
        (
            "knee past my toes in the calf stretch?",
            "stretching",
            [("off_topic", "body_knee"), ("body", "lower_limb")],
            False,
        ),
        ("how should my arms swing", "technique", [("off_topic", "body_upper")], False),
        (
            "my calves cramp even though I drink loads",
            "why_pain",
            [("off_topic", "nutrition"), ("location", "calf")],
            False,
        ),
        ("7, and my knee is sore too", "inform", [("off_topic", "body_knee")], False),
        # weather words give way to a warm-up, shoe or surface question the classifier is sure of, not to others
        ("warm up in cold weather, anything different?", "warmup", [("off_topic", "weather")], False),
        ("best shoes for rainy weather trail runs", "shoes", [("off_topic", "weather")], False),
        ("will it be too cold for my tempo run tomorrow", "training_load", [("off_topic", "weather")], True),
        # nerves and motivation are for a coach (or a GP), not this bot
        ("so nervous before my first half, how do I calm my nerves?", "warmup", [("off_topic", "mind")], True),
        # kit other than shoes is a running shop's; watch data in a technique question the classifier is sure of is ours
        ("best sports bra for long runs?", "treatment", [("off_topic", "kit")], True),
        ("gps watch says my cadence is 158, push it to 170?", "technique", [("off_topic", "kit")], False),
        # race times are a coach's; mileage towards one is training load, when the classifier is sure
        ("how do I run a sub 20 5k", "training_load", [("off_topic", "performance")], False),
        ("is it safe to run in 35 degree heat?", "return_to_run", [("off_topic", "weather")], True),
    ],
)
def test_what_is_declined_before_any_answer_or_form_starts(text, intent, entities, declined):
    message = nlu_message(text, intent, entities)
    ScopeGuard().process([message])
    assert (message.get(INTENT)["name"] == "out_of_scope") is declined


def test_weather_words_the_classifier_is_unsure_about_are_still_declined():
    message = nlu_message("warm up in cold weather?", "warmup", [("off_topic", "weather")])
    message.set(INTENT, {"name": "warmup", "confidence": 0.6})
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"


def test_a_question_about_the_bot_itself_says_what_it_is_as_an_out_of_scope_answer(coach, knowledge):
    reply, topic = coach.answer_question("bot_challenge", {"text": "are you a real person or AI?"}, Context())
    assert reply.topic == "out_of_scope" and reply.disclaimer and topic is None
    assert "bot" in reply.text and "not a person" in reply.text and knowledge.messages["disclaimer"] in reply.text


def test_asked_where_its_answers_come_from_the_bot_names_the_kinds_of_source(coach):
    reply, _ = coach.answer_question("bot_challenge", {"text": "where do your answers come from?"}, Context())
    assert "NHS" in reply.text and "research" in reply.text and "evidence is weak" in reply.text


def test_every_kind_of_off_topic_question_has_an_answer(coach, knowledge):
    for term in knowledge.vocabulary["off_topic"]:
        reply = coach.answer("why_pain", Context(mentioned=(term["id"],)))
        assert reply.topic == "out_of_scope" and reply.disclaimer, term["id"]


def test_a_race_time_question_the_classifier_is_unsure_of_is_declined():
    message = nlu_message("how to run sub 20 5k", "training_load", [("off_topic", "performance")])
    message.set(INTENT, {"name": "training_load", "confidence": 0.62})
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"


def test_rest_days_answered_as_training_load_also_offer_whether_to_rest(coach):
    parse = classified("how many rest days a week do runners need", "training_load", 0.99, [], subjects=("rest_days",))
    reply, _ = coach.answer_question("training_load", parse, Context(mentioned=("rest_days",)))
    assert reply.topic == "training_load" and reply.data["suggestions"] == ["when_to_rest"]


def test_a_foam_rolling_answer_keeps_stretching_one_tap_away(coach):
    parse = classified("foam roller on calves every day ok?", "treatment", 0.95, [], subjects=("massage_rolling",))
    reply, _ = coach.answer_question("treatment", parse, Context(mentioned=("massage_rolling",)))
    assert reply.topic == "treatment" and "Foam rolling" in reply.text and reply.data["suggestions"] == ["stretching"]


def test_button_payloads_pass_untouched():
    message = nlu_message("/when_to_rest", "when_to_rest", [("off_topic", "prescription")])
    ScopeGuard().process([message])
    assert message.get(INTENT)["name"] == "when_to_rest"


def classified(text, intent, confidence, others, subjects=()):
    """Parse data as the classifier gives it, with the vocabulary subjects the message names."""
    ranking = [(intent, confidence)] + list(others)
    data = parse(text, ranking, [{"entity": "subject", "value": value} for value in subjects])
    data["intent"] = {"name": intent, "confidence": confidence}
    return data


def test_an_answer_the_classifier_was_unsure_of_offers_the_next_likeliest_topics(coach, knowledge):
    data = classified("trail after my sprain, too soon?", "surface", 0.6, [("return_to_run", 0.3), ("shoes", 0.05)])
    reply, topic = coach.answer_question("surface", data, Context(disclaimer_shown=True))
    assert reply.topic == "surface" and topic == "surface"
    assert reply.data["suggestions"] == ["return_to_run", "shoes"]
    assert [b["payload"] for b in reply.buttons][-2:] == ["/return_to_run", "/shoes"]
    assert knowledge.messages["also_asked"] in reply.text


def test_an_unsure_out_of_scope_answer_offers_the_running_topics_it_might_have_been(coach):
    data = classified(
        "my son's shins hurt after cross country, should he keep going",
        "out_of_scope",
        0.55,
        [("when_to_rest", 0.3), ("why_pain", 0.1)],
    )
    reply, topic = coach.answer_question("out_of_scope", data, Context(disclaimer_shown=True))
    assert reply.topic == "out_of_scope" and topic is None
    assert reply.data["suggestions"] == ["when_to_rest", "why_pain"]


def test_a_declined_request_offers_no_topics(coach):
    # what the scope guard declines (a prescription, a verdict) it is sure of: confidence 1.0
    data = classified("prescribe me something stronger than ibuprofen", "out_of_scope", 1.0, [("treatment", 0.6)])
    reply, _ = coach.answer_question("out_of_scope", data, Context(disclaimer_shown=True))
    assert "suggestions" not in reply.data


def test_a_confident_answer_stays_uncluttered(coach):
    data = classified("which trail shoes", "shoes", 0.97, [("surface", 0.02)])
    reply, _ = coach.answer_question("shoes", data, Context(disclaimer_shown=True))
    assert "suggestions" not in reply.data


def test_a_bare_clarifying_question_is_not_given_alternatives(coach):
    data = classified("how do i do that exercise", "exercise_howto", 0.6, [("exercises", 0.3)])
    reply, _ = coach.answer_question("exercise_howto", data, Context(disclaimer_shown=True))
    assert reply.clarify and not reply.sources and "suggestions" not in reply.data


def test_an_answer_that_also_asks_where_offers_the_next_likeliest_topics(coach):
    # the general why-it-hurts answer asks where it hurts; a runner who meant shoes still sees shoes
    data = classified("what is heel drop and why does it matter", "why_pain", 0.6, [("shoes", 0.3)])
    reply, _ = coach.answer_question("why_pain", data, Context(disclaimer_shown=True))
    assert reply.clarify and reply.sources and reply.data["suggestions"] == ["shoes"]
    assert reply.buttons[-1]["payload"] == "/shoes"


def test_an_unsure_message_most_likely_out_of_scope_still_offers_our_topics(coach):
    data = parse(
        "my city only has concrete sidewalks, will it hurt my legs",
        [("nlu_fallback", 0.35), ("out_of_scope", 0.34), ("surface", 0.28)],
        [{"entity": "subject", "value": "running_surfaces"}],
    )
    reply, topic = coach.answer_unsure(data, Context())
    assert reply.topic == "out_of_scope" and reply.disclaimer and topic is None
    assert reply.data["suggestions"] == ["surface"]


def test_an_unsure_question_naming_a_subject_answers_its_topic_and_offers_the_others(coach):
    data = parse(
        "is 160 spm too low", [("training_load", 0.4), ("technique", 0.3)], [{"entity": "subject", "value": "cadence"}]
    )
    reply, topic = coach.answer_unsure(data, Context(disclaimer_shown=True))
    assert reply.topic == topic == "technique"
    assert reply.data["suggestions"] == ["training_load"]


def test_flexibility_named_settles_a_stretching_question_the_classifier_could_not_place(coach):
    # stretching is not even among the likeliest topics: naming flexibility settles it, the others stay offered
    data = parse(
        "my ankles barely bend, how do I get more range of motion",
        [("self_test", 0.3), ("exercise_howto", 0.2)],
        [{"entity": "subject", "value": "mobility"}],
    )
    reply, topic = coach.answer_unsure(data, Context(disclaimer_shown=True))
    assert reply.topic == topic == "stretching"
    assert reply.data["suggestions"] == ["self_test", "exercise_howto"]


def test_flexibility_named_turns_an_unsure_out_of_scope_answer_into_stretching(coach):
    data = classified(
        "never been flexible, does a runner need to be?",
        "out_of_scope",
        0.6,
        [("technique", 0.2)],
        subjects=("mobility",),
    )
    reply, topic = coach.answer_question("out_of_scope", data, Context(disclaimer_shown=True))
    assert reply.topic == topic == "stretching"


def test_flexibility_of_another_body_part_is_still_declined(coach):
    data = parse("hip mobility routine?", [("stretching", 0.3)], [{"entity": "subject", "value": "mobility"}])
    reply, _ = coach.answer_unsure(data, Context(mentioned=("mobility", "body_hip")))
    assert reply.topic == "out_of_scope"


def test_a_request_for_a_weekly_plan_gets_the_plan_when_the_classifier_half_agrees(coach):
    # "Mon-Sun plan to keep fit while my sprain heals" reads a lot like "should I rest?"
    data = classified(
        "can you give me a mon-sun plan to keep fit while my sprain heals",
        "when_to_rest",
        0.5,
        [("plan", 0.3)],
        subjects=("plan_request",),
    )
    reply, topic = coach.answer_question("when_to_rest", data, Context(disclaimer_shown=True))
    assert reply.topic == topic == "plan"


def test_a_confident_classifier_is_not_overruled_by_a_subject(coach):
    data = classified(
        "which exercises stop my ankle rolling on trails", "exercises", 0.93, [("surface", 0.05)], subjects=("trail",)
    )
    reply, topic = coach.answer_question("exercises", data, Context(disclaimer_shown=True))
    assert reply.topic == topic == "exercises"


def test_coming_back_after_a_break_that_was_no_injury_is_training_load(coach):
    # The classifier reads "how do I start back?" as return to running; the plan is an injury's.
    data = classified(
        "had covid, no running for 3 weeks, how do I restart?",
        "return_to_run",
        0.97,
        [],
        subjects=("break_without_injury",),
    )
    reply, topic = coach.answer_question("return_to_run", data, Context(disclaimer_shown=True))
    assert reply.topic == topic == "training_load"
    assert reply.data["suggestions"] == ["return_to_run"], "the injury plan stays one tap away"


@pytest.mark.parametrize(
    "entities, context",
    [
        ([{"entity": "condition", "value": "lateral_ankle_sprain"}], Context()),  # "sprained it on holiday"
        ([{"entity": "onset", "value": "injury"}], Context()),
        ([{"entity": "location", "value": "shin"}], Context()),  # "took the winter off because of my shins"
        ([], Context(condition="achilles_tendinopathy_midportion")),  # an injury told earlier in the chat
    ],
)
def test_a_break_with_an_injury_named_keeps_the_return_to_running_plan(coach, entities, context):
    data = classified("back from holiday, when can I run on my ankle again?", "return_to_run", 0.97, [])
    data["entities"] = [{"entity": "subject", "value": "break_without_injury"}, *entities]
    reply, topic = coach.answer_question("return_to_run", data, replace(context, disclaimer_shown=True))
    assert topic == "return_to_run" and reply.topic in ("plan", "return_to_run")


def test_a_bare_no_when_nothing_was_asked_is_just_acknowledged(coach):
    assert coach.answer_acknowledgement(parse("no thanks", [("deny", 0.9), ("goodbye", 0.05)]), Context()) is None


def test_a_story_that_only_sounds_like_a_no_is_answered_as_a_question(coach):
    text = "sore after running but no swelling, no numbness and I can walk fine"
    data = parse(
        text, [("deny", 0.55), ("why_pain", 0.2), ("when_to_rest", 0.1)], [{"entity": "body", "value": "lower_limb"}]
    )
    reply, topic = coach.answer_acknowledgement(data, Context())
    assert reply.data["suggestions"] == ["why_pain", "when_to_rest"] and topic is None


def test_an_animal_is_for_a_vet_unless_the_runners_own_lower_leg_is_named(coach, knowledge):
    reply = coach.off_topic.reply("treatment", Context(mentioned=["animals"]))
    assert reply.topic == "out_of_scope" and "vet" in reply.text
    assert coach.off_topic.reply("return_to_run", Context(mentioned=["animals", "lower_limb"])) is None


@pytest.mark.parametrize(
    "text, other_script",
    [
        ("越野跑的时候脚踝被蜜蜂蛰了，喉咙发紧，怎么办？", True),
        ("跑步后脚后跟疼 heel", True),
        ("my ankle hurts after 10k 😩", False),
        ("Achillessehne schmerzt nach dem Laufen, café au lait", False),  # Latin script: the model tries
        ("!!! 123 ???", False),
    ],
)
def test_a_message_mostly_in_another_script_is_one_the_model_cannot_read(text, other_script):
    assert mostly_another_script(text) is other_script


def test_a_message_the_bot_cannot_read_says_so_in_both_languages_with_the_signs_that_cannot_wait(coach, knowledge):
    reply, topic = coach.answer_unsure(parse("今天跑间歇的时候听到脚后跟后面啪的一声", [("why_pain", 0.2)]), Context())
    assert reply.topic == "fallback" and reply.disclaimer and topic is None
    assert "only read English" in reply.text and "急救" in reply.text and "emergency services" in reply.text


def test_a_first_message_that_names_a_move_and_asks_about_it_offers_topics_not_a_blank_menu(coach):
    """'rolling foot on a tennis ball help?' reads as telling us about kit (inform); it asks, so the
    runner gets the likeliest topics to tap rather than "what would you like to know?"."""
    data = parse(
        "rolling foot on a tennis ball help?",
        [("inform", 0.38), ("stretching", 0.32), ("treatment", 0.08)],
        [{"entity": "exercise", "value": "plantar_fascia_ball_roll"}, {"entity": "equipment", "value": "ball"}],
    )
    reply, _ = coach.answer_context_update(None, data, Context(disclaimer_shown=True))
    assert "stretching" in (reply.data.get("suggestions") or [reply.topic])
    told = parse("i've got a foam roller", [("inform", 0.9)], [{"entity": "equipment", "value": "foam_roller"}])
    reply, topic = coach.answer_context_update(None, told, Context(disclaimer_shown=True))
    assert reply.text.endswith("What would you like to know?") and topic is None
