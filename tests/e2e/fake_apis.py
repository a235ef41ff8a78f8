"""A fake Telegram Bot API and Slack Web API on 127.0.0.1, recording every call the bot makes.

Telegram calls arrive as POST /bot{token}/{method}; Slack calls as POST /slack/{method}.
Helpers sign Slack requests and build real-shaped updates and events; ``channel_servers`` starts
the real servers with both channels pointed at the fake.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Iterator, List, Optional
from urllib.parse import urlencode

import requests
from servers import Servers

TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_SECRET = "e2e-telegram-secret_42"
SLACK_TOKEN = "xoxb-e2e-slack-token"
SLACK_SECRET = "e2e-slack-signing-secret"


@dataclass
class Call:
    service: str  # "telegram" or "slack"
    method: str  # sendMessage, answerCallbackQuery, chat.postMessage ...
    path: str
    headers: Dict[str, str]
    body: dict


class FakeApis:
    def __init__(self) -> None:
        self.calls: List[Call] = []
        self._changed = threading.Condition()
        self._ids = itertools.count(1000)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                parts = self.path.strip("/").split("/")
                service = "slack" if parts[0] == "slack" else "telegram"
                call = Call(service, parts[-1], self.path, dict(self.headers.items()), body)
                answer = fake.answer(call)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with fake._changed:
                    fake.calls.append(call)
                    fake._changed.notify_all()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, call: Call) -> dict:
        if call.service == "slack":
            return {"ok": True, "channel": call.body.get("channel"), "ts": f"{time.time():.6f}"}
        if call.method == "sendMessage":
            return {
                "ok": True,
                "result": {
                    "message_id": next(self._ids),
                    "chat": {"id": call.body.get("chat_id")},
                    "text": call.body.get("text"),
                },
            }
        return {"ok": True, "result": True}

    def matching(self, predicate: Callable[[Call], bool]) -> List[Call]:
        with self._changed:
            return [call for call in self.calls if predicate(call)]

    def wait_for(self, predicate: Callable[[Call], bool], count: int = 1, timeout: float = 60) -> List[Call]:
        """The calls matching ``predicate`` once there are at least ``count`` of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self.calls if predicate(call)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} matching call(s), got {len(found)}; all calls: "
                        f"{[(c.method, c.body) for c in self.calls]}"
                    )
                self._changed.wait(left)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def channel_servers() -> Iterator[tuple]:
    """(servers, fake): the real servers with Telegram and Slack on, talking to the fake APIs."""
    fake = FakeApis()
    started = Servers(
        env={
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": fake.url,
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": f"{fake.url}/slack",
        }
    )
    try:
        started.wait_ready()
        yield started, fake
    finally:
        started.stop()
        fake.stop()


# ---- Telegram ------------------------------------------------------------------------------------
_update_ids = itertools.count(int(time.time()) % 1_000_000 * 100)


def telegram_message(chat_id: int, text: Optional[str] = None, **extra) -> dict:
    message = {
        "message_id": next(_update_ids) % 100_000,
        "date": int(time.time()),
        "from": {"id": chat_id, "is_bot": False, "first_name": "Runner", "language_code": "en"},
        "chat": {"id": chat_id, "type": "private", "first_name": "Runner"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": next(_update_ids), "message": message}


def telegram_press(chat_id: int, data: str, keyboard_message: Optional[dict] = None) -> dict:
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": 1, "is_bot": True, "first_name": "Ankle Coach"},
        "text": "...",
    }
    if keyboard_message:
        message.update(keyboard_message)
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "chat_instance": "42",
            "data": data,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Runner"},
            "message": message,
        },
    }


def post_telegram(servers: Servers, update, secret: Optional[str] = TELEGRAM_SECRET) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    data = update if isinstance(update, (bytes, str)) else json.dumps(update)
    return requests.post(f"{servers.rasa}/webhooks/telegram/webhook", data=data, headers=headers, timeout=10)


# ---- Slack ---------------------------------------------------------------------------------------
def slack_headers(
    body: bytes, secret: str = SLACK_SECRET, timestamp: Optional[int] = None, content_type: str = "application/json"
) -> Dict[str, str]:
    from channels.verify import slack_signature  # the repo root is importable (pytest.ini pythonpath)

    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(secret, timestamp, body),
    }


_event_ids = itertools.count(1)


def slack_event(channel: str, user: str, text: str, ts: Optional[str] = None, kind: str = "message", **extra) -> dict:
    ts = ts or f"{time.time():.6f}"
    event = {
        "type": kind,
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im" if channel.startswith("D") else "channel",
        **extra,
    }
    return {
        "token": "legacy",
        "team_id": "T0E2E",
        "api_app_id": "A0E2E",
        "type": "event_callback",
        "event": event,
        "event_id": f"Ev{int(time.time())}{next(_event_ids):04d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0E2E", "user_id": "U0BOT", "is_bot": True}],
    }


def post_slack_event(
    servers: Servers, body: dict, headers: Optional[Dict[str, str]] = None, **sign
) -> requests.Response:
    raw = json.dumps(body).encode()
    headers = {**slack_headers(raw, **sign), **(headers or {})}
    return requests.post(f"{servers.rasa}/webhooks/slack/webhook", data=raw, headers=headers, timeout=10)


def slack_press(
    channel: str, user: str, value: str, message_ts: str, thread_ts: Optional[str] = None, title: str = "Button"
) -> dict:
    message = {"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "ts": message_ts, "text": "..."}
    if thread_ts:
        message["thread_ts"] = thread_ts
    stamp = f"{time.time():.6f}"
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "runner", "team_id": "T0E2E"},
        "api_app_id": "A0E2E",
        "token": "legacy",
        "trigger_id": f"{next(_event_ids)}.{int(time.time())}.abc",
        "team": {"id": "T0E2E", "domain": "e2e"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
            **({"thread_ts": thread_ts} if thread_ts else {}),
        },
        "channel": {"id": channel, "name": "directmessage"},
        "message": message,
        "response_url": "https://hooks.slack.invalid/actions/1",
        "state": {"values": {}},
        "actions": [
            {
                "type": "button",
                "action_id": "quick_reply_0",
                "block_id": "quick_replies_0",
                "text": {"type": "plain_text", "text": title},
                "value": value,
                "action_ts": stamp,
            }
        ],
    }


def post_slack_press(servers: Servers, payload: dict, **sign) -> requests.Response:
    raw = urlencode({"payload": json.dumps(payload)}).encode()
    headers = slack_headers(raw, content_type="application/x-www-form-urlencoded", **sign)
    return requests.post(f"{servers.rasa}/webhooks/slack/interactive", data=raw, headers=headers, timeout=10)
