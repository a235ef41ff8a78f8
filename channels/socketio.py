"""Socket.IO channel for the web widget: server-issued sessions, contract-shaped messages, the checks
every channel applies.

Rasa's stock ``socketio`` channel cannot be used as is:
- it lets the client choose its session id, and a socket can join any session and read its replies;
- it allows every origin (``cors_allowed_origins=[]`` turns engine.io's check off);
- its ``send_custom_json`` does ``sio.emit(event, **payload)``, which crashes on our ``custom`` payload;
- it splits text on blank lines into several messages, so buttons end up on the last fragment only;
- with python-socketio 5 its ``session_request`` handler never joins the session room.

Here the server issues the session (``session_confirm`` carries ``<id>.<signature>``); a client that
comes back with a token it was given keeps its conversation, any other token gets a new session.
The socket is bound to its session: ``user_uttered`` names no conversation, and one that names a
different session id is refused. The conversation's sender id is ``web:<id>``. Only pages from the
widget's origins (ANKLE_COACH_WEB_ORIGINS) may connect. Output emits exactly the contract shapes on
``bot_uttered``, with buttons signed for the session (channels/intake.py).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from socketio import AsyncServer

from channels.intake import FORGET, MESSAGE, forgotten_reply, gate, sender_id, sign_buttons
from coach.messages_in import unanswered_reply
from serving.conversations import forget
from serving.limits import client_address
from serving.secrets import same, signature
from serving.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = "web"
SESSION_ERROR_EVT = "session_error"


def issue_session() -> str:
    session = uuid.uuid4().hex
    return f"{session}.{signature('web-session', session)}"


def session_of(token: Any) -> Optional[str]:
    """The session id in a token this server issued; None for anything else."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 128:
        return None
    session, signed = token.split(".")
    return session if session and same(signed, signature("web-session", session)) else None


class GuardedSocketIOOutput(SocketIOOutput):
    """Emits one ``bot_uttered`` event per contract message, to the session's room."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, session: str):
        super().__init__(sio, bot_message_evt)
        self.session = session

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=self.session)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        message: Dict[Text, Any] = {"text": text}
        if buttons:
            message["buttons"] = [
                {"title": b["title"], "payload": b["payload"]} for b in sign_buttons(recipient_id, buttons)
            ]
        await self._send_message(recipient_id, message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})

    async def send_messages(self, messages: List[Dict[str, Any]]) -> None:
        for message in messages:
            await self._send_message(self.session, message)


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"  # keeps the path /socket.io and the input_channel name of the stock channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        return None  # replies go to a session's room; Rasa's API has no session to address

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = Settings.from_environment()
        # CORS headers for /socket.io come from the app's CORS set-up (serving/rasa_server.py, the
        # widget's origins); engine.io adding its own would send the header twice and browsers refuse
        # that. The origin itself is checked on connect.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], client_manager=self.client_manager())
        self.sio = sio
        blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and origin.rstrip("/") not in settings.web_origins:
                logger.info("Refused a socket.io connection from origin %s", origin)
                return False  # a page on another site: no conversation through the runner's browser
            address = client_address(
                environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"), settings.trust_proxy
            )
            await sio.save_session(sid, {"address": address}, namespace=self.namespace)
            return True

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            session = session_of(token)
            if session is None:
                token = issue_session()
                session = session_of(token)
            state = await sio.get_session(sid, namespace=self.namespace)
            if state.get("session") and state["session"] != session:
                await sio.leave_room(sid, state["session"], namespace=self.namespace)
            state["session"] = session
            await sio.save_session(sid, state, namespace=self.namespace)
            await sio.enter_room(sid, session, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            await self.handle_user_message(sid, data, on_new_message)

        @blueprint.listener("before_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            self._app = app  # its agent holds the tracker store that "forget me" erases from

        return blueprint

    def client_manager(self) -> Any:
        """With several Rasa servers (make cluster), replies reach a session's socket through Redis."""
        from serving.shared import socketio_manager  # noqa: PLC0415

        return socketio_manager()

    async def handle_user_message(
        self, sid: Text, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Check one ``user_uttered`` event and answer it in the socket's own session."""
        assert self.sio is not None
        state = await self.sio.get_session(sid, namespace=self.namespace)
        session = state.get("session")
        if not isinstance(data, dict) or not isinstance(data.get("message"), str) or not data["message"].strip():
            logger.warning("Ignored a socket.io message without a 'message' text from %s", sid)
            return
        claimed = data.get("session_id")
        if session is None or (claimed is not None and session_of(claimed) != session):
            await self.sio.emit(
                SESSION_ERROR_EVT,
                {"error": "send session_request first, and only for your session"},
                room=sid,
                namespace=self.namespace,
            )
            return
        sender = sender_id(CHANNEL, session)
        output = GuardedSocketIOOutput(self.sio, self.bot_message_evt, session)
        admission = gate().admit(sender, data["message"], state.get("address"))
        if admission.kind == FORGET:
            await forget(self.tracker_store, sender)
            await output.send_messages(forgotten_reply())
            return
        if admission.kind != MESSAGE:
            await output.send_messages(admission.replies)
            return
        collector = _Counting(output)
        try:
            await on_new_message(UserMessage(admission.text, collector, sender, input_channel=self.name()))
        except Exception as error:  # the socket stays up, and the runner still gets a reply
            logger.error("Failed to handle a socket.io message from %s: %s", sender, type(error).__name__)
        if not collector.sent:
            await output.send_messages(unanswered_reply(data["message"]))

    _app: Any = None

    @property
    def tracker_store(self) -> Any:
        return self._app.ctx.agent.tracker_store


class _Counting(GuardedSocketIOOutput):
    """The session's output, remembering whether anything was said."""

    def __init__(self, output: GuardedSocketIOOutput):
        super().__init__(output.sio, output.bot_message_evt, output.session)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)
