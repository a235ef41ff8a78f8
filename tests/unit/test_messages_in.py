"""Input checks before the model: clear 400s, and over-long messages answered without NLU."""

import json

import pytest

from channels.rest_request import BadRequest, parse_rest_body
from coach.messages_in import MAX_MESSAGE_CHARS, oversized_reply, unanswered_reply


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"not json",
        b"[1,2]",
        b'"hi"',
        b'{"sender": "a"}',
        b'{"sender": "a", "message": ""}',
        b'{"sender": "a", "message": 5}',
        b'{"sender": true, "message": "hi"}',
        b'{"message": "hi", "metadata": "x"}',
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"message": ' + b"[" * 40 + b"]" * 40 + b"}",
    ],
)
def test_malformed_bodies_are_bad_requests(body):
    with pytest.raises(BadRequest):
        parse_rest_body(body)


def test_valid_body():
    incoming = parse_rest_body(json.dumps({"sender": "r1", "message": "hi", "metadata": {"a": 1}}).encode())
    assert (incoming.sender, incoming.text, incoming.metadata, incoming.too_long) == ("r1", "hi", {"a": 1}, False)


def test_over_long_message_gets_polite_reply(coach, detector, knowledge):
    text = "my ankle is a bit sore. " * 5000
    assert len(text) > MAX_MESSAGE_CHARS
    replies = oversized_reply(text, coach, detector)
    assert replies == [{"text": knowledge.messages["too_long"]}]


def test_over_long_message_with_red_flag_still_escalates(coach, detector):
    text = "long story. " * 300 + "I heard a pop and now I can't stand on tiptoe. " + "more. " * 300
    replies = oversized_reply(text, coach, detector)
    assert replies[1]["custom"]["urgency"] == "emergency"


def test_unanswered_message_still_warns_of_a_red_flag(coach, detector, knowledge):
    warned = unanswered_reply("I heard a crack and my ankle is bent sideways", coach, detector)
    assert warned[1]["custom"]["topic"] == "red_flag" and warned[1]["custom"]["urgency"] == "emergency"
    plain = unanswered_reply("which shoes for a marathon?", coach, detector)
    assert plain[0]["text"].startswith(knowledge.messages["unavailable"].strip())
    assert plain[1]["custom"]["disclaimer"] is True and knowledge.messages["disclaimer"] in plain[0]["text"]
