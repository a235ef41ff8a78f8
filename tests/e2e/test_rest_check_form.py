"""End to end: the 'should I rest?' questions as a runner meets them over REST."""

import uuid


def new_sender(prefix):
    """A fresh conversation: the tracker store keeps conversations between runs."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def custom(messages):
    return [m["custom"] for m in messages if "custom" in m]


def text(messages):
    return "\n".join(m.get("text", "") for m in messages)


def answer_the_bone_screen(servers, sender):
    """The first three questions screen for a bone stress injury; "no" to each leads to the pain rule."""
    servers.say(sender, "no")  # one spot of a bone
    servers.say(sender, "no")  # worse the longer you run
    return servers.say(sender, "no")  # hopping


def test_happy_path_decides_by_pain_monitoring(servers):
    sender = new_sender("form-happy")
    assert "one spot of a bone" in text(servers.say(sender, "should I rest or keep running?"))
    assert "0 (none) to 10" in text(answer_the_bone_screen(servers, sender))
    assert "settled by the next morning" in text(servers.say(sender, "about a 4"))
    servers.say(sender, "no")  # not settled by next morning
    servers.say(sender, "no")  # limping
    servers.say(sender, "no")  # swelling
    assert "How long" in text(servers.say(sender, "no"))  # rest or night pain
    reply = servers.say(sender, "2 weeks")
    payload = custom(reply)[0]
    assert payload["topic"] == "when_to_rest" and payload["decision"] == "reduce_load"
    assert "Reduce your running load." in text(reply) and "4/10" in text(reply)
    assert "Silbernagel et al. 2007" in payload["sources"]


def test_bone_screen_yes_sends_to_a_clinician_without_the_pain_rule(servers):
    sender = new_sender("form-bone")
    servers.say(sender, "should I rest or keep running?")
    reply = servers.say(sender, "yes")  # one spot of a bone hurts
    payload = custom(reply)[0]
    assert payload["decision"] == "see_clinician" and payload["urgency"] == "soon"
    assert "bone stress" in text(reply) and "0 (none) to 10" not in text(reply)


def test_nonsense_answers_are_re_asked_with_a_hint(servers):
    sender = new_sender("form-nonsense")
    servers.say(sender, "do I need to stop running?")
    assert "yes or no" in text(servers.say(sender, "purple"))
    answer_the_bone_screen(servers, sender)
    for nonsense in ("15", "banana"):
        reply = text(servers.say(sender, nonsense))
        assert "number from 0 to 10" in reply
    assert "settled by the next morning" in text(servers.say(sender, "3"))
    assert "yes or no" in text(servers.say(sender, "purple"))


def test_skip_gives_the_general_answer(servers):
    sender = new_sender("form-skip")
    servers.say(sender, "can I run with a sore ankle?")
    reply = servers.say(sender, "just tell me")
    payload = custom(reply)[0]
    assert payload["topic"] == "when_to_rest" and "decision" not in payload and payload["sources"]


def test_red_flag_mid_form_escalates_and_stops_questions(servers):
    sender = new_sender("form-flag")
    servers.say(sender, "should I take a break from running")
    reply = servers.say(sender, "about 6 but now my foot has gone numb and cold")
    assert custom(reply)[0]["urgency"] == "emergency"
    after = servers.say(sender, "what shoes are good?")
    assert custom(after)[0]["topic"] == "shoes"  # the questions did not resume
    again = servers.say(sender, "so should I keep running?")
    assert custom(again)[0]["urgency"] == "emergency" and "before you run" in text(again)


def button(reply, title):
    for message in reply:
        for choice in message.get("buttons", []):
            if choice["title"] == title:
                return choice["payload"]
    raise AssertionError(f"no button {title!r} in {reply}")


def test_just_tell_me_is_a_button_on_the_first_question(servers):
    sender = new_sender("form-skip-button")
    first = servers.say(sender, "should I rest or keep running?")
    reply = servers.say(sender, button(first, "Just tell me"))
    payload = custom(reply)[0]
    assert payload["topic"] == "when_to_rest" and "decision" not in payload and payload["sources"]


def test_a_topic_button_pressed_mid_check_ends_the_questions_and_answers_it(servers):
    # The runner scrolls back to the greeting's "Shoes" instead of answering: the check gives way.
    sender = new_sender("form-topic-button")
    greeting = servers.say(sender, "hi")
    assert "one spot of a bone" in text(servers.say(sender, "should I rest or keep running?"))
    reply = servers.say(sender, button(greeting, "Shoes"))
    assert custom(reply)[0]["topic"] == "shoes" and "yes or no" not in text(reply)
    after = servers.say(sender, "how often should I replace them?")
    assert custom(after)[0]["topic"] == "shoes", "the questions did not resume"
