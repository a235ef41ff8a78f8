"""End to end: the real servers with the Telegram channel on, talking to a fake Bot API on loopback.

Each test posts a real-shaped update to /webhooks/telegram/webhook and checks what the runner would
see: the sendMessage calls the bot makes. Every test uses its own chat id.
"""

import itertools
import json
import random

import pytest
import requests
from fake_apis import TELEGRAM_TOKEN, channel_servers, post_telegram, telegram_message, telegram_press
from servers import stored_events

EMERGENCY = "🚨 EMERGENCY: call emergency services or go to A&E now"
# Conversations persist in var/trackers.db between runs: every run uses fresh chat ids.
_chat_ids = itertools.count(random.randrange(10**9, 9 * 10**9, 10**5))


@pytest.fixture(scope="module")
def live():
    with channel_servers() as (servers, fake):
        yield servers, fake


def sent_to(chat_id, method="sendMessage"):
    return lambda call: call.service == "telegram" and call.method == method and call.body.get("chat_id") == chat_id


def ask(live, text, count=1):
    """A new chat says ``text``; returns (chat_id, the sendMessage bodies)."""
    servers, fake = live
    chat_id = next(_chat_ids)
    response = post_telegram(servers, telegram_message(chat_id, text))
    assert response.status_code == 200, response.text
    return chat_id, [call.body for call in fake.wait_for(sent_to(chat_id), count)]


def keyboard(body):
    return [button for row in body["reply_markup"]["inline_keyboard"] for button in row]


def test_question_answered_with_text_and_sources(live):
    servers, fake = live
    chat_id, [reply] = ask(live, "what running shoes should I buy?")
    call = fake.matching(sent_to(chat_id))[0]
    assert call.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert reply["text"].count("Source: ") == 1 and "Nigg" in reply["text"]
    assert "not a diagnosis" in reply["text"]  # first medical answer carries the disclaimer
    assert not reply["text"].startswith("🚨")


def test_red_flag_reply_starts_with_the_emergency_line(live):
    chat_id, replies = ask(live, "I heard a pop in my achilles and now I can't go up on my toes")
    assert replies[0]["text"].startswith(EMERGENCY + "\n\nThis needs emergency care now.")
    assert "Source: " in replies[0]["text"]


def test_quick_replies_are_an_inline_keyboard_and_a_press_gets_the_next_answer(live):
    servers, fake = live
    chat_id, [question] = ask(live, "why does my ankle hurt after running?")
    buttons = keyboard(question)
    assert len(buttons) >= 5 and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    outer = next(b for b in buttons if "outer" in b["callback_data"])
    response = post_telegram(
        servers, telegram_press(chat_id, outer["callback_data"], {"reply_markup": question["reply_markup"]})
    )
    assert response.status_code == 200
    fake.wait_for(lambda c: c.method == "answerCallbackQuery", 1)
    replies = [c.body for c in fake.wait_for(sent_to(chat_id), 2)]
    answer = replies[1]["text"]
    assert answer != question["text"] and "Source: " in answer
    assert "outside" in answer.lower() or "outer" in answer.lower() or "lateral" in answer.lower()


def test_long_button_payload_travels_as_a_short_key(live):
    servers, fake = live
    chat_id, [question] = ask(live, "can you tell me about achilles problems")
    buttons = {b["text"]: b["callback_data"] for b in keyboard(question)}
    data = buttons["Insertional Achilles tendinopathy"]  # its payload is 65 bytes
    assert len(data.encode()) <= 64 and not data.startswith("/condition_info")
    post_telegram(servers, telegram_press(chat_id, data, {"reply_markup": question["reply_markup"]}))
    answer = fake.wait_for(sent_to(chat_id), 2)[1].body["text"]
    assert answer.startswith("Insertional Achilles tendinopathy") and "Source: " in answer


