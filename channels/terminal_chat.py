"""`make shell`: chat with a running Ankle Coach (make serve) in the terminal over the REST channel.

Unlike `rasa shell` it loads no second model; it shows what the widget shows: text, quick
replies (type their number), urgency banners and sources.
"""

from __future__ import annotations

import os
import sys
import uuid
from typing import List

import requests

from coach.knowledge import load_knowledge

# The wording lives with the urgency levels in knowledge/messages.yml, as for Telegram and Slack.
URGENCY_BANNERS = {
    level: f"{'!' * (3 - min(rank, 2))} {wording['banner']}"
    for rank, (level, wording) in enumerate(load_knowledge().messages["urgency_levels"].items())
}


def render(messages: List[dict]) -> List[dict]:
    """Print a reply; return its buttons so the runner can pick one by number."""
    buttons: List[dict] = []
    for message in messages:
        custom = message.get("custom")
        if custom:
            banner = URGENCY_BANNERS.get(custom.get("urgency", ""))
            if banner:
                print(f"\n{banner}")
            continue
        if message.get("text"):
            print(f"\nCoach: {message['text']}")
        for button in message.get("buttons", []):
            buttons.append(button)
            print(f"  [{len(buttons)}] {button['title']}")
    return buttons


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}/webhooks/rest/webhook"
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print("Ankle Coach - type a message, a quick-reply number, or /quit.")
    buttons: List[dict] = []
    while True:
        try:
            line = input("\nYou: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line in ("/quit", "/exit"):
            return 0
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            line = buttons[int(line) - 1]["payload"]
        try:
            response = requests.post(url, json={"sender": sender, "message": line}, timeout=60)
        except requests.ConnectionError:
            print(f"Can't reach Ankle Coach at {url}. Start it with `make serve` (or `make run`) in another terminal.")
            continue
        if response.status_code != 200:
            print(f"The server answered {response.status_code}: {response.text[:200]}")
            continue
        buttons = render(response.json())


if __name__ == "__main__":
    sys.exit(main())
