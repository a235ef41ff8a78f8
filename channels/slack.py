"""Slack channel: Events API and interactivity in, chat.postMessage out. Configured from the environment only.

- SLACK_BOT_TOKEN       the bot token (xoxb-...), sent as ``Authorization: Bearer``
- SLACK_SIGNING_SECRET  the app's signing secret; every request must carry a valid v0 signature
                        no older than five minutes, or it is refused with 401
- SLACK_API_URL         Web API base URL (default https://slack.com/api; tests point it at a fake)

Without token and secret the channel is off: its blueprint has no routes (404) and one info line
is logged. Request URLs: ``/webhooks/slack/webhook`` (Events API: ``message`` and
``app_mention``) and ``/webhooks/slack/interactive`` (button presses). Messages are handled one at
a time per conversation, the reply goes into the thread of the runner's message, and only then is
Slack answered 200 (a failure answers 500, so Slack delivers it again). Bot messages, message subtypes
(edits, joins ...) and redeliveries (``X-Slack-Retry-Num`` of an event already handled, or the same
message arriving as both ``message`` and ``app_mention``) are not processed again
(serving/deliveries.py).
"""

from __future__ import annotations

import asyncio  # noqa: F401 (annotations)
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.chat_api import ApiClient, env
from channels.intake import sender_id
from channels.rendering import render_turn
from channels.slack_format import slack_message, slack_plain_text
from channels.turns import KnowsItsApp, TurnCollector, run_turn
from channels.verify import verify_slack_request
from channels.webhook_work import DeliveryFailed, OrderedTasks, acknowledge_when_done
from serving.deliveries import DONE, WORKING
from serving.limits import MAX_BODY_BYTES
from serving.shared import deliveries

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api"


class SlackOutput(TurnCollector):
    @classmethod
    def name(cls) -> Text:
        return "slack"


