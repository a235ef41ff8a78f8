"""How a turn of bot messages reads on Telegram and Slack (channels/rendering.py and the two formats,
plain Python)."""

import json

import pytest

from channels.rendering import URGENCY_LINES, Button, ChatMessage, render_turn, split_text
from channels.slack_format import slack_escape, slack_message, slack_plain_text
from channels.telegram_format import TELEGRAM_CALLBACK_BYTES, TELEGRAM_TEXT_LIMIT, CallbackPayloads, telegram_messages
from coach.answers import Context
from coach.replies import button


def test_self_care_answer_keeps_its_text_and_sources_line_once(coach):
    reply = coach.answer("shoes", Context())
    [message] = render_turn(reply.messages())
    assert message.urgency_line is None
    assert message.text == reply.text
    assert message.text.count("Source: ") == 1 and all(s in message.text for s in reply.sources)


@pytest.mark.parametrize("flag, urgency", [("achilles_rupture", "emergency"), ("cannot_bear_weight", "urgent")])
def test_red_flag_puts_urgency_line_at_the_top(coach, flag, urgency):
    reply = coach.safety.red_flag_reply([flag])
    assert reply.urgency == urgency
    [message] = render_turn(reply.messages())
    assert message.text.startswith(URGENCY_LINES[urgency] + "\n\n" + reply.text.split("\n")[0])
    assert message.text.count("Source: ") == 1


def test_emergency_line_reads_as_the_contract_says():
    assert URGENCY_LINES["emergency"] == "🚨 EMERGENCY: call emergency services or go to A&E now"


def test_urgent_and_soon_lines():
    for urgency in ("urgent", "soon"):
        [message] = render_turn(
            [{"text": "Advice."}, {"custom": {"topic": "why_pain", "urgency": urgency, "sources": []}}]
        )
        assert message.text == URGENCY_LINES[urgency] + "\n\nAdvice."


def test_most_urgent_line_goes_on_the_first_message_of_the_turn():
    turn = [
        {"text": "Hello."},
        {"text": "This needs emergency care now.", "buttons": []},
        {"custom": {"topic": "red_flag", "urgency": "emergency", "sources": ["S1"]}},
        {"text": "Too long."},
    ]
    first, second, third = render_turn(turn)
    assert first.text.startswith(URGENCY_LINES["emergency"]) and first.body == "Hello."
    assert second.urgency_line is None and second.body == "This needs emergency care now.\n\nSource: S1"
    assert third.text == "Too long."


def test_sources_added_only_when_missing():
    [message] = render_turn(
        [
            {"text": "Rest a few days."},
            {"custom": {"topic": "when_to_rest", "urgency": "self_care", "sources": ["A 2020", "B 2021"]}},
        ]
    )
    assert message.text == "Rest a few days.\n\nSource: A 2020; B 2021"
    [message] = render_turn(
        [
            {"text": "Rest.\n\nSource: A 2020; B 2021"},
            {"custom": {"topic": "when_to_rest", "urgency": "self_care", "sources": ["A 2020", "B 2021"]}},
        ]
    )
    assert message.text.count("Source:") == 1


def test_payload_without_text_still_shows_urgency_and_sources():
    [message] = render_turn([{"custom": {"topic": "red_flag", "urgency": "urgent", "sources": ["X"]}}])
    assert message.text == URGENCY_LINES["urgent"] + "\n\nSource: X"


def test_buttons_and_unknown_payloads_and_images():
    [message] = render_turn(
        [
            {"text": "Where?", "buttons": [{"title": "Heel", "payload": '/inform{"location": "heel"}'}]},
            {"custom": {"something": "else"}},
            {"image": "https://example.org/a.png"},
        ]
    )[:1]
    assert message.buttons == [Button("Heel", '/inform{"location": "heel"}')]
    assert message.urgency_line is None
    assert render_turn([]) == []


def test_split_text_respects_limits_and_keeps_everything():
    text = "\n\n".join(f"Paragraph {i} " + "word " * 150 for i in range(20))
    chunks = split_text(text, 1000)
    assert all(len(chunk) <= 1000 for chunk in chunks) and len(chunks) > 1
    assert " ".join(chunks).split() == text.split()
    assert split_text("x" * 2500, 1000) == ["x" * 1000, "x" * 1000, "x" * 500]
    assert split_text("short", 1000) == ["short"]


