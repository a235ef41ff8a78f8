"""REST channel with input checks; same URL and reply format as Rasa's stock ``rest`` channel.

- The conversation is the server's: the client's ``sender`` becomes ``rest:<sender>``, so it can't
  name a Telegram, Slack or widget conversation.
- Buttons go out signed for this sender, and only a signed payload comes back in as an intent
  (channels/intake.py); the rate limits, "/forget" and the length check apply as on every channel.
- A malformed body is a 400 (channels/rest_request.py); if the bot could not answer at all, the
  runner still gets a reply, with a red-flag warning when the message describes one.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.intake import FORGET, LIMITED, MESSAGE, forgotten_reply, gate, sender_id, sign_buttons
from channels.rest_request import BadRequest, parse_rest_body
from coach.messages_in import unanswered_reply
from serving.conversations import forget
from serving.limits import client_address
from serving.settings import Settings

logger = logging.getLogger(__name__)


class WholeMessageCollector(CollectingOutputChannel):
    """Stock REST splits text on blank lines into several messages; every channel here sends one
    text message per answer (its paragraphs intact), as the widget and the contract expect. Buttons
    leave signed for the recipient."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._persist_message(self._message(recipient_id, text=text, buttons=sign_buttons(recipient_id, buttons)))


def addressed(sender: str, replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{"recipient_id": sender, **reply} for reply in replies]


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"  # keeps the contract URL /webhooks/rest/webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        trust_proxy = Settings.from_environment().trust_proxy

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = parse_rest_body(request.body)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            sender = sender_id(self.name(), incoming.sender)
            address = client_address(request.headers.get("X-Forwarded-For"), request.ip, trust_proxy)
            admission = gate().admit(sender, incoming.text, address)
            if admission.kind == LIMITED:
                return response.json(addressed(sender, admission.replies), status=429)
            if admission.kind == FORGET:
                await forget(request.app.ctx.agent.tracker_store, sender)
                return response.json(addressed(sender, forgotten_reply()))
            if admission.kind != MESSAGE:
                return response.json(addressed(sender, admission.replies))
            collector = WholeMessageCollector()
            try:
                await on_new_message(
                    UserMessage(
                        admission.text,
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=incoming.metadata,
                        message_id=f"rest-{incoming.message_id}" if incoming.message_id else None,
                    )
                )
            except CancelledError:
                logger.error("Timed out handling a REST message from %s", sender)
            except Exception as error:  # the runner still gets a reply, never a 500
                logger.error("Failed to handle a REST message from %s: %s", sender, type(error).__name__)
            if not collector.messages:  # the bot could not answer (e.g. its action server is down)
                return response.json(addressed(sender, unanswered_reply(incoming.text)))
            return response.json(collector.messages)

        return webhook
