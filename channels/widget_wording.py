"""The web widget's own words, written from knowledge/messages.yml at set-up (``make setup``) to
web/widget/wording.json, so the widget's urgency banners say exactly what Telegram, Slack and the
terminal say, and a curator changes them in one place.

    python -m channels.widget_wording web/widget/wording.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict

from coach.knowledge import Knowledge, load_knowledge


def widget_wording(knowledge: Knowledge) -> Dict[str, object]:
    messages = knowledge.messages
    return {
        "urgency": {level: wording["banner"] for level, wording in messages["urgency_levels"].items()},
        "unreachable": " ".join(messages["widget_unreachable"].split()),
    }


def write(path: Path, knowledge: Knowledge) -> bool:
    """Write the wording if it changed; says whether it did."""
    text = json.dumps(widget_wording(knowledge), indent=2, ensure_ascii=False) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "web/widget/wording.json")
    if write(target, load_knowledge()):
        print(f"wrote the widget's wording: {target}")
