"""A message delivered twice is one turn; a chat-app update is acknowledged once it is done; an action
that can't reach the action server still ends the turn with a recorded safe reply."""

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from channels.rest_request import BadRequest, parse_rest_body
from serving.action_failure import answered_this_turn
from serving.deliveries import DONE, NEW, WORKING, WORKING_SECONDS, MemoryDeliveries
from serving.idempotent_turns import is_delivery_id, recorded_replies


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_delivery_is_claimed_once_then_done_then_a_duplicate():
    deliveries = MemoryDeliveries(clock=Clock())
    assert deliveries.claim("update:1") == NEW
    assert deliveries.claim("update:1") == WORKING  # a redelivery while the first is being worked on
    deliveries.done("update:1")
    assert deliveries.claim("update:1") == DONE
    assert deliveries.claim("update:2") == NEW


def test_a_failed_delivery_can_be_tried_again_and_a_dead_workers_claim_expires():
    clock = Clock()
    deliveries = MemoryDeliveries(clock=clock)
    deliveries.claim("update:1")
    deliveries.release("update:1")  # the work failed: Telegram's redelivery is worked on again
    assert deliveries.claim("update:1") == NEW
    clock.now += WORKING_SECONDS + 1  # the worker died without settling its claim
    assert deliveries.claim("update:1") == NEW


def test_memory_is_bounded():
    deliveries = MemoryDeliveries(capacity=3, clock=Clock())
    for n in range(5):
        deliveries.claim(f"k{n}")
        deliveries.done(f"k{n}")
    assert deliveries.claim("k0") == NEW and deliveries.claim("k4") == DONE


def test_recorded_replies_are_those_of_the_message_with_that_id():
    events = [
        UserUttered("hi", message_id="rest-a"),
        ActionExecuted("utter_greet"),
        BotUttered("Hello!", {"buttons": [{"title": "Shoes", "payload": "/shoes"}]}),
        ActionExecuted("action_listen"),
        UserUttered("what shoes?", message_id="rest-b"),
        BotUttered("No single best shoe.", {"custom": {"topic": "shoes"}}),
        BotUttered("Anything else?"),
        UserUttered("thanks", message_id="rest-c"),
    ]
    assert recorded_replies(events, "rest-b") == [
        {"text": "No single best shoe.", "custom": {"topic": "shoes"}},
        {"text": "Anything else?"},
    ]
    assert recorded_replies(events, "rest-a")[0]["buttons"][0]["payload"] == "/shoes"
    assert recorded_replies(events, "rest-c") == []  # recorded, but its turn did not answer yet
    assert recorded_replies(events, "rest-z") is None  # never seen: process it


def test_only_ids_a_client_or_chat_app_gave_are_looked_up():
    assert is_delivery_id("rest-abc") and is_delivery_id("tg-5-77") and is_delivery_id("slack-C1-1.2")
    assert not is_delivery_id("0123456789abcdef0123456789abcdef")  # Rasa's own random id
    assert not is_delivery_id(None)


def test_a_rest_message_id_is_optional_and_checked():
    assert parse_rest_body(b'{"sender": "a", "message": "hi"}').message_id is None
    assert parse_rest_body(b'{"sender": "a", "message": "hi", "message_id": "turn-7"}').message_id == "turn-7"
    for bad in (b'"x y"', b"5", b'"' + b"a" * 65 + b'"', b'""'):
        with pytest.raises(BadRequest, match="message_id"):
            parse_rest_body(b'{"sender": "a", "message": "hi", "message_id": ' + bad + b"}")


def test_the_safe_reply_is_given_once_per_turn():
    assert not answered_this_turn([UserUttered("hi"), ActionExecuted("action_answer")])
    assert answered_this_turn([UserUttered("hi"), BotUttered("I can't reach my knowledge right now")])
    assert not answered_this_turn([BotUttered("earlier turn"), UserUttered("hi")])


def test_the_redis_url_is_read_whole_and_a_restart_is_ridden_out():
    from serving.lock_store import redis_client

    client = redis_client("redis://:p%40ss@redis.internal:6390/2")
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("redis.internal", 6390, 2, "p@ss")
    # a refused connection (Redis restarting) is retried, not raised at once
    connection = client.connection_pool.make_connection()  # not connected: no server needed
    assert ConnectionRefusedError in connection.retry._supported_errors
