"""End to end over REST: the safety check that asks, what its answers decide, and the messages quoted
in the triage issue (each as a runner would type it, on the real servers)."""

import pytest
from test_rest_channel import custom, new_sender, text

SPRAIN = "I rolled my ankle yesterday but I can walk on it ok, just a bit swollen"


def button(reply, title_start):
    for message in reply:
        for choice in message.get("buttons", []):
            if choice["title"].startswith(title_start):
                return choice["payload"]
    raise AssertionError(f"no button starting {title_start!r} in {reply}")


def test_sprain_story_is_checked_then_none_of_these_gives_first_care(servers):
    runner = new_sender("check-none")
    check = servers.say(runner, SPRAIN)
    payload = custom(check)
    assert payload["topic"] == "red_flag" and payload["clarify"] is True
    assert payload["urgency"] == "pending" and payload["check"] == "injury"
    assert "four steps" in text(check) and "press on the bone" in text(check)
    titles = [b["title"] for m in check for b in m.get("buttons", [])]
    assert titles[-2:] == ["None of these", "Not sure"] and 4 <= len(titles) <= 6

    answer = servers.say(runner, button(check, "None of these"))
    payload = custom(answer)
    assert payload["topic"] == "treatment" and payload["urgency"] == "self_care"
    assert text(answer).startswith("Good - none of the warning signs.")
    assert "PEACE & LOVE" in text(answer)
    assert any("Stiell" in source for source in payload["sources"])


def test_a_demand_for_a_verdict_is_checked_first_then_kindly_declined(servers):
    # The swelling may be a warning sign, so the check comes first; with none of the signs, the
    # runner still gets no yes-or-no verdict on what it is, only who can tell them.
    runner = new_sender("check-verdict")
    check = servers.say(
        runner, "I rolled my ankle yesterday, it's a bit swollen. just tell me yes or no, is it broken?"
    )
    assert custom(check)["urgency"] == "pending"
    answer = servers.say(runner, button(check, "None of these"))
    payload = custom(answer)
    assert payload["topic"] == "out_of_scope"
    assert text(answer).startswith("Good - none of the warning signs.")
    assert "I can't diagnose" in text(answer) and "physio or GP" in text(answer)


def test_check_answered_cant_take_four_steps_is_urgent_with_x_ray_wording(servers):
    runner = new_sender("check-steps")
    check = servers.say(runner, SPRAIN)
    answer = servers.say(runner, button(check, "Can't take 4 steps"))
    payload = custom(answer)
    assert payload["topic"] == "red_flag" and payload["urgency"] == "urgent"
    assert text(answer).startswith("Please get this checked by a clinician today.")
    assert "X-ray" in text(answer)


def test_check_answered_in_the_runners_words(servers):
    runner = new_sender("check-typed")
    servers.say(runner, "twisted my ankle on a tree root this morning, it's puffy")
    answer = servers.say(runner, "it hurts when I press on the bone on the outside")
    assert custom(answer)["urgency"] == "urgent" and "X-ray" in text(answer)

    other = new_sender("check-typed-no")
    servers.say(other, "twisted my ankle on a tree root this morning, it's puffy")
    payload = custom(servers.say(other, "no, none of those"))
    assert payload["topic"] == "treatment" and payload["urgency"] == "self_care"


def test_unclear_answer_gets_one_hint_then_the_cautious_advice(servers):
    runner = new_sender("check-unclear")
    servers.say(runner, SPRAIN)
    hint = servers.say(runner, "bananas and custard")
    assert custom(hint)["urgency"] == "pending" and "couldn't tell" in text(hint)
    payload = custom(servers.say(runner, "bananas"))
    assert payload["topic"] == "red_flag" and payload["urgency"] == "urgent"


def test_red_flag_after_a_check_still_warns_at_once(servers):
    runner = new_sender("check-then-flag")
    check = servers.say(runner, SPRAIN)
    servers.say(runner, button(check, "None of these"))
    warning = servers.say(runner, "now the whole foot has gone white and cold")
    assert custom(warning)["topic"] == "red_flag" and custom(warning)["urgency"] == "emergency"


def test_one_check_per_conversation(servers):
    runner = new_sender("check-once")
    check = servers.say(runner, SPRAIN)
    servers.say(runner, button(check, "None of these"))
    again = servers.say(runner, "it's a bit more swollen now after I rolled it again on the stairs")
    payload = custom(again)
    assert payload["urgency"] != "pending" and not payload.get("check")
    assert "safety questions earlier" in text(again)


def test_check_in_the_middle_of_the_rest_form_resumes_it(servers):
    runner = new_sender("check-rest")
    first = servers.say(runner, "should I rest or keep running?")
    assert custom(first)["topic"] == "when_to_rest" and custom(first)["clarify"] is True
    check = servers.say(runner, "actually I twisted it again on a kerb this morning")
    assert custom(check)["urgency"] == "pending" and custom(check)["check"] == "injury"
    resumed = servers.say(runner, button(check, "None of these"))
    payloads = [m["custom"] for m in resumed if "custom" in m]
    assert payloads[-1]["topic"] == "when_to_rest" and payloads[-1]["clarify"] is True
    assert "one spot of a bone" in text(resumed)  # the rest check's first question again


def test_numbness_check_answered_none_advises_a_visit_within_days(servers):
    runner = new_sender("check-nerve")
    check = servers.say(runner, "my toes have been feeling numb")
    assert custom(check)["check"] == "nerve"
    payload = custom(servers.say(runner, button(check, "None of these")))
    assert payload["topic"] == "red_flag" and payload["urgency"] == "soon"


def test_plain_red_flag_gets_the_warning_with_no_quiz(servers):
    payload = custom(servers.say(new_sender("plain-flag"), "my ankle looks completely deformed after the fall"))
    assert payload["topic"] == "red_flag" and payload["urgency"] == "emergency" and not payload.get("check")


@pytest.mark.parametrize(
    "message, urgency",
    [
        ("my ankle bone look very strange shape, not in normal position", "emergency"),
        ("his shin is bent in the middle and he's screaming", "emergency"),
        (
            "rolled my ankle yesterday, can only hobble like 2 steps and there's a bony bit on the outside that really "
            "hurts when I press it",
            "urgent",
        ),
        ("red streak going up my leg, shivering, temp 39", "emergency"),
    ],
)
def test_quoted_red_flags_get_the_right_level(servers, message, urgency):
    payload = custom(servers.say(new_sender("quoted"), message))
    assert payload["topic"] == "red_flag" and payload["urgency"] == urgency


@pytest.mark.parametrize(
    "message, topic",
    [
        ("how do I warm up my ankles on a cold morning", "warmup"),
        ("knee to wall test - how do I do it", "self_test"),
        ("toes tingle when my laces are tight and it goes when I loosen them", None),
        ("can you build me a return to run plan", "plan"),
    ],
)
def test_quoted_harmless_messages_raise_no_alarm(servers, message, topic):
    payload = custom(servers.say(new_sender("harmless"), message))
    assert payload["topic"] != "red_flag"
    if topic:
        assert payload["topic"] == topic
