"""Socket.IO channel for the web widget: contract-shaped messages and the same input checks as REST.

Rasa's stock ``socketio`` channel cannot be used as is:
- its ``send_custom_json`` does ``sio.emit(event, **payload)``, which crashes on our ``custom`` payload;
- it splits text on blank lines into several messages, so buttons end up on the last fragment only;
- with python-socketio 5 its ``session_request`` handler never joins the session room
  (``AsyncServer.enter_room`` is a coroutine there and is not awaited), so with
  ``session_persistence: true`` the bot's replies go nowhere;
- it sends messages of any length to the model.

Here the output channel emits exactly the contract shapes on ``bot_uttered`` --
``{"text": ..., "buttons": [{"title", "payload"}]}`` (text unsplit, buttons only when there are any)
and ``{"custom": {...}}`` -- and an over-long user message is answered with
``coach.messages_in.oversized_reply`` without running the model, like the REST channel does.
``name()`` stays ``socketio`` so the widget connects to the stock path ``/socket.io``.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from coach.messages_in import MAX_MESSAGE_CHARS, oversized_reply

logger = logging.getLogger(__name__)

MAX_SESSION_ID_CHARS = 128


class GuardedSocketIOOutput(SocketIOOutput):
    """Emits one ``bot_uttered`` event per contract message."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        message: Dict[Text, Any] = {"text": text}
        if buttons:
            message["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_message(recipient_id, message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


def _session_id(data: Any) -> Optional[str]:
    """The client's stored session id, if it sent a usable one."""
    if isinstance(data, dict):
        value = data.get("session_id")
        if isinstance(value, str) and value.strip() and len(value) <= MAX_SESSION_ID_CHARS:
            return value
    return None


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"  # keeps the path /socket.io and the input_channel name of the stock channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()  # warns, returns None
        return GuardedSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # The stock blueprint creates the server, its route and the connect/disconnect (JWT) handlers;
        # registering a handler for an event again replaces the stock one.
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            session_id = _session_id(data) or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("Socket %s joined session %s", sid, session_id)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            await self.handle_user_message(sid, data, on_new_message)

        return socketio_webhook

    async def handle_user_message(self, sid: Text, data: Any,
                                  on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Check one ``user_uttered`` event and answer it (model for normal messages, fixed reply if too long)."""
        assert self.sio is not None
        output = GuardedSocketIOOutput(self.sio, self.bot_message_evt)
        if not isinstance(data, dict) or not isinstance(data.get("message"), str) or not data["message"].strip():
            logger.warning("Ignored a socket.io message without a 'message' text from %s", sid)
            return
        if self.session_persistence:
            sender_id = _session_id(data)
            if sender_id is None:
                logger.warning("Ignored a socket.io message without a valid session_id from %s; "
                               "send session_request first", sid)
                return
        else:
            sender_id = sid
        text = data["message"]
        if len(text) > MAX_MESSAGE_CHARS:
            for reply in oversized_reply(text):
                await output.send_response(sender_id, dict(reply))
            return
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        if not isinstance(metadata, dict):
            metadata = {}
        try:
            await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name(),
                                             metadata=metadata))
        except Exception:  # the socket stays up; the runner just gets no reply to this one
            logger.exception("Failed to handle a socket.io message from %s", sender_id)
