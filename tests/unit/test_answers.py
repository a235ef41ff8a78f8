"""Retrieval and composition: the answer fits what the runner told us, is sourced and safe."""

from coach.answers import Context


def payload(reply):
    return reply.messages()[-1]["custom"]


def test_why_pain_without_location_asks_where(coach):
    reply = coach.answer("why_pain", Context())
    assert reply.clarify and payload(reply)["clarify"] is True
    assert any("inform" in b["payload"] and "outer_ankle" in b["payload"] for b in reply.buttons)
    assert payload(reply)["topic"] == "why_pain" and payload(reply)["sources"]


def test_why_pain_depends_on_where_and_how(coach):
    sprain = coach.answer("why_pain", Context(location="outer_ankle", onset="injury"))
    gradual = coach.answer("why_pain", Context(location="outer_ankle", onset="gradual"))
    inner = coach.answer("why_pain", Context(location="inner_ankle"))
    assert len({sprain.data["entry"], gradual.data["entry"], inner.data["entry"]}) == 3
    assert not sprain.clarify


def test_mentions_pick_the_specific_entry(coach):
    ice = coach.answer("treatment", Context(mentioned=("ice",)))
    brace = coach.answer("treatment", Context(mentioned=("brace_tape",)))
    general = coach.answer("treatment", Context())
    assert ice.data["entry"] == "treatment_ice"
    assert brace.data["entry"] == "treatment_brace_tape"
    assert "PEACE" in general.text


def test_heel_pain_and_insoles_get_their_own_treatment_not_sprain_first_care(coach):
    heel = coach.answer("treatment", Context(condition="plantar_heel_pain"))
    insoles = coach.answer("treatment", Context(mentioned=("insoles",), condition="medial_tibial_stress_syndrome"))
    assert heel.data["entry"] == "treatment_heel_pain" and "Koc" in heel.text and "PEACE" not in heel.text
    assert insoles.data["entry"] == "treatment_insoles" and "orthoses" in insoles.text


def test_insoles_for_a_named_pain_are_a_treatment_question_and_in_general_a_shoes_one(coach):
    for_pf = [{"entity": "shoe_term", "value": "insoles"}, {"entity": "condition", "value": "plantar_heel_pain"}]
    general = [{"entity": "shoe_term", "value": "insoles"}]
    assert coach.fallbacks.topic_named_by(for_pf, ["shoes", "treatment"]) == "treatment"
    assert coach.fallbacks.topic_named_by(general, ["shoes", "treatment"]) == "shoes"


def test_every_medical_answer_names_its_source(coach, knowledge):
    for topic in (
        "why_pain",
        "shoes",
        "warmup",
        "when_to_rest",
        "treatment",
        "stretching",
        "training_load",
        "technique",
        "surface",
        "self_test",
        "exercises",
    ):
        reply = coach.answer(topic, Context(location="back_ankle", disclaimer_shown=True))
        assert reply.sources, topic
        assert "Source: " in reply.text, topic
        assert set(reply.sources) <= {s["citation"] for s in knowledge.sources.values()}


def test_every_entry_answer_grades_its_evidence(coach, knowledge):
    for entry in knowledge.topics:
        reply = coach.entries.reply(entry)
        assert "Evidence: " in reply.text, entry["id"]
        if entry["evidence"] == "weak":
            assert "Evidence: weak" in reply.text


def test_weak_evidence_is_said_where_the_issue_names_it(coach):
    """The 10% rule, shoe replacement mileage and static stretching must not sound settled."""
    mileage = coach.answer("shoes", Context(mentioned=("shoe_replacement",), disclaimer_shown=True))
    assert "Evidence: weak" in mileage.text
    stretching = coach.answer("stretching", Context(disclaimer_shown=True))
    assert (
        any("Pereles et al. 2011 (USATF stretching trial" in s for s in stretching.sources)
        and "doesn't appear to prevent" in stretching.text
    )
    ten_percent = coach.answer("training_load", Context(disclaimer_shown=True))
    assert "10%" in ten_percent.text and "not supported" in ten_percent.text


def test_disclaimer_once_per_conversation(coach, knowledge):
    first = coach.answer("shoes", Context())
    later = coach.answer("shoes", Context(disclaimer_shown=True))
    assert first.disclaimer and knowledge.messages["disclaimer"] in first.text
    assert not later.disclaimer and knowledge.messages["disclaimer"] not in later.text


