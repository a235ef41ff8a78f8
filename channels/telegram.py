"""Telegram channel: Bot API webhook in, sendMessage out. Configured from the environment only.

- TELEGRAM_BOT_TOKEN     the bot's token from @BotFather
- TELEGRAM_SECRET_TOKEN  the ``secret_token`` given to setWebhook; Telegram sends it back in the
                         X-Telegram-Bot-Api-Secret-Token header, and a request without it is refused
- TELEGRAM_API_URL       Bot API base URL (default https://api.telegram.org; tests point it at a fake)

Without token and secret the channel is off: its blueprint has no routes (404) and one info line
is logged. Webhook URL: ``/webhooks/telegram/webhook``. Messages are handled one at a time per
conversation, the reply is sent with sendMessage (quick replies as an inline keyboard; a press is
answered with answerCallbackQuery and handled as the runner's message), and only then is the update
acknowledged: an update whose turn or reply failed gets a 500, and Telegram delivers it again.
Redeliveries of a finished update are answered without work (serving/deliveries.py).
"""

from __future__ import annotations

import asyncio  # noqa: F401 (annotations)
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.chat_api import ApiClient, env
from channels.intake import sender_id
from channels.rendering import render_turn
from channels.telegram_format import CallbackPayloads, telegram_messages
from channels.turns import KnowsItsApp, TurnCollector, run_turn
from channels.verify import telegram_secret_ok, valid_telegram_secret
from channels.webhook_work import DeliveryFailed, OrderedTasks, acknowledge_when_done
from serving.deliveries import DONE, WORKING
from serving.limits import MAX_BODY_BYTES
from serving.shared import deliveries

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
TEXT_ONLY = (
    "Sorry, I can only read text messages. Please type your question, for example "
    '"why does the outside of my ankle hurt after running?"'
)
EXPIRED_BUTTON = "That button has expired. Please type your question instead."
# Telegram clients send "/start" when a runner opens the bot (and "/start@bot_name" in groups).
COMMANDS = {"/start": "/greet", "/help": "/help"}


def command_as_intent(text: str) -> str:
    words = text.strip().split()
    command = words[0].split("@")[0].lower() if words else ""
    return COMMANDS.get(command, text)


def conversation_of(chat: Dict[str, Any], user: Dict[str, Any]) -> str:
    """One conversation per runner: a private chat is the runner's; in a group, each member has their own,
    so nobody's answers are shaped by another member's red flags."""
    if chat.get("type") in ("group", "supergroup") and user.get("id") is not None:
        return sender_id("telegram", chat["id"], user["id"])
    return sender_id("telegram", chat["id"])


class TelegramOutput(TurnCollector):
    @classmethod
    def name(cls) -> Text:
        return "telegram"


