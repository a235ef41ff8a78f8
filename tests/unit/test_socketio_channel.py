"""The socket.io channel for the web widget: server-issued sessions a socket can't leave, contract-shaped
events, signed buttons, and the checks every channel applies."""

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.shared.utils.common import class_from_module_path

from channels.intake import accepted_text
from channels.socketio import GuardedSocketIOInput, GuardedSocketIOOutput, issue_session, session_of
from coach.messages_in import MAX_MESSAGE_CHARS

ROOT = Path(__file__).resolve().parents[2]


class FakeSio:
    """Records what the channel emits, which rooms sockets join, and each socket's saved session."""

    def __init__(self):
        self.emitted, self.rooms, self.sessions = [], [], {}

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data, room))

    async def enter_room(self, sid, room, namespace=None):
        self.rooms.append((sid, room))

    async def leave_room(self, sid, room, namespace=None):
        self.rooms.remove((sid, room))

    async def save_session(self, sid, session, namespace=None):
        self.sessions[sid] = dict(session)

    async def get_session(self, sid, namespace=None):
        return dict(self.sessions.get(sid, {}))


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture
def sio():
    return FakeSio()


def test_text_with_buttons_is_one_unsplit_message_with_signed_payloads(sio):
    text = "First paragraph.\n\n• a bullet\n• another\n\nSource: Someone 2020"
    buttons = [{"title": "Exercises", "payload": "/exercises"}, {"title": "Shoes", "payload": "/shoes"}]
    run(GuardedSocketIOOutput(sio, "bot_uttered", "s1").send_response("web:s1", {"text": text, "buttons": buttons}))
    [(event, data, room)] = sio.emitted
    assert (event, data["text"], room) == ("bot_uttered", text, "s1")
    assert [b["title"] for b in data["buttons"]] == ["Exercises", "Shoes"]
    # signed for this conversation: they come back as the intent, only from it
    assert [accepted_text("web:s1", b["payload"]) for b in data["buttons"]] == ["/exercises", "/shoes"]
    assert accepted_text("web:someone-else", data["buttons"][0]["payload"]) != "/exercises"


def test_plain_text_and_custom_payload(sio, coach):
    messages = coach.answer("shoes", _context()).messages()
    output = GuardedSocketIOOutput(sio, "bot_uttered", "s1")
    for message in messages:
        run(output.send_response("web:s1", dict(message)))
    assert [data for _, data, _ in sio.emitted] == messages  # exactly the contract shapes
    custom = sio.emitted[-1][1]["custom"]
    assert custom["topic"] == "shoes" and custom["urgency"] == "self_care" and custom["sources"]


def test_quick_replies_come_out_as_buttons(sio):
    run(
        GuardedSocketIOOutput(sio, "bot_uttered", "s1").send_response(
            "web:s1",
            {"text": "Pick one", "quick_replies": [{"title": "Yes", "payload": "/affirm", "content_type": "text"}]},
        )
    )
    [(_, data, _)] = sio.emitted
    assert data["text"] == "Pick one" and [b["title"] for b in data["buttons"]] == ["Yes"]


def _context():
    from coach.answers import Context

    return Context(disclaimer_shown=True)


class FakeStore:
    def __init__(self):
        self.store = {"web:x": "a conversation"}


def channel_with_handlers():
    """The real blueprint (a real AsyncServer, no network), its event handlers and a FakeSio in its place."""
    channel = GuardedSocketIOInput.from_credentials({"session_persistence": True})
    seen = []

    async def on_new_message(message):
        seen.append(message)
        await message.output_channel.send_response(
            message.sender_id, {"text": "Hello\n\nthere", "buttons": [{"title": "A", "payload": "/a"}]}
        )
        await message.output_channel.send_response(
            message.sender_id, {"custom": {"topic": "shoes", "urgency": "self_care", "sources": ["X"]}}
        )

    channel.blueprint(on_new_message)
    handlers = channel.sio.handlers["/"]
    fake = FakeSio()
    for name in ("emit", "enter_room", "leave_room", "save_session", "get_session"):
        setattr(channel.sio, name, getattr(fake, name))
    return channel, handlers, fake, seen


def start_session(handlers, fake, sid="sid-1", token=None):
    run(handlers["session_request"](sid, {"session_id": token}))
    return fake.emitted[-1][1]


def test_pages_from_other_origins_cannot_connect():
    channel, handlers, fake, _ = channel_with_handlers()
    assert run(handlers["connect"]("sid-9", {"HTTP_ORIGIN": "https://evil.example", "REMOTE_ADDR": "1.2.3.4"})) is False
    assert run(handlers["connect"]("sid-8", {"HTTP_ORIGIN": "http://127.0.0.1:8000", "REMOTE_ADDR": "1.2.3.4"})) is True


