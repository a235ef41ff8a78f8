"""The socket.io channel for the web widget: contract-shaped events and the same length guard as REST."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.shared.utils.common import class_from_module_path

from channels.socketio import GuardedSocketIOInput, GuardedSocketIOOutput
from coach.messages_in import MAX_MESSAGE_CHARS

ROOT = Path(__file__).resolve().parents[2]


class FakeSio:
    """Records what the channel emits and which rooms sockets join (enter_room is a coroutine, as in python-socketio 5)."""

    def __init__(self):
        self.emitted, self.rooms = [], []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data, room))

    async def enter_room(self, sid, room, namespace=None):
        self.rooms.append((sid, room))


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def sio():
    return FakeSio()


def test_text_with_buttons_is_one_unsplit_message(sio):
    text = "First paragraph.\n\n• a bullet\n• another\n\nSource: Someone 2020"
    buttons = [{"title": "Exercises", "payload": "/exercises"}, {"title": "Shoes", "payload": "/shoes"}]
    run(GuardedSocketIOOutput(sio, "bot_uttered").send_response("s1", {"text": text, "buttons": list(buttons)}))
    assert sio.emitted == [("bot_uttered", {"text": text, "buttons": buttons}, "s1")]


def test_plain_text_and_custom_payload(sio, coach):
    messages = coach.answer("shoes", _context()).messages()
    output = GuardedSocketIOOutput(sio, "bot_uttered")
    for message in messages:
        run(output.send_response("s1", dict(message)))
    assert [data for _, data, _ in sio.emitted] == messages  # exactly the contract shapes
    custom = sio.emitted[-1][1]["custom"]
    assert custom["topic"] == "shoes" and custom["urgency"] == "self_care" and custom["sources"]


def test_quick_replies_come_out_as_buttons(sio):
    run(GuardedSocketIOOutput(sio, "bot_uttered").send_response(
        "s1", {"text": "Pick one", "quick_replies": [{"title": "Yes", "payload": "/affirm", "content_type": "text"}]}))
    assert sio.emitted == [("bot_uttered", {"text": "Pick one", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
                            "s1")]


def _context():
    from coach.answers import Context
    return Context(disclaimer_shown=True)


def channel_with_handlers():
    """The real blueprint (a real AsyncServer, no network), its event handlers and a FakeSio in its place."""
    channel = GuardedSocketIOInput.from_credentials({"session_persistence": True})
    seen = []

    async def on_new_message(message):
        seen.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "Hello\n\nthere",
                                                                       "buttons": [{"title": "A", "payload": "/a"}]})
        await message.output_channel.send_response(message.sender_id, {"custom": {"topic": "shoes",
                                                                                  "urgency": "self_care",
                                                                                  "sources": ["X"]}})

    channel.blueprint(on_new_message)
    handlers = channel.sio.handlers["/"]
    fake = FakeSio()
    channel.sio.emit, channel.sio.enter_room = fake.emit, fake.enter_room
    return channel, handlers, fake, seen


def test_session_request_joins_the_session_room():
    channel, handlers, fake, _ = channel_with_handlers()
    run(handlers["session_request"]("sid-1", {"session_id": "runner-42"}))
    assert fake.rooms == [("sid-1", "runner-42")]  # awaited: with the stock handler the room is never joined
    assert fake.emitted == [("session_confirm", "runner-42", "sid-1")]
    run(handlers["session_request"]("sid-2", None))
    new_id = fake.emitted[-1][1]
    assert isinstance(new_id, str) and len(new_id) == 32 and fake.rooms[-1] == ("sid-2", new_id)


def test_normal_message_goes_to_the_model_and_replies_in_contract_shapes():
    channel, handlers, fake, seen = channel_with_handlers()
    run(handlers["user_uttered"]("sid-1", {"message": "what shoes?", "session_id": "runner-42"}))
    assert [(m.text, m.sender_id, m.input_channel) for m in seen] == [("what shoes?", "runner-42", "socketio")]
    assert fake.emitted == [
        ("bot_uttered", {"text": "Hello\n\nthere", "buttons": [{"title": "A", "payload": "/a"}]}, "runner-42"),
        ("bot_uttered", {"custom": {"topic": "shoes", "urgency": "self_care", "sources": ["X"]}}, "runner-42"),
    ]


def test_over_long_message_is_answered_without_the_model(knowledge):
    channel, handlers, fake, seen = channel_with_handlers()
    text = "my ankle is a bit sore. " * 200
    assert len(text) > MAX_MESSAGE_CHARS
    run(handlers["user_uttered"]("sid-1", {"message": text, "session_id": "runner-42"}))
    assert seen == []
    assert fake.emitted == [("bot_uttered", {"text": knowledge.messages["too_long"]}, "runner-42")]


def test_over_long_message_with_red_flag_still_escalates():
    channel, handlers, fake, seen = channel_with_handlers()
    text = "long story. " * 200 + "I heard a pop and now I can't stand on tiptoe. " + "more. " * 200
    run(handlers["user_uttered"]("sid-1", {"message": text, "session_id": "runner-42"}))
    assert seen == []
    payloads = [data for _, data, _ in fake.emitted]
    assert payloads[1]["custom"]["urgency"] == "emergency" and "too long" in payloads[-1]["text"]


@pytest.mark.parametrize("data", [None, "hi", {"message": ""}, {"message": "  "}, {"message": 5, "session_id": "r"},
                                  {"message": "hi"}, {"message": "hi", "session_id": ""},
                                  {"message": "hi", "session_id": ["x"]}])
def test_malformed_events_are_ignored(data):
    channel, handlers, fake, seen = channel_with_handlers()
    run(handlers["user_uttered"]("sid-1", data))
    assert seen == [] and fake.emitted == []


def test_credentials_use_the_guarded_channel():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert "socketio" not in credentials
    settings = credentials["channels.socketio.GuardedSocketIOInput"]
    assert settings["session_persistence"] is True and settings["bot_message_evt"] == "bot_uttered"
    channel_class = class_from_module_path("channels.socketio.GuardedSocketIOInput")
    assert channel_class is GuardedSocketIOInput and channel_class.name() == "socketio"