class TelegramInput(InputChannel, KnowsItsApp):
    @classmethod
    def name(cls) -> Text:
        return "telegram"  # URLs under /webhooks/telegram/

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        if credentials:
            logger.warning("Telegram settings in credentials.yml are ignored; use TELEGRAM_* environment variables")
        return cls(env("TELEGRAM_BOT_TOKEN"), env("TELEGRAM_SECRET_TOKEN"), env("TELEGRAM_API_URL", DEFAULT_API_URL))

    def __init__(self, token: str = "", secret: str = "", api_url: str = DEFAULT_API_URL) -> None:
        self.token, self.secret, self.api_url = token, secret, (api_url or DEFAULT_API_URL).rstrip("/")
        self.client = ApiClient("Telegram")
        self.tasks = OrderedTasks()
        self.deliveries = deliveries()
        self.payloads = CallbackPayloads()

    def off_reason(self) -> Optional[str]:
        if not self.token and not self.secret:
            return "TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN are not set"
        if not self.token:
            return "TELEGRAM_BOT_TOKEN is not set"
        if not self.secret:
            return "TELEGRAM_SECRET_TOKEN is not set (required: it proves updates come from Telegram)"
        if not valid_telegram_secret(self.secret):
            return "TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        return None

    # ---- Bot API ---------------------------------------------------------------------------
    async def call(self, method: str, body: Dict[str, Any]) -> Optional[dict]:
        return await self.client.post(f"{self.api_url}/bot{self.token}/{method}", method, json=body)

    async def send_turn(self, chat_id: int, messages: list) -> None:
        for message in render_turn(messages):
            for body in telegram_messages(message, self.payloads):
                await self.send("sendMessage", {"chat_id": chat_id, **body})

    async def send(self, method: str, body: Dict[str, Any]) -> None:
        """A call whose failure to reach Telegram fails the update (so Telegram delivers it again)."""
        if await self.call(method, body) is None:
            raise DeliveryFailed(f"Telegram {method} could not be reached")

    async def handle_text(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        chat_id: int,
        sender: str,
        text: str,
        message_id: Optional[str],
        metadata: Dict[str, Any],
        trusted: bool,
    ) -> None:
        messages = await run_turn(
            on_new_message,
            TelegramOutput(),
            text,
            sender,
            self.name(),
            self.tracker_store,
            message_id=message_id,
            metadata=metadata,
            trusted=trusted,
        )
        await self.send_turn(chat_id, messages)

    # ---- webhook -----------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("ankle_telegram_webhook", __name__)
        self.remember_app(webhook)
        reason = self.off_reason()
        if reason:
            logger.info("Telegram channel is off: %s", reason)
            return webhook
        logger.info("Telegram channel is on: webhook /webhooks/telegram/webhook, Bot API %s", self.api_url)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not telegram_secret_ok(self.secret, request.headers.get("X-Telegram-Bot-Api-Secret-Token")):
                return response.json({"error": "missing or wrong X-Telegram-Bot-Api-Secret-Token"}, status=401)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.json({"error": "update too large"}, status=400)
            try:
                update = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "body is not a JSON Telegram update"}, status=400)
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                return response.json({"error": "body is not a Telegram update (no update_id)"}, status=400)
            key = f"update:{update['update_id']}"
            claim = self.deliveries.claim(key)
            if claim == DONE:
                return response.json({"status": "duplicate"})
            if claim == WORKING:  # another delivery is on it; if that one dies, this comes again
                return response.json({"status": "in progress"}, status=503, headers={"Retry-After": "5"})
            try:
                work = self.dispatch(update, on_new_message)
            except (KeyError, TypeError, ValueError):
                self.deliveries.done(key)  # the same malformed update would fail the same way again
                return response.json({"error": "malformed Telegram update"}, status=400)
            status, outcome = await acknowledge_when_done(self.deliveries, key, work)
            return response.json({"status": outcome}, status=status)

        @webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            await self.client.close()

        return webhook

    def dispatch(
        self, update: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> "Optional[asyncio.Task[bool]]":
        """Start the work for an update, after earlier work for its conversation; None when there is
        nothing to do for it."""
        if isinstance(update.get("message"), dict):
            message = update["message"]
            chat_id = message["chat"]["id"]
            sender = message.get("from") or {}
            if sender.get("is_bot"):
                return None
            text = message.get("text")
            if not isinstance(text, str) or not text.strip():
                return self.tasks.spawn(
                    str(chat_id), lambda: self.send("sendMessage", {"chat_id": chat_id, "text": TEXT_ONLY})
                )
            metadata = {
                "telegram": {"chat_id": chat_id, "message_id": message.get("message_id"), "user_id": sender.get("id")}
            }
            command = command_as_intent(text)
            conversation = conversation_of(message["chat"], sender)
            return self.tasks.spawn(
                conversation,
                lambda: self.handle_text(
                    on_new_message,
                    chat_id,
                    conversation,
                    command,
                    f"tg-{chat_id}-{message.get('message_id')}",
                    metadata,
                    trusted=command != text,
                ),
            )
        if isinstance(update.get("callback_query"), dict):
            query = update["callback_query"]
            query_id = str(query["id"])
            message = query.get("message")
            if not isinstance(message, dict):  # a press on an inline-mode message: nothing to answer in
                return self.tasks.spawn(
                    f"query:{query_id}", lambda: self.call("answerCallbackQuery", {"callback_query_id": query_id})
                )
            chat_id = message["chat"]["id"]
            data = query.get("data")
            payload = self.payloads.decode(data) if isinstance(data, str) else None
            if payload is None and isinstance(data, str):
                payload = button_title(message, data)  # key from before a restart: the title still reads well

            conversation = conversation_of(message["chat"], query.get("from") or {})

            async def press() -> None:
                await self.call("answerCallbackQuery", {"callback_query_id": query_id})
                if payload:
                    metadata = {
                        "telegram": {
                            "chat_id": chat_id,
                            "user_id": (query.get("from") or {}).get("id"),
                            "callback_query_id": query_id,
                        }
                    }
                    # A payload this server stored for its own button is trusted; a button title
                    # (from before a restart) is read as words.
                    await self.handle_text(
                        on_new_message,
                        chat_id,
                        conversation,
                        payload,
                        f"tg-cb-{query_id}",
                        metadata,
                        trusted=self.payloads.decode(data) is not None,
                    )
                else:
                    await self.send("sendMessage", {"chat_id": chat_id, "text": EXPIRED_BUTTON})

            return self.tasks.spawn(conversation, press)
        return None  # edited messages, channel posts, member updates ...


def button_title(message: Dict[str, Any], data: str) -> Optional[str]:
    """The label of the inline button that carried ``data`` in ``message``."""
    rows = ((message.get("reply_markup") or {}).get("inline_keyboard")) or []
    for row in rows:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and button.get("callback_data") == data and button.get("text"):
                return str(button["text"])
    return None