def test_the_server_issues_the_session_and_a_socket_joins_only_its_room():
    channel, handlers, fake, _ = channel_with_handlers()
    token = start_session(handlers, fake, "sid-1", "runner-42")  # a session id the server never issued
    session = session_of(token)
    assert token != "runner-42" and session and fake.rooms == [("sid-1", session)]
    assert start_session(handlers, fake, "sid-2", token) == token  # the same runner after a reload keeps it
    forged = token.split(".")[0] + ".0123456789abcdef01234567"
    assert start_session(handlers, fake, "sid-3", forged) != forged


def test_session_tokens_are_signed():
    token = issue_session()
    assert session_of(token) == token.split(".")[0]
    for forged in ("", "abc", token + "x", "x." + token.split(".")[1], token.replace(".", ".0"), None, 5):
        assert session_of(forged) is None


def test_normal_message_goes_to_the_model_in_the_sockets_own_session():
    channel, handlers, fake, seen = channel_with_handlers()
    token = start_session(handlers, fake)
    session = session_of(token)
    run(handlers["user_uttered"]("sid-1", {"message": "what shoes?", "session_id": token}))
    assert [(m.text, m.sender_id, m.input_channel) for m in seen] == [("what shoes?", f"web:{session}", "socketio")]
    replies = [(event, room) for event, _, room in fake.emitted[1:]]
    assert replies == [("bot_uttered", session), ("bot_uttered", session)]


def test_a_socket_cannot_speak_in_another_session():
    channel, handlers, fake, seen = channel_with_handlers()
    start_session(handlers, fake, "sid-1")
    other = issue_session()  # a valid token, but not this socket's
    run(handlers["user_uttered"]("sid-1", {"message": "hi", "session_id": other}))
    run(handlers["user_uttered"]("sid-2", {"message": "hi"}))  # never asked for a session
    assert seen == [] and [event for event, _, _ in fake.emitted[1:]] == ["session_error", "session_error"]


def test_typed_intent_text_is_read_as_words():
    channel, handlers, fake, seen = channel_with_handlers()
    token = start_session(handlers, fake)
    run(handlers["user_uttered"]("sid-1", {"message": '/inform{"runs_per_week": "x"}', "session_id": token}))
    assert [m.text for m in seen] == ['inform{"runs_per_week": "x"}']


def test_over_long_message_is_answered_without_the_model(knowledge):
    channel, handlers, fake, seen = channel_with_handlers()
    token = start_session(handlers, fake)
    text = "my ankle is a bit sore. " * 200
    assert len(text) > MAX_MESSAGE_CHARS
    run(handlers["user_uttered"]("sid-1", {"message": text, "session_id": token}))
    assert seen == []
    assert fake.emitted[1:] == [("bot_uttered", {"text": knowledge.messages["too_long"]}, session_of(token))]


def test_over_long_message_with_red_flag_still_escalates():
    channel, handlers, fake, seen = channel_with_handlers()
    token = start_session(handlers, fake)
    text = "long story. " * 200 + "I heard a pop and now I can't stand on tiptoe. " + "more. " * 200
    run(handlers["user_uttered"]("sid-1", {"message": text, "session_id": token}))
    assert seen == []
    payloads = [data for _, data, _ in fake.emitted[1:]]
    assert payloads[1]["custom"]["urgency"] == "emergency" and "too long" in payloads[-1]["text"]


@pytest.mark.parametrize("data", [None, "hi", {"message": ""}, {"message": "  "}, {"message": 5}, {"message": ["x"]}])
def test_malformed_events_are_ignored(data):
    channel, handlers, fake, seen = channel_with_handlers()
    start_session(handlers, fake)
    run(handlers["user_uttered"]("sid-1", data))
    assert seen == [] and len(fake.emitted) == 1


def test_forget_erases_the_conversation_and_says_so(knowledge):
    channel, handlers, fake, seen = channel_with_handlers()
    token = start_session(handlers, fake)
    store = FakeStore()
    store.store[f"web:{session_of(token)}"] = "this runner's conversation"
    channel._app = type("App", (), {"ctx": type("Ctx", (), {"agent": type("Agent", (), {"tracker_store": store})})})
    run(handlers["user_uttered"]("sid-1", {"message": "forget me", "session_id": token}))
    assert seen == [] and f"web:{session_of(token)}" not in store.store and "web:x" in store.store
    text, custom = [data for _, data, _ in fake.emitted[1:]]
    assert text["text"] == knowledge.messages["forgotten"].strip() and custom["custom"]["forgotten"] is True


def test_credentials_use_the_guarded_channel():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert "socketio" not in credentials
    settings = credentials["channels.socketio.GuardedSocketIOInput"]
    assert settings["session_persistence"] is True and settings["bot_message_evt"] == "bot_uttered"
    channel_class = class_from_module_path("channels.socketio.GuardedSocketIOInput")
    assert channel_class is GuardedSocketIOInput and channel_class.name() == "socketio"
