"""Privacy and hardening in plain Python: what a channel accepts, the limits, erasing conversations,
what the action server is sent, and slot values nobody expected."""

import asyncio
import time
import zlib

import pytest
from rasa_sdk.executor import CollectingDispatcher
from trackers import DOMAIN, user_turn

from actions.answers import ActionAnswer
from actions.conversation import context_from
from channels.intake import FORGET, LIMITED, MESSAGE, TOO_LONG, Gate, accepted_text, sender_id, sign_payload
from coach.session import carried_over
from serving.action_payload import recent_events, trim
from serving.conversations import forget, forget_older_than
from serving.limits import MAX_BODY_BYTES, RateLimiter, TooLarge, inflate, json_depth_ok
from serving.settings import Settings, web_origins

# ---- what a channel accepts ------------------------------------------------------------------------


def test_sender_ids_are_namespaced_by_channel():
    assert sender_id("rest", "telegram:123") == "rest:telegram:123"
    assert sender_id("telegram", -100123, 42) == "telegram:-100123:42"


def test_only_a_signed_button_payload_of_this_sender_is_an_intent():
    signed = sign_payload("rest:a", '/inform{"check_answer": "none"}')
    assert accepted_text("rest:a", signed) == '/inform{"check_answer": "none"}'
    assert accepted_text("rest:b", signed) == signed.lstrip("/")  # another conversation's button
    assert accepted_text("rest:a", '/inform{"runs_per_week": "x"}') == 'inform{"runs_per_week": "x"}'
    assert accepted_text("rest:a", "  //greet") == "greet"
    assert accepted_text("rest:a", "why does it hurt?") == "why does it hurt?"
    assert sign_payload("rest:a", "hello") == "hello"  # plain text buttons stay plain


def gate(per_sender=60, per_address=600):
    return Gate(RateLimiter(per_sender, burst=3), RateLimiter(per_address, burst=5))


@pytest.mark.parametrize("text", ["/forget", "forget me", "Forget me please.", "delete my data", "/start_over"])
def test_forget_commands(text):
    assert gate().admit("rest:a", text).kind == FORGET


def test_forget_words_inside_a_sentence_are_just_words():
    assert gate().admit("rest:a", "I forget me stretches, does it matter?").kind == MESSAGE


def test_rate_limits_per_sender_and_per_address_reply_kindly(knowledge):
    limits = gate()
    kinds = [limits.admit("rest:a", "hi").kind for _ in range(5)]
    assert kinds[:3] == [MESSAGE] * 3 and kinds[3:] == [LIMITED] * 2
    limited = limits.admit("rest:a", "hi")
    assert limited.replies[0]["text"] == knowledge.messages["rate_limited"].strip()
    assert "emergency services" in limited.replies[0]["text"]
    many = gate(per_sender=1000)
    assert [many.admit(f"rest:{i}", "hi", address="10.0.0.1").kind for i in range(6)][-1] == LIMITED


def test_rate_limiter_refills_with_time():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=1, clock=lambda: now[0])
    assert limiter.allow("a") and not limiter.allow("a")
    now[0] += 1.0
    assert limiter.allow("a")


def test_over_long_message_is_not_sent_on():
    assert gate().admit("rest:a", "x" * 5000).kind == TOO_LONG


# ---- limits ------------------------------------------------------------------------------------------


def test_json_depth():
    assert json_depth_ok(b'{"a": [[1]]}') and json_depth_ok(b'{"text": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')
    assert not json_depth_ok(b"[" * 100_000)


def test_a_deflate_bomb_is_refused_before_it_inflates():
    bomb = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    assert len(bomb) < 100 * 1024
    started = time.monotonic()
    with pytest.raises(TooLarge):
        inflate(bomb)
    assert time.monotonic() - started < 2
    assert inflate(zlib.compress(b'{"ok": true}')) == b'{"ok": true}'
    assert MAX_BODY_BYTES == 256 * 1024


# ---- settings ----------------------------------------------------------------------------------------


def test_api_is_off_without_a_token_and_cors_follows_the_widget():
    off = Settings.from_environment({"WEB_PORT": "8123"})
    assert not off.api_enabled and off.auth_token is None
    assert off.web_origins == ("http://127.0.0.1:8123", "http://localhost:8123") and off.host == "127.0.0.1"
    assert Settings.from_environment({"RASA_AUTH_TOKEN": "s3cret"}).api_enabled
    assert Settings.from_environment({"RASA_JWT_SECRET": "k"}).api_enabled
    assert web_origins({"ANKLE_COACH_WEB_ORIGINS": "https://club.example/, https://b.example"}) == [
        "https://club.example",
        "https://b.example",
    ]


