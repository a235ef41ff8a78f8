"""The tracker store that loads only recent turns: same slots and form state as the full tracker, every
event written once, and a turn's load that doesn't grow with the conversation."""

import asyncio
import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from trackers import ROOT

from serving.tracker_store import RECENT_USER_TURNS, RecentTurnsSQLTrackerStore


@pytest.fixture
def store(tmp_path):
    domain = Domain.load(str(ROOT / "domain.yml"))
    return RecentTurnsSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "trackers.db"))


def turn(number, slots=()):
    events = [
        UserUttered(f"message {number}", {"name": "why_pain", "confidence": 0.9}),
        ActionExecuted("action_answer"),
        BotUttered(f"answer {number}"),
    ]
    events += [SlotSet(name, value) for name, value in slots]
    return events + [ActionExecuted("action_listen")]


def stored(store, sender):
    with store.session_scope() as session:
        return [
            json.loads(row.data)
            for row in session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender)
            .order_by(store.SQLEvent.id)
        ]


def conversation(store, sender, turns):
    """Turn by turn, the way Rasa does it: retrieve, add the turn's events, save."""
    tracker = DialogueStateTracker.from_events(
        sender,
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        store.domain.slots,
    )
    asyncio.run(store.save(tracker))
    for number, slots in enumerate(turns):
        tracker = asyncio.run(store.retrieve(sender))
        for event in turn(number, slots):
            tracker.update(event)
        asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def test_a_long_conversation_keeps_its_state_and_loads_only_recent_turns(store):
    turns = [() for _ in range(30)]
    turns[2] = (("location", "outer_ankle"), ("red_flags", ["dvt"]))
    turns[10] = (("runs_per_week", 3.0),)
    turns[27] = (("location", "heel"),)
    tracker = conversation(store, "rest:long", turns)
    assert tracker.get_slot("location") == "heel"
    assert tracker.get_slot("red_flags") == ["dvt"] and tracker.get_slot("runs_per_week") == 3.0
    users = [e for e in tracker.events if isinstance(e, UserUttered)]
    assert [u.text for u in users] == [f"message {n}" for n in range(30 - RECENT_USER_TURNS, 30)]
    everything = stored(store, "rest:long")
    assert sum(e["event"] == "user" for e in everything) == 30  # every turn written once
    assert sum(e["event"] == "bot" for e in everything) == 30


def test_an_active_form_survives_the_cut(store):
    turns = [() for _ in range(12)]
    turns[3] = (("requested_slot", "pain_during_run"),)
    tracker = conversation(store, "rest:form", turns)
    tracker.update(ActiveLoop("rest_form"))
    asyncio.run(store.save(tracker))
    for _ in range(RECENT_USER_TURNS + 2):
        tracker = asyncio.run(store.retrieve("rest:form"))
        for event in turn(99):
            tracker.update(event)
        asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("rest:form"))
    assert tracker.active_loop_name == "rest_form" and tracker.get_slot("requested_slot") == "pain_during_run"
    # the whole form episode is loaded, from the message that started it: Rasa folds a form's turns
    # from its first run, and a history cut inside the form folds to nothing (the policies crashed)
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts[0] == "message 11" and len(texts) == RECENT_USER_TURNS + 3
    assert tracker.past_states(store.domain)  # what the policies read is not empty


def test_a_short_conversation_is_loaded_whole(store):
    tracker = conversation(store, "rest:short", [(), ()])
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["message 0", "message 1"]
    # all written once; Rasa's session starts after its action_session_start, which stays in the store
    assert len(stored(store, "rest:short")) == len(tracker.events) + 1