def test_start_command_greets_with_quick_replies(live):
    chat_id, [greeting] = ask(live, "/start")
    assert "Ankle Coach" in greeting["text"] and keyboard(greeting)


def test_non_text_message_gets_a_polite_reply(live):
    servers, fake = live
    chat_id = next(_chat_ids)
    sticker = {"file_id": "CAAC", "file_unique_id": "AgAD", "width": 512, "height": 512, "is_animated": False}
    assert post_telegram(servers, telegram_message(chat_id, sticker=sticker)).status_code == 200
    [reply] = fake.wait_for(sent_to(chat_id))
    assert "only read text" in reply.body["text"]


def test_over_long_message_answered_without_the_model_but_red_flags_still_first(live):
    servers, fake = live
    chat_id, replies = ask(
        live, "long story. " * 200 + "I heard a pop and now I can't stand on tiptoe. " + "more. " * 200
    )
    assert replies[0]["text"].startswith(EMERGENCY)
    assert "too long" in fake.wait_for(sent_to(chat_id), 2)[-1].body["text"]
    assert not [e for e in stored_events(f"telegram:{chat_id}") if e.get("event") == "user"]  # NLU never ran


def test_wrong_or_missing_secret_token_is_refused_and_nothing_sent(live):
    servers, fake = live
    refused = [next(_chat_ids) for _ in range(3)]
    for chat_id, secret in zip(refused, (None, "wrong-secret", "")):
        response = post_telegram(servers, telegram_message(chat_id, "what running shoes should I buy?"), secret=secret)
        assert response.status_code in (401, 403)
    ask(live, "what warm up should I do?")  # processed after the refused ones: they had their chance
    assert not fake.matching(lambda c: c.body.get("chat_id") in refused)


def test_malformed_updates_are_400(live):
    servers, _ = live
    assert post_telegram(servers, b"{not json").status_code == 400
    assert post_telegram(servers, b"").status_code == 400
    assert post_telegram(servers, json.dumps([1, 2])).status_code == 400
    assert post_telegram(servers, {"message": {"text": "no update id"}}).status_code == 400


def test_redelivered_update_is_processed_once(live):
    servers, fake = live
    chat_id = next(_chat_ids)
    update = telegram_message(chat_id, "what warm up should I do?")
    assert post_telegram(servers, update).status_code == 200
    assert post_telegram(servers, update).status_code == 200
    fake.wait_for(sent_to(chat_id))
    ask(live, "what running shoes should I buy?")  # a later update finished, so the duplicate would have too
    assert len(fake.matching(sent_to(chat_id))) == 1


def test_telegram_off_without_env(servers):
    """The default servers start with no channel settings: the bot runs and Telegram is off."""
    assert requests.post(f"{servers.rasa}/webhooks/telegram/webhook", json={"update_id": 1}).status_code == 404
    assert servers.say("e2e-telegram-off", "what warm up should I do?")


def test_group_members_each_have_their_own_conversation(live):
    """In a club's group chat, one member's red flag must not shape another member's answers."""
    servers, fake = live
    group = -next(_chat_ids)

    def say(user_id, text, count=1):
        chat = {"id": group, "type": "group", "title": "Running club"}
        sender = {"id": user_id, "is_bot": False, "first_name": f"Member {user_id}"}
        before = len(fake.matching(sent_to(group)))
        assert post_telegram(servers, telegram_message(group, text, chat=chat, **{"from": sender})).status_code == 200
        return [call.body for call in fake.wait_for(sent_to(group), before + count)][before:]

    [warning] = say(101, "I heard a crack and my ankle is bent sideways")
    assert warning["text"].startswith(EMERGENCY)
    [answer] = say(202, "what running shoes should I buy?")
    assert not answer["text"].startswith(("🚨", "⚠️")) and "Nigg" in answer["text"]
    assert stored_events(f"telegram:{group}:101") and stored_events(f"telegram:{group}:202")
    assert stored_events(f"telegram:{group}") == []