# ---- what the action server is sent -------------------------------------------------------------------


def test_action_calls_carry_recent_events_and_the_domain_only_for_form_validation():
    events = [{"event": "user", "text": str(i)} if i % 3 == 0 else {"event": "action", "name": "x"} for i in range(300)]
    call = trim({"next_action": "action_answer", "tracker": {"events": events, "slots": {"a": 1}}, "domain": {"d": 1}})
    assert call["tracker"]["slots"] == {"a": 1} and "domain" not in call
    assert [e["text"] for e in call["tracker"]["events"] if e["event"] == "user"] == ["291", "294", "297"]
    assert "domain" in trim({"next_action": "validate_rest_form", "tracker": {"events": []}, "domain": {"d": 1}})
    assert recent_events([{"event": "action"}]) == [{"event": "action"}]


# ---- erasing conversations ------------------------------------------------------------------------------


@pytest.fixture
def sql_store(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))


def add_events(store, sender, timestamps):
    events = store.SQLEvent
    with store.session_scope() as session:
        for stamp in timestamps:
            session.add(events(sender_id=sender, type_name="user", timestamp=stamp, data="{}"))
        session.commit()


def senders(store):
    with store.session_scope() as session:
        return sorted({row[0] for row in session.query(store.SQLEvent.sender_id).all()})


def test_forget_erases_one_conversation(sql_store):
    add_events(sql_store, "rest:a", [1, 2, 3])
    add_events(sql_store, "rest:b", [1])
    assert asyncio.run(forget(sql_store, "rest:a")) == 3
    assert senders(sql_store) == ["rest:b"]


def test_retention_erases_conversations_quiet_for_longer_than_the_setting(sql_store):
    now = 1_000_000_000.0
    add_events(sql_store, "old", [now - 40 * 86400, now - 31 * 86400])
    add_events(sql_store, "recent", [now - 40 * 86400, now - 1 * 86400])  # still going: kept whole
    assert forget_older_than(sql_store, 30, now=now) == 1
    assert senders(sql_store) == ["recent"]


# ---- slot values nobody expected -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slots",
    [
        {"runs_per_week": "x"},
        {"runs_per_week": float("nan")},
        {"runs_per_week": 10**9},
        {"location": "moon"},
        {"equipment": "band"},
        {"red_flags": "deformity"},
        {"red_flags": ["not_a_flag"]},
        {"condition": 5},
        {"disclaimer_shown": "yes"},
    ],
)
def test_unexpected_slot_values_never_break_an_answer(knowledge, slots):
    tracker = user_turn("plan", "give me a weekly plan", slots=slots)
    context = context_from(tracker)
    assert context.runs_per_week in (None, 3) and context.location in (None, *knowledge.locations)
    assert all(flag in {f["id"] for f in knowledge.red_flags["red_flags"]} for flag in context.red_flags)
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswer().run(dispatcher, tracker, DOMAIN))
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert payloads and payloads[0]["topic"] == "plan"


def test_a_failing_action_still_sends_a_safe_reply(monkeypatch, knowledge):
    import actions.answers

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(actions.answers, "context_from", broken)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswer().run(dispatcher, user_turn("shoes", "which shoes?"), DOMAIN))
    assert events == []
    [custom] = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert custom["topic"] == "fallback" and custom["disclaimer"] is True
    flagged = user_turn(
        "shoes",
        "which shoes? my ankle is bent",
        red_flags=[{"id": "deformity", "urgency": "emergency", "text": "bent"}],
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswer().run(dispatcher, flagged, DOMAIN))
    [custom] = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert custom["topic"] == "red_flag" and custom["urgency"] == "emergency"


def test_a_new_session_carries_the_runners_facts_but_not_the_disclaimer(knowledge):
    slots = {
        "location": "outer_ankle",
        "runs_per_week": "x",
        "red_flags": ["dvt", "not_a_flag"],
        "condition": "moon",
        "equipment": ["resistance_band", "spaceship"],
        "disclaimer_shown": True,
        "safety_checked": True,
        "last_topic": "plan",
        "pain_state": "sore_now",
    }
    assert carried_over(slots, knowledge) == {
        "location": "outer_ankle",
        "red_flags": ["dvt"],
        "equipment": ["resistance_band"],
    }
    assert carried_over({"runs_per_week": 3.0}, knowledge) == {"runs_per_week": 3.0}
