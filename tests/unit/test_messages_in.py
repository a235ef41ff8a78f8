"""Input checks before the model: clear 400s, and over-long messages answered without NLU."""
import json

import pytest

from coach.messages_in import MAX_MESSAGE_CHARS, BadRequest, oversized_reply, parse_rest_body


@pytest.mark.parametrize("body", [b"", b"   ", b"not json", b"[1,2]", b'"hi"', b'{"sender": "a"}',
                                  b'{"sender": "a", "message": ""}', b'{"sender": "a", "message": 5}',
                                  b'{"sender": true, "message": "hi"}', b'{"message": "hi", "metadata": "x"}',
                                  b"\xff\xfe"])
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
