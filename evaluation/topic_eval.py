"""Right topic on questions nobody trained on: each question of a held-out topic set, sent as the first
message of a new conversation to the real servers (REST), as a runner would.

- right topic: the answer's ``custom.topic`` is the expected one (``return_to_run`` is the plan answer
  of kind return_to_run, or a reply that leaves that plan to a clinician: ``plan_kind``). A safety
  check first is fine when "None of these" then gives the right answer.
- offered: the right topic was answered, or offered among the "Did you mean" buttons of the
  two-stage fallback or the "Not quite what you asked?" buttons under an answer.
- right with offers: the share of right answers that also offered other topics, the cost of
  offering (extra buttons a runner who got the right answer has to read past).

Prints the overall figures and a per-topic table; saves results/topics.json.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Every blind topic set, oldest first; each README figure says whether it was a first pass.
TOPIC_SETS = sorted((ROOT / "tests" / "eval").glob("topic_set_*.yml"))
TARGETS = {"right": 0.95, "offered": 0.99}


def payload_topic(reply: List[Dict]) -> Optional[str]:
    customs = [m["custom"] for m in reply if isinstance(m.get("custom"), dict)]
    if not customs:
        return None
    custom = customs[-1]
    kind = (custom.get("plan") or {}).get("kind") or custom.get("plan_kind")  # plan_kind: left to a clinician
    if custom.get("topic") == "plan" and kind == "return_to_run":
        return "return_to_run"
    return custom.get("topic")


def offered_topics(reply: List[Dict]) -> List[str]:
    customs = [m["custom"] for m in reply if isinstance(m.get("custom"), dict)]
    return list((customs[-1].get("suggestions") or [])) if customs else []


def button(reply: List[Dict], title: str) -> Optional[str]:
    for message in reply:
        for choice in message.get("buttons") or []:
            if choice.get("title") == title:
                return choice.get("payload")
    return None


def ask(say, text: str) -> Dict:
    """The first answer to ``text`` in a new conversation (through a safety check, answered "None of these")."""
    sender = f"eval-{uuid.uuid4().hex[:10]}"
    reply = say(sender, text)
    checked = False
    custom = [m["custom"] for m in reply if isinstance(m.get("custom"), dict)]
    if custom and custom[-1].get("urgency") == "pending":
        checked = True
        payload = button(reply, "None of these")
        reply = say(sender, payload) if payload else reply
    return {"topic": payload_topic(reply), "offered": offered_topics(reply), "checked": checked}


def evaluate(say, questions: List[Dict]) -> Dict:
    rows = []
    for question in questions:
        got = ask(say, question["text"])
        right = got["topic"] == question["topic"]
        offered = right or question["topic"] in got["offered"]
        rows.append(
            {
                **question,
                **{
                    "got": got["topic"],
                    "offered_topics": got["offered"],
                    "checked": got["checked"],
                    "right": right,
                    "offered": offered,
                },
            }
        )
    per_topic: Dict[str, Dict] = defaultdict(lambda: {"n": 0, "right": 0, "offered": 0, "confused_with": Counter()})
    for row in rows:
        entry = per_topic[row["topic"]]
        entry["n"] += 1
        entry["right"] += row["right"]
        entry["offered"] += row["offered"]
        if not row["right"]:
            entry["confused_with"][str(row["got"])] += 1
    n = len(rows)
    return {
        "questions": n,
        "right": sum(r["right"] for r in rows) / n,
        "offered": sum(r["offered"] for r in rows) / n,
        "checked": sum(r["checked"] for r in rows) / n,
        "right_with_offers": sum(bool(r["right"] and r["offered_topics"]) for r in rows)
        / max(1, sum(r["right"] for r in rows)),
        "per_topic": {t: {**v, "confused_with": dict(v["confused_with"])} for t, v in sorted(per_topic.items())},
        "misses": [r for r in rows if not r["right"]],
    }


def print_report(result: Dict, show_misses: bool, name: str = "") -> None:
    print(f"\nTopics on held-out questions {name} ({result['questions']}, first message of a new conversation)")
    print(
        f"  right topic {result['right']:.1%} (target {TARGETS['right']:.0%})   "
        f"right topic answered or offered {result['offered']:.1%} (target {TARGETS['offered']:.0%})   "
        f"safety check first {result['checked']:.1%}   "
        f"right answers that also offer others {result['right_with_offers']:.1%}"
    )
    print(f"  {'topic':16} {'n':>4} {'right':>7} {'offered':>8}  confused with")
    for topic, row in result["per_topic"].items():
        confused = ", ".join(f"{k} ({v})" for k, v in sorted(row["confused_with"].items(), key=lambda kv: -kv[1]))
        print(f"  {topic:16} {row['n']:4d} {row['right'] / row['n']:7.1%} {row['offered'] / row['n']:8.1%}  {confused}")
    if show_misses:
        for miss in result["misses"]:
            print(f"    MISS {miss['topic']} -> {miss['got']} {miss['offered_topics']}: {miss['text']}")


def run(out_dir: Path, paths: Optional[List[Path]] = None, show_misses: bool = True) -> bool:
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from servers import Servers  # noqa: PLC0415 (starts scripts/serve on free ports)

    servers = Servers(env={"ANKLE_COACH_RATE_PER_SENDER": "1000", "ANKLE_COACH_RATE_PER_ADDRESS": "100000"})
    results = {}
    try:
        servers.wait_ready()
        for path in paths or TOPIC_SETS:
            questions = yaml.safe_load(path.read_text())["questions"]
            results[path.stem] = evaluate(servers.say, questions)
    finally:
        servers.stop()
    out_dir.mkdir(parents=True, exist_ok=True)
    met = True
    for name, result in results.items():
        (out_dir / f"topics-{name}.json").write_text(json.dumps(result, indent=2))
        print_report(result, show_misses, name)
        met = met and result["right"] >= TARGETS["right"] and result["offered"] >= TARGETS["offered"]
    return met


if __name__ == "__main__":
    # python -m evaluation.topic_eval [--quiet] [set.yml ...]   (default: every tests/eval/topic_set_*.yml)
    paths = [Path(arg) for arg in sys.argv[1:] if not arg.startswith("--")]
    ok = run(ROOT / "results", paths or None, show_misses="--quiet" not in sys.argv)
    sys.exit(0 if ok else 1)
