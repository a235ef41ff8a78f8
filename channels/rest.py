"""REST channel with input checks; same URL and reply format as Rasa's stock ``rest`` channel."""
from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from coach.messages_in import BadRequest, oversized_reply, parse_rest_body

logger = logging.getLogger(__name__)


class WholeMessageCollector(CollectingOutputChannel):
    """Stock REST splits text on blank lines into several messages; every channel here sends one
    text message per answer (its paragraphs intact), as the widget and the contract expect."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"  # keeps the contract URL /webhooks/rest/webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = parse_rest_body(request.body)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            if incoming.too_long:
                replies = oversized_reply(incoming.text)
                return response.json([{"recipient_id": incoming.sender, **reply} for reply in replies])
            collector = WholeMessageCollector()
            try:
                await on_new_message(UserMessage(incoming.text, collector, incoming.sender,
                                                 input_channel=self.name(), metadata=incoming.metadata))
            except CancelledError:
                logger.error("Timed out handling a REST message from %s", incoming.sender)
            except Exception:  # the runner still gets whatever was said, never a 500
                logger.exception("Failed to handle a REST message from %s", incoming.sender)
            return response.json(collector.messages)

        return webhook