def test_fallback_and_out_of_scope_always_carry_disclaimer(coach, knowledge):
    for kind, topic in (("fallback", "fallback"), ("out_of_scope", "out_of_scope")):
        reply = coach.fallback(kind)
        assert payload(reply) == {"topic": topic, "urgency": "self_care", "sources": [], "disclaimer": True}
        assert knowledge.messages["disclaimer"] in reply.text


def test_condition_info_by_condition(coach):
    reply = coach.answer("condition_info", Context(condition="achilles_rupture", disclaimer_shown=True))
    assert reply.urgency == "emergency"
    assert "Achilles" in reply.text


def test_exercise_howto_by_alias_id(coach):
    reply = coach.answer("exercise_howto", Context(exercise="eccentric_heel_drop", disclaimer_shown=True))
    assert "12 weeks" in reply.text and reply.data["exercises"][0]["id"] == "eccentric_heel_drop"


def test_exercises_respect_equipment_and_soreness(coach, knowledge):
    chosen = coach.exercise_library.choose(
        Context(location="outer_ankle", equipment=("resistance_band",), painful_now=True), limit=10
    )
    assert chosen
    for exercise, why in chosen:
        assert set(exercise["equipment"]) <= {"resistance_band"}
        assert exercise["ok_when_sore"]
        assert why


def test_exercises_follow_location(coach):
    achilles = [ex["id"] for ex, _ in coach.exercise_library.choose(Context(location="back_ankle"))]
    shin = [ex["id"] for ex, _ in coach.exercise_library.choose(Context(location="shin"))]
    assert achilles != shin


def test_red_flag_reply_tells_what_to_do_first(coach):
    reply = coach.safety.red_flag_reply(["achilles_rupture"])
    assert reply.urgency == "emergency" and reply.topic == "red_flag"
    assert reply.text.startswith("This needs emergency care now.")
    assert "Maffulli 1998" in reply.sources


def test_after_a_red_flag_no_advice_to_keep_running(coach):
    for topic in ("when_to_rest", "plan", "exercises", "training_load"):
        reply = coach.answer(topic, Context(red_flags=("cannot_bear_weight",), disclaimer_shown=True))
        assert reply.urgency == "urgent", topic
        assert "before you run" in reply.text, topic
        assert "keep running" not in reply.text.lower(), topic


def test_bare_clarifying_question_does_not_use_up_the_disclaimer(coach):
    question = coach.answer("exercise_howto", Context())
    assert question.clarify and not question.disclaimer


def test_after_a_red_flag_only_safe_topics_get_full_answers(coach):
    for topic in ("treatment", "stretching", "why_pain", "warmup", "technique", "surface", "self_test"):
        reply = coach.answer(topic, Context(red_flags=("deformity",), disclaimer_shown=True))
        assert reply.urgency == "emergency" and "entry" not in reply.data, topic
    shoes = coach.answer("shoes", Context(red_flags=("deformity",), disclaimer_shown=True))
    assert shoes.data["entry"] == "shoes_general" and shoes.urgency == "emergency"


def test_a_plan_left_to_a_clinician_still_says_which_plan_was_asked(coach):
    """'Cast came off after a broken fibula, when can I jog?' gets 'follow your clinician's plan', and its
    payload says it answers a return-to-running question, with no plan of ours for a widget to draw."""
    after_fracture = payload(coach.answer("return_to_run", Context(diagnosis="a broken fibula")))
    assert after_fracture["topic"] == "plan" and after_fracture["plan_kind"] == "return_to_run"
    assert "plan" not in after_fracture
    after_red_flag = payload(coach.answer("plan", Context(red_flags=("cannot_bear_weight",))))
    assert after_red_flag["plan_kind"] == "weekly" and "plan" not in after_red_flag
    assert "plan_kind" not in payload(coach.answer("training_load", Context(diagnosis="a broken fibula")))


def test_time_off_without_an_injury_gets_its_own_build_up_answer(coach):
    # "6 months postpartum, where do I start?" is no injury: no protect-and-move stage, no hop tests
    back = coach.answer("training_load", Context(mentioned=("break_without_injury",), disclaimer_shown=True))
    injured = coach.answer("training_load", Context(onset="injury", disclaimer_shown=True))
    assert back.data["entry"] == "training_load_after_time_off" != injured.data["entry"]
    assert "Frandsen et al., BJSM 2025" in back.sources and "Source: " in back.text
    assert "pelvic-health check" in back.text
