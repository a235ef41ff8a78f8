"""A rendered turn (channels/rendering.py) in Slack's format: mrkdwn-escaped section blocks under
Slack's limits and quick replies as an ``actions`` block; and Slack's own markup read back as text."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from channels.rendering import ChatMessage, split_text

SLACK_SECTION_LIMIT = 2900  # a section block's text may hold 3000 characters
SLACK_BUTTON_TEXT = 75  # a button's label may hold 75 characters
SLACK_BUTTON_VALUE = 2000
SLACK_MAX_BLOCKS = 50
SLACK_BUTTONS_PER_ACTIONS = 25


def slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup; escape them so the text shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MENTION = re.compile(r"<[@!#][^>]*>")
_LINK = re.compile(r"<([^>|]+)(?:\|([^>]*))?>")


def slack_plain_text(text: str) -> str:
    """What a runner typed in Slack, without mentions and markup: '<@U1> hi &amp; bye' -> 'hi & bye'."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def slack_message(message: ChatMessage) -> Dict[str, Any]:
    """chat.postMessage fields (without channel/thread_ts): fallback text and blocks."""
    blocks: List[Dict[str, Any]] = []
    if message.urgency_line:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{slack_escape(message.urgency_line)}*"}}
        )
    room = (
        SLACK_MAX_BLOCKS
        - len(blocks)
        - (1 + (len(message.buttons) - 1) // SLACK_BUTTONS_PER_ACTIONS if message.buttons else 0)
    )
    chunks = split_text(slack_escape(message.body), SLACK_SECTION_LIMIT)
    if len(chunks) > room:
        chunks = chunks[:room]
        chunks[-1] = chunks[-1][: SLACK_SECTION_LIMIT - 1] + "…"
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]
    for start in range(0, len(message.buttons), SLACK_BUTTONS_PER_ACTIONS):
        group = message.buttons[start : start + SLACK_BUTTONS_PER_ACTIONS]
        blocks.append(
            {
                "type": "actions",
                "block_id": f"quick_replies_{start // SLACK_BUTTONS_PER_ACTIONS}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"quick_reply_{start + i}",
                        "text": {"type": "plain_text", "text": b.title[:SLACK_BUTTON_TEXT], "emoji": True},
                        "value": b.payload[:SLACK_BUTTON_VALUE],
                    }
                    for i, b in enumerate(group)
                ],
            }
        )
    return {"text": message.text[:39_000] or " ", "blocks": blocks}