class SlackInput(InputChannel, KnowsItsApp):
    @classmethod
    def name(cls) -> Text:
        return "slack"  # URLs under /webhooks/slack/

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SlackInput":
        if credentials:
            logger.warning("Slack settings in credentials.yml are ignored; use SLACK_* environment variables")
        return cls(env("SLACK_BOT_TOKEN"), env("SLACK_SIGNING_SECRET"), env("SLACK_API_URL", DEFAULT_API_URL))

    def __init__(self, token: str = "", signing_secret: str = "", api_url: str = DEFAULT_API_URL) -> None:
        self.token, self.signing_secret = token, signing_secret
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.client = ApiClient("Slack")
        self.tasks = OrderedTasks()
        self.deliveries = deliveries()

    def off_reason(self) -> Optional[str]:
        missing = [
            name
            for name, value in (("SLACK_BOT_TOKEN", self.token), ("SLACK_SIGNING_SECRET", self.signing_secret))
            if not value
        ]
        if not missing:
            return None
        return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"

    # ---- Web API -----------------------------------------------------------------------------
    async def post_turn(self, channel: str, thread_ts: Optional[str], messages: list) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json; charset=utf-8"}
        for message in render_turn(messages):
            body = {"channel": channel, **slack_message(message), "unfurl_links": False, "unfurl_media": False}
            if thread_ts:
                body["thread_ts"] = thread_ts
            if (
                await self.client.post(
                    f"{self.api_url}/chat.postMessage", "chat.postMessage", json=body, headers=headers
                )
                is None
            ):
                raise DeliveryFailed("Slack chat.postMessage could not be reached")

    def schedule(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        *,
        channel: str,
        user: str,
        text: str,
        thread_ts: Optional[str],
        message_id: str,
        trusted: bool = False,
    ) -> "asyncio.Task[bool]":
        """Handle a runner's text in the background; one conversation per runner and Slack channel.
        ``trusted``: the text is the value of a button this server sent (Slack signs the press)."""
        sender = sender_id("slack", channel, user)
        metadata = {"slack": {"channel": channel, "user": user, "thread_ts": thread_ts}}

        async def work() -> None:
            messages = await run_turn(
                on_new_message,
                SlackOutput(),
                text,
                sender,
                self.name(),
                self.tracker_store,
                message_id=message_id,
                metadata=metadata,
                trusted=trusted,
            )
            await self.post_turn(channel, thread_ts, messages)

        return self.tasks.spawn(sender, work)

    def verified(self, request: Request) -> bool:
        return verify_slack_request(
            self.signing_secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            request.body or b"",
        )

    # ---- webhooks ------------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("ankle_slack_webhook", __name__)
        self.remember_app(webhook)
        reason = self.off_reason()
        if reason:
            logger.info("Slack channel is off: %s", reason)
            return webhook
        logger.info("Slack channel is on: events /webhooks/slack/webhook, interactivity /webhooks/slack/interactive")

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def events(request: Request) -> HTTPResponse:
            if not self.verified(request):
                return response.json({"error": "invalid or stale Slack signature"}, status=401)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": "request too large"}, status=400)
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError, TypeError):
                return response.json({"error": "body is not JSON"}, status=400)
            if not isinstance(body, dict):
                return response.json({"error": "body is not a Slack event"}, status=400)
            if body.get("type") == "url_verification":
                return response.json({"challenge": body.get("challenge", "")})
            if body.get("type") != "event_callback" or not isinstance(body.get("event"), dict):
                return response.text("")
            return await self.acknowledge(
                *self.on_event(body, request.headers.get("X-Slack-Retry-Num"), on_new_message)
            )

        @webhook.route("/interactive", methods=["POST"])
        async def interactive(request: Request) -> HTTPResponse:
            if not self.verified(request):
                return response.json({"error": "invalid or stale Slack signature"}, status=401)
            try:
                form = parse_qs((request.body or b"").decode("utf-8"), strict_parsing=False)
                payload = json.loads(form["payload"][0])
                if not isinstance(payload, dict):
                    raise ValueError
            except (KeyError, IndexError, ValueError, UnicodeDecodeError):
                return response.json({"error": "expected a form field 'payload' with JSON"}, status=400)
            if payload.get("type") == "block_actions":
                return await self.acknowledge(*self.on_block_actions(payload, on_new_message))
            return response.text("")

        @webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            await self.client.close()

        return webhook

    async def acknowledge(self, key: Optional[str], work: "Optional[asyncio.Task[bool]]") -> HTTPResponse:
        if key is None:  # nothing claimed: `work` is the answer for Slack (a duplicate, one in progress) or None
            return work if isinstance(work, HTTPResponse) else response.text("")
        status, _ = await acknowledge_when_done(self.deliveries, key, work)
        return response.text("", status=status)

    def claimed(self, key: str, retry_num: Optional[str] = None) -> Optional[HTTPResponse]:
        """None when this delivery is ours to work on; otherwise the answer for Slack."""
        claim = self.deliveries.claim(key)
        if claim == DONE:
            if retry_num:
                logger.info("Ignoring Slack retry %s of an event already handled", retry_num)
            return response.text("")
        if claim == WORKING:  # another delivery is on it; if that one dies, Slack retries this
            return response.text("", status=503, headers={"Retry-After": "5"})
        return None

    def on_event(
        self, body: Dict[str, Any], retry_num: Optional[str], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Tuple[Optional[str], Any]:
        """The delivery key claimed and the work started for an event; (None, None) to answer 200 at once."""
        event = body["event"]
        if event.get("type") not in ("message", "app_mention"):
            return None, None
        if event.get("subtype") or event.get("bot_id") or not event.get("user") or not event.get("channel"):
            return None, None  # edits, deletions, joins, bot messages (our own replies too)
        channel, user, ts = str(event["channel"]), str(event["user"]), str(event.get("ts") or "")
        # The same message arrives as `message` and `app_mention` (different event ids, same ts);
        # a retry repeats the event id. Either way it is one delivery.
        key = f"message:{channel}:{ts}" if ts else f"event:{body.get('event_id')}"
        answer = self.claimed(key, retry_num)
        if answer is not None:
            return None, answer
        text = slack_plain_text(str(event.get("text") or ""))
        if not text:
            return key, None
        return key, self.schedule(
            on_new_message,
            channel=channel,
            user=user,
            text=text,
            thread_ts=event.get("thread_ts") or ts or None,
            message_id=f"slack-{channel}-{ts}",
        )

    def on_block_actions(
        self, payload: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Tuple[Optional[str], Any]:
        user = (payload.get("user") or {}).get("id")
        channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
        actions = [a for a in payload.get("actions") or [] if isinstance(a, dict) and a.get("value")]
        if not user or not channel or not actions:
            return None, None
        action = actions[0]
        key = f"action:{payload.get('trigger_id') or ''}:{action.get('action_ts') or ''}"
        answer = self.claimed(key)
        if answer is not None:
            return None, answer
        message = payload.get("message") or {}
        container = payload.get("container") or {}
        thread_ts = (
            message.get("thread_ts") or container.get("thread_ts") or message.get("ts") or container.get("message_ts")
        )
        return key, self.schedule(
            on_new_message,
            channel=str(channel),
            user=str(user),
            text=str(action["value"]),
            thread_ts=thread_ts,
            message_id=f"slack-action-{payload.get('trigger_id') or action.get('action_ts')}",
            trusted=True,
        )
