"""`make eval`: NLU cross-validation, held-out intent results, triage on the red-flag sets and the right
topic on the held-out topic set, saved to results/.

Every file in tests/eval/ was written blind by someone who had not seen the training data or the
patterns, and is never trained on (tests/unit/test_training_data.py checks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from evaluation import red_flag_eval, topic_eval

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
RASA = str(ROOT / ".venv" / "bin" / "rasa")
HELD_OUT = ROOT / "tests" / "eval" / "heldout_nlu.yml"
F1_TARGET = 0.95
SUMMARY_ROWS = ("accuracy", "weighted avg", "macro avg", "micro avg")


def rasa(*args: str) -> None:
    env = dict(os.environ, PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    log = RESULTS / f"{args[2].lstrip('-') if len(args) > 2 else 'rasa'}.log"
    with open(log, "w") as handle:
        subprocess.run([RASA, *args, "--quiet"], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, check=True)


def print_intent_report(title: str, report_path: Path) -> float:
    report = json.loads(report_path.read_text())
    print(f"\n{title}")
    print(f"  {'intent':16} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}  confused with")
    for intent, row in sorted(report.items()):
        if intent in SUMMARY_ROWS or not isinstance(row, dict):
            continue
        confused = ", ".join(f"{k} ({v})" for k, v in row.get("confused_with", {}).items())
        scores = f"{row['precision']:9.2f} {row['recall']:7.2f} {row['f1-score']:6.2f} {row['support']:4d}"
        print(f"  {intent:16} {scores}  {confused}")
    weighted = report["weighted avg"]["f1-score"]
    print(
        f"  weighted F1 {weighted:.3f}   macro F1 {report['macro avg']['f1-score']:.3f}   "
        f"accuracy {report.get('accuracy', float('nan')):.3f}"
    )
    return weighted


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    skip_crossval = "--no-crossval" in sys.argv
    if not skip_crossval:
        print("5-fold cross-validation on data/nlu (trains 5 models; takes a while) ...", flush=True)
        rasa(
            "test",
            "nlu",
            "--cross-validation",
            "--folds",
            "5",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--out",
            str(RESULTS / "crossval"),
        )
        print_intent_report(
            "Cross-validation (5 folds, data/nlu) per intent", RESULTS / "crossval" / "intent_report.json"
        )
    print("\nHeld-out test on tests/eval/heldout_nlu.yml ...", flush=True)
    rasa("test", "nlu", "--nlu", str(HELD_OUT), "--model", "models/current.tar.gz", "--out", str(RESULTS / "heldout"))
    held_out_f1 = print_intent_report("Held-out intents (never trained on)", RESULTS / "heldout" / "intent_report.json")
    print(f"  target weighted F1 >= {F1_TARGET}: {'met' if held_out_f1 >= F1_TARGET else 'NOT met'}")
    print(f"  confusion matrix and errors: {RESULTS / 'heldout'} (intent_confusion_matrix.png, intent_errors.json)")
    red_flags_ok = red_flag_eval.run(RESULTS)
    topics_ok = topic_eval.run(RESULTS)
    return 0 if held_out_f1 >= F1_TARGET and red_flags_ok and topics_ok else 1


if __name__ == "__main__":
    sys.exit(main())
