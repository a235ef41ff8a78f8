"""Generated plans: readable text plus a structured payload, personalised to the runner."""

from coach.answers import Context


def plan_of(reply):
    return reply.payload()["plan"]


def test_weekly_programme_has_seven_days_with_doses(coach):
    reply = coach.answer("plan", Context(disclaimer_shown=True))
    plan = plan_of(reply)
    assert reply.topic == "plan" and plan["kind"] == "weekly"
    assert [day["day"] for day in plan["days"]] == list(range(1, 8))
    for day in plan["days"]:
        for slot in day["exercises"]:
            assert slot["name"] and slot["dose"]
    assert "Day 7" in reply.text and reply.sources


def test_run_days_follow_runs_per_week(coach):
    for runs in (1, 3, 5):
        plan = plan_of(coach.answer("plan", Context(runs_per_week=runs, disclaimer_shown=True)))
        assert sum(day["run"] for day in plan["days"]) == runs
        assert plan["personalised_for"]["runs_per_week"] == runs


def test_no_moves_needing_kit_the_runner_lacks(coach, knowledge):
    plan = plan_of(coach.answer("plan", Context(equipment=("towel",), disclaimer_shown=True)))
    for day in plan["days"]:
        for slot in day["exercises"]:
            assert set(knowledge.exercises[slot["id"]]["equipment"]) <= {"towel"}, slot


def test_sore_now_means_gentle_moves_and_no_running(coach, knowledge):
    reply = coach.answer("plan", Context(painful_now=True, disclaimer_shown=True))
    plan = plan_of(reply)
    assert not any(day["run"] for day in plan["days"])
    assert all(knowledge.exercises[s["id"]]["ok_when_sore"] for day in plan["days"] for s in day["exercises"])
    assert "While it's sore" in reply.text


def test_where_it_hurts_adds_targeted_moves(coach):
    general = plan_of(coach.answer("plan", Context(disclaimer_shown=True)))
    achilles = plan_of(
        coach.answer("plan", Context(condition="achilles_tendinopathy_midportion", disclaimer_shown=True))
    )
    day1 = lambda plan: [slot["id"] for slot in plan["days"][0]["exercises"]]  # noqa: E731
    assert day1(general) != day1(achilles)


def test_return_to_run_advances_on_criteria(coach):
    reply = coach.answer("return_to_run", Context(disclaimer_shown=True))
    plan = plan_of(reply)
    assert reply.topic == "plan" and plan["kind"] == "return_to_run"
    assert len(plan["stages"]) >= 4
    for stage in plan["stages"]:
        assert stage["advance_when"]
    criteria = " ".join(c for stage in plan["stages"] for c in stage["advance_when"]).lower()
    assert "limp" in criteria and "balance" in criteria and "hop" in criteria
    assert "Move on when" in reply.text and "not after a set number of days" in reply.text


def test_return_to_run_start_stage_follows_soreness(coach):
    sore = plan_of(coach.answer("return_to_run", Context(painful_now=True, disclaimer_shown=True)))
    settled = plan_of(coach.answer("return_to_run", Context(painful_now=False, disclaimer_shown=True)))
    assert sore["start_stage"] == sore["stages"][0]["id"]
    assert settled["start_stage"] == settled["stages"][1]["id"]


def test_no_plan_after_a_red_flag(coach):
    reply = coach.answer("return_to_run", Context(red_flags=("achilles_rupture",), disclaimer_shown=True))
    assert reply.urgency == "emergency" and "plan" not in reply.payload()
