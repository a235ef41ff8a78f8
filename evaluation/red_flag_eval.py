"""Red-flag detector recall and false alarms on the evaluation sets in tests/eval/.

All four sets were written blind, each measured once before it was used to improve the patterns;
those first measurements are recorded in README ("Measured quality"). Together they are now
regression sets: a new blind set is the only honest measure of generalisation.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import yaml

from coach.knowledge import load_knowledge
from coach.language import load_pipeline
from coach.red_flags import RedFlagDetector, most_urgent

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval"
SETS = {"A": "red_flag_cases.yml", "B": "red_flag_cases_b.yml", "C": "red_flag_cases_c.yml",
        "D": "red_flag_cases_d.yml"}


def evaluate_set(detector: RedFlagDetector, path: Path) -> Dict:
    cases = yaml.safe_load(path.read_text())
    missed, under, alarms = [], [], []
    for case in cases["red_flags"]:
        hits = detector.detect(case["text"])
        if not hits:
            missed.append(case)
        elif case["urgency"] == "emergency" and most_urgent(hits) != "emergency":
            under.append({**case, "detected": [h.flag_id for h in hits]})
    for case in cases["ordinary"]:
        hits = detector.detect(case["text"])
        if hits:
            alarms.append({**case, "detected": [h.flag_id for h in hits]})
    n_flags, n_ordinary = len(cases["red_flags"]), len(cases["ordinary"])
    return {"red_flags": n_flags, "ordinary": n_ordinary,
            "recall": (n_flags - len(missed)) / n_flags, "false_alarm_rate": len(alarms) / n_ordinary,
            "missed": missed, "under_triaged": under, "false_alarms": alarms}


def run(out_dir: Path) -> bool:
    detector = RedFlagDetector(load_pipeline(), load_knowledge())
    results = {name: evaluate_set(detector, EVAL_DIR / file) for name, file in SETS.items() if (EVAL_DIR / file).exists()}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "red_flags.json").write_text(json.dumps(results, indent=2))
    print("\nRed-flag detector (targets: recall 100%, false alarms <= 5%)")
    print(f"  {'set':18} {'flags':>5} {'recall':>8} {'ordinary':>8} {'false alarms':>13} {'emergency under-triaged':>24}")
    ok = True
    for name, r in results.items():
        print(f"  {name:18} {r['red_flags']:5d} {r['recall']:8.1%} {r['ordinary']:8d} {r['false_alarm_rate']:13.1%} "
              f"{len(r['under_triaged']):24d}")
        ok &= r["recall"] == 1.0 and r["false_alarm_rate"] <= 0.05
        for case in r["missed"]:
            print(f"    MISSED [{case['flag']}] {case['text']}")
        for case in r["false_alarms"]:
            print(f"    FALSE ALARM {case['detected']} {case['text']}")
    print(f"  details: {out_dir / 'red_flags.json'}")
    return ok