def test_callback_payloads_fit_telegram_and_decode():
    payloads = CallbackPayloads()
    short = '/inform{"location": "heel"}'
    long = button("Insertional Achilles tendinopathy", "condition_info", condition="achilles_tendinopathy_insertional")[
        "payload"
    ]
    assert len(long.encode()) > TELEGRAM_CALLBACK_BYTES
    assert payloads.encode(short) == short and payloads.decode(short) == short
    key = payloads.encode(long)
    assert len(key.encode()) <= TELEGRAM_CALLBACK_BYTES and key != long
    assert payloads.encode(long) == key and payloads.decode(key) == long
    assert CallbackPayloads().decode(key) is None  # unknown after a restart: the channel uses the title
    assert len(payloads.encode("é" * 40).encode()) <= TELEGRAM_CALLBACK_BYTES  # 80 bytes in UTF-8
    small = CallbackPayloads(capacity=2)
    keys = [small.encode(f"/x{'y' * 70}{i}") for i in range(3)]
    assert small.decode(keys[0]) is None and small.decode(keys[2]).endswith("2")


def test_telegram_messages_split_long_text_and_put_keyboard_last():
    message = ChatMessage(body="word " * 2000, buttons=[Button("Heel", "/inform")], urgency_line=URGENCY_LINES["soon"])
    bodies = telegram_messages(message, CallbackPayloads())
    assert len(bodies) == 3 and all(len(b["text"]) <= TELEGRAM_TEXT_LIMIT for b in bodies)
    assert bodies[0]["text"].startswith(URGENCY_LINES["soon"])
    assert "reply_markup" not in bodies[0]
    assert bodies[-1]["reply_markup"] == {"inline_keyboard": [[{"text": "Heel", "callback_data": "/inform"}]]}


def test_slack_message_blocks():
    message = ChatMessage(
        body="Tape & brace <maybe>",
        urgency_line=URGENCY_LINES["emergency"],
        buttons=[Button("Heel", '/inform{"location": "heel"}'), Button("x" * 100, "/p")],
    )
    slack = slack_message(message)
    assert slack["text"].startswith(URGENCY_LINES["emergency"])
    header, body, actions = slack["blocks"]
    assert header["text"] == {"type": "mrkdwn", "text": "*🚨 EMERGENCY: call emergency services or go to A&amp;E now*"}
    assert body["text"]["text"] == "Tape &amp; brace &lt;maybe&gt;"
    assert actions["type"] == "actions"
    assert [e["value"] for e in actions["elements"]] == ['/inform{"location": "heel"}', "/p"]
    assert len(actions["elements"][1]["text"]["text"]) <= 75
    assert len({e["action_id"] for e in actions["elements"]}) == 2


def test_slack_message_long_text_and_many_buttons_stay_within_limits():
    message = ChatMessage(body="word " * 40_000, buttons=[Button(f"B{i}", f"/p{i}") for i in range(30)])
    blocks = slack_message(message)["blocks"]
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]


def test_slack_text_in_and_out():
    assert slack_escape("a & <b>") == "a &amp; &lt;b&gt;"
    assert slack_plain_text("<@U0BOT> why does my ankle hurt &amp; swell?") == "why does my ankle hurt & swell?"
    assert slack_plain_text("see <https://example.org|this> or <https://x.org>") == "see this or https://x.org"
    assert slack_plain_text("<@U0BOT>") == ""


def test_the_widget_words_every_urgency_as_the_chat_apps_do(knowledge, tmp_path):
    """One wording for the runner on every channel: the widget's banners (written to wording.json at
    set-up) are the knowledge file's, the same words Telegram and Slack put on top."""
    from channels.widget_wording import write  # noqa: PLC0415

    target = tmp_path / "wording.json"
    assert write(target, knowledge) and not write(target, knowledge)  # rewritten only when it changes
    wording = json.loads(target.read_text(encoding="utf-8"))
    for level in ("emergency", "urgent", "soon", "pending"):
        assert wording["urgency"][level] in URGENCY_LINES[level]
    assert "call emergency services" in wording["unreachable"]
