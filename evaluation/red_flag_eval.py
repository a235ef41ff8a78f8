"""Triage on the red-flag evaluation sets in tests/eval/: what the first reply to each message would be.

Every message goes through the trained model's NLU pipeline (DIET, the learned red-flag score and
the red-flag guard), exactly as a runner's first message does, and is counted as:

- direct:  a red flag warned in the first reply (intent ``red_flag``);
- caught:  warned, or given the safety check (intent ``safety_check``);
- emergencies answered ``emergency``: the first reply's level for the set's emergencies;
- alarms / checks on ordinary messages, and on plain runner questions (shoes, warm-up, technique,
  plan, ...), which must never be checked or alarmed.

Sets A-D were written blind and each then shaped the patterns; F and G were written blind for the
safety-check design (F measured once before any change made from it, G only at the very end); H, I, J and K
were written blind in session 7, L, M and N in session 8, each measured once before anything was learned from it.
Their first-pass figures are in the README. All stay here as regression sets.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Callable, Dict, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "tests" / "eval"
SETS = {
    "A": "red_flag_cases.yml",
    "B": "red_flag_cases_b.yml",
    "C": "red_flag_cases_c.yml",
    "D": "red_flag_cases_d.yml",
    "F": "red_flag_cases_f.yml",
    "G": "red_flag_cases_g.yml",
    "H": "red_flag_cases_h.yml",
    "I": "red_flag_cases_i.yml",
    "J": "red_flag_cases_j.yml",
    "K": "red_flag_cases_k.yml",
    "L": "red_flag_cases_l.yml",
    "M": "red_flag_cases_m.yml",
    "N": "red_flag_cases_n.yml",
    "O": "red_flag_cases_o.yml",
    "P": "red_flag_cases_p.yml",
    "Q": "red_flag_cases_q.yml",
    "R": "red_flag_cases_r.yml",
    "S": "red_flag_cases_s.yml",
    "T": "red_flag_cases_t.yml",
    "U": "red_flag_cases_u.yml",
    "V": "red_flag_cases_v.yml",
    "W": "red_flag_cases_w.yml",
    "X": "red_flag_cases_x.yml",
    "Y": "red_flag_cases_y.yml",
    "Z": "red_flag_cases_z.yml",
    "AA": "red_flag_cases_aa.yml",
    "AB": "red_flag_cases_ab.yml",
    "AC": "red_flag_cases_ac.yml",
}
PLAIN_KINDS = {"shoes", "warmup", "technique", "plan", "training", "stretching", "exercises"}
TARGETS = {"caught": 0.99, "emergency_right": 0.90, "alarm_rate": 0.02, "check_rate": 0.10}

Parse = Callable[[str], Dict]


def model_parser(model: Path = ROOT / "models" / "current.tar.gz") -> Parse:
    """Parse with the trained model, in process (no servers needed)."""
    from rasa.core.agent import Agent  # noqa: PLC0415 (heavy: only when evaluating)

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    return lambda text: loop.run_until_complete(agent.parse_message(text))


def first_reply(parsed: Dict) -> Dict[str, Optional[str]]:
    intent = (parsed.get("intent") or {}).get("name")
    triage = parsed.get("triage") or {}
    if intent == "red_flag":
        return {"kind": "warn", "urgency": triage.get("urgency")}
    if intent == "safety_check":
        return {"kind": "check", "urgency": "pending", "check": triage.get("check"), "reason": triage.get("reason")}
    return {"kind": "answer", "urgency": None, "intent": intent}


def evaluate_set(parse: Parse, cases: Dict) -> Dict:
    flags, ordinary = cases["red_flags"], cases["ordinary"]
    replies = [first_reply(parse(case["text"])) for case in flags]
    ordinary_replies = [first_reply(parse(case["text"])) for case in ordinary]
    emergencies = [(c, r) for c, r in zip(flags, replies) if c["urgency"] == "emergency"]
    plain = [(c, r) for c, r in zip(ordinary, ordinary_replies) if c.get("kind") in PLAIN_KINDS]
    n, m = len(flags), len(ordinary)
    return {
        "red_flags": n,
        "ordinary": m,
        "emergencies": len(emergencies),
        "plain_questions": len(plain),
        "direct": sum(r["kind"] == "warn" for r in replies) / n,
        "caught": sum(r["kind"] != "answer" for r in replies) / n,
        "emergency_right": (
            sum(r["urgency"] == "emergency" for _, r in emergencies) / len(emergencies) if emergencies else 1.0
        ),
        "alarm_rate": sum(r["kind"] == "warn" for r in ordinary_replies) / m,
        "check_rate": sum(r["kind"] == "check" for r in ordinary_replies) / m,
        "plain_questions_touched": sum(r["kind"] != "answer" for _, r in plain),
        "missed": [{**c, "reply": r} for c, r in zip(flags, replies) if r["kind"] == "answer"],
        "under_triaged": [{**c, "reply": r} for c, r in emergencies if r["urgency"] != "emergency"],
        "alarms": [{**c, "reply": r} for c, r in zip(ordinary, ordinary_replies) if r["kind"] == "warn"],
        "checks": [{**c, "reply": r} for c, r in zip(ordinary, ordinary_replies) if r["kind"] == "check"],
    }


def meets_targets(result: Dict) -> bool:
    return (
        result["caught"] >= TARGETS["caught"]
        and result["emergency_right"] >= TARGETS["emergency_right"]
        and result["alarm_rate"] <= TARGETS["alarm_rate"]
        and result["check_rate"] <= TARGETS["check_rate"]
        and result["plain_questions_touched"] == 0
    )


def print_table(results: Dict[str, Dict], show_cases: bool) -> None:
    print(
        "\nTriage of the first reply (targets: caught >= 99%, emergencies answered emergency >= 90%, "
        "alarms <= 2% and checks <= 10% of ordinary messages, no plain question touched)"
    )
    print(
        f"  {'set':4} {'flags':>5} {'direct':>7} {'caught':>7} {'emerg.':>7} {'ordinary':>8} {'alarms':>7} "
        f"{'checks':>7} {'plain q. touched':>17}"
    )
    for name, r in results.items():
        print(
            f"  {name:4} {r['red_flags']:5d} {r['direct']:7.1%} {r['caught']:7.1%} {r['emergency_right']:7.1%} "
            f"{r['ordinary']:8d} {r['alarm_rate']:7.1%} {r['check_rate']:7.1%} "
            f"{r['plain_questions_touched']:>9d}/{r['plain_questions']}"
        )
        if show_cases:
            for key in ("missed", "under_triaged", "alarms", "checks"):
                for case in r[key]:
                    what = case.get("flag") or case.get("kind")
                    print(f"    {key.upper():13} {what} -> {case['reply']}: {case['text']}")


def run(
    out_dir: Path, parse: Optional[Parse] = None, sets: Optional[Dict[str, Path]] = None, show_cases: bool = True
) -> bool:
    parse = parse or model_parser()
    paths = sets or {name: EVAL_DIR / file for name, file in SETS.items() if (EVAL_DIR / file).exists()}
    results = {name: evaluate_set(parse, yaml.safe_load(Path(path).read_text())) for name, path in paths.items()}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "red_flags.json").write_text(json.dumps(results, indent=2))
    print_table(results, show_cases)
    print(f"  details: {out_dir / 'red_flags.json'}")
    return all(meets_targets(r) for r in results.values())


if __name__ == "__main__":
    # python -m evaluation.red_flag_eval [--quiet] [NAME=path.yml ...]: a set of your own, or all in tests/eval/.
    named = dict(arg.split("=", 1) for arg in sys.argv[1:] if "=" in arg)
    ok = run(
        ROOT / "results", sets={k: Path(v) for k, v in named.items()} or None, show_cases="--quiet" not in sys.argv
    )
    sys.exit(0 if ok else 1)
