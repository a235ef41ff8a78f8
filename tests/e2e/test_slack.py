"""End to end: the real servers with the Slack channel on, talking to a fake Slack Web API on loopback.

Each test posts signed, real-shaped Events API / interactivity requests and checks what the runner
would see: the chat.postMessage calls the bot makes. Every test uses its own Slack channel id.
"""

import itertools
import json
import random
import time

import pytest
import requests
from fake_apis import (
    SLACK_TOKEN,
    channel_servers,
    post_slack_event,
    post_slack_press,
    slack_event,
    slack_headers,
    slack_press,
)

EMERGENCY = "🚨 EMERGENCY: call emergency services or go to A&E now"
RUNNER = "U0RUNNER"
# Conversations persist in var/trackers.db between runs: every run uses fresh channel ids.
_RUN = "".join(random.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=6))
_channels = (f"D{_RUN}{i:04d}" for i in itertools.count(1))


@pytest.fixture(scope="module")
def live():
    with channel_servers() as (servers, fake):
        yield servers, fake


def posted_in(channel):
    return lambda call: (
        call.service == "slack" and call.method == "chat.postMessage" and call.body.get("channel") == channel
    )


def ask(live, text, count=1, **event):
    """A new DM channel says ``text``; returns (channel, event body, the chat.postMessage bodies)."""
    servers, fake = live
    channel = next(_channels)
    body = slack_event(channel, RUNNER, text, **event)
    response = post_slack_event(servers, body)
    assert response.status_code == 200, response.text
    return channel, body, [call.body for call in fake.wait_for(posted_in(channel), count)]


def sections(message):
    return [block["text"]["text"] for block in message["blocks"] if block["type"] == "section"]


def buttons(message):
    return [element for block in message["blocks"] if block["type"] == "actions" for element in block["elements"]]


def test_url_verification(live):
    servers, _ = live
    response = post_slack_event(
        servers,
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        },
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_question_answered_in_thread_with_sources(live):
    servers, fake = live
    channel, body, [reply] = ask(live, "what running shoes should I buy?")
    call = fake.matching(posted_in(channel))[0]
    assert call.headers.get("Authorization") == f"Bearer {SLACK_TOKEN}"
    assert reply["thread_ts"] == body["event"]["ts"]
    assert reply["text"].count("Source: ") == 1 and "Nigg" in reply["text"]
    assert "Source: " in "\n".join(sections(reply)) and all(
        b["text"]["type"] == "mrkdwn" for b in reply["blocks"] if b["type"] == "section"
    )
    assert not buttons(reply) or all(b["value"].startswith("/") for b in buttons(reply))


def test_red_flag_mention_starts_with_the_emergency_line(live):
    channel, body, replies = ask(
        live, "<@U0BOT> I heard a pop in my achilles and now I can't go up on my toes", kind="app_mention"
    )
    first = replies[0]
    assert first["text"].startswith(EMERGENCY + "\n\nThis needs emergency care now.")
    assert sections(first)[0] == "*🚨 EMERGENCY: call emergency services or go to A&amp;E now*"
    assert first["thread_ts"] == body["event"]["ts"]


def test_quick_replies_are_buttons_and_a_press_answers_in_the_same_thread(live):
    servers, fake = live
    channel, body, [question] = ask(live, "why does my ankle hurt after running?")
    choices = buttons(question)
    assert len(choices) >= 5
    outer = next(b for b in choices if "outer" in b["value"])
    assert outer["value"].startswith("/inform")
    thread = body["event"]["ts"]
    press = slack_press(
        channel, RUNNER, outer["value"], message_ts=f"{time.time():.6f}", thread_ts=thread, title=outer["text"]["text"]
    )
    assert post_slack_press(servers, press).status_code == 200
    answer = fake.wait_for(posted_in(channel), 2)[1].body
    assert answer["thread_ts"] == thread
    assert answer["text"] != question["text"] and "Source: " in answer["text"]
    assert any(word in answer["text"].lower() for word in ("outside", "outer", "lateral"))


def test_forged_and_stale_signatures_are_refused_and_nothing_processed(live):
    servers, fake = live
    refused = [next(_channels) for _ in range(5)]
    url = f"{servers.rasa}/webhooks/slack/webhook"

    def raw(channel):
        return json.dumps(slack_event(channel, RUNNER, "what running shoes should I buy?")).encode()

    forged = slack_headers(raw(refused[0]), secret="not-the-signing-secret")
    assert requests.post(url, data=raw(refused[0]), headers=forged).status_code == 401
    tampered_body = raw(refused[1])
    headers = slack_headers(raw(refused[2]))  # signed for another body
    assert requests.post(url, data=tampered_body, headers=headers).status_code == 401
    stale = slack_headers(raw(refused[3]), timestamp=int(time.time()) - 6 * 60)  # correctly signed, too old
    assert requests.post(url, data=raw(refused[3]), headers=stale).status_code == 401
    assert requests.post(url, data=raw(refused[4]), headers={"Content-Type": "application/json"}).status_code == 401
    press = slack_press(refused[0], RUNNER, "/shoes", message_ts="1.0")
    assert post_slack_press(servers, press, secret="not-the-signing-secret").status_code == 401
    assert post_slack_press(servers, press, timestamp=int(time.time()) - 6 * 60).status_code == 401
    ask(live, "what warm up should I do?")  # handled after the refused requests
    assert not fake.matching(lambda c: c.body.get("channel") in refused)


def test_retry_and_duplicate_delivery_are_processed_once(live):
    servers, fake = live
    channel, body, [reply] = ask(live, "<@U0BOT> what warm up should I do?", kind="app_mention")
    retry = post_slack_event(servers, body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200
    same_message = dict(body, event_id=body["event_id"] + "b", event=dict(body["event"], type="message"))
    assert post_slack_event(servers, same_message).status_code == 200  # message + app_mention for one post
    ask(live, "what running shoes should I buy?")  # handled after the repeats
    assert len(fake.matching(posted_in(channel))) == 1


def test_bot_messages_and_subtypes_are_ignored(live):
    servers, fake = live
    ignored = [next(_channels) for _ in range(3)]
    bot = slack_event(ignored[0], "U0BOT", "Here is my answer", bot_id="B0BOT")
    edited = slack_event(ignored[1], RUNNER, "what shoes?", subtype="message_changed")
    joined = slack_event(ignored[2], RUNNER, "<@U0RUNNER> has joined the channel", subtype="channel_join")
    for body in (bot, edited, joined):
        assert post_slack_event(servers, body).status_code == 200
    ask(live, "what warm up should I do?")
    assert not fake.matching(lambda c: c.body.get("channel") in ignored)


def test_slack_off_without_env(servers):
    """The default servers start with no channel settings: the bot runs and Slack is off."""
    for path in ("webhook", "interactive"):
        assert requests.post(f"{servers.rasa}/webhooks/slack/{path}", data=b"{}").status_code == 404
    assert servers.say("e2e-slack-off", "what warm up should I do?")
