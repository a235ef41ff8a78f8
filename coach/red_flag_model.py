"""The learned second opinion on red flags: how likely a message is to describe one, in [0, 1].

A small, deterministic text classifier (character and word n-grams, logistic regression), trained on
phrasings written for it (data/triage/red_flag_phrasings.yml) plus the NLU examples: ``red_flag``
examples are positives, every other intent's examples are negatives. Plain Python and scikit-learn;
components/red_flag_classifier.py trains it inside ``rasa train`` and stores it with the model.

Its score can only ask for a safety check (coach/triage.py), never raise an alarm, so it is tuned
for recall: it is the layer that catches phrasings the patterns have never seen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import joblib
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from coach.text_features import ngram_features

PHRASINGS = Path(__file__).resolve().parent.parent / "data" / "triage" / "red_flag_phrasings.yml"


def load_phrasings(path: Path = PHRASINGS) -> Tuple[List[str], List[str]]:
    """(red-flag texts, ordinary texts) from the phrasings file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return (
        [item["text"] for item in data["red_flag_phrasings"]],
        [item["text"] for item in data["ordinary_phrasings"]],
    )


class RedFlagModel:
    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    @classmethod
    def train(cls, positives: Sequence[str], negatives: Sequence[str], c: float = 4.0) -> "RedFlagModel":
        features = ngram_features()
        # liblinear is deterministic: the same data gives the same model on every machine.
        model = Pipeline(
            [
                ("features", features),
                ("classifier", LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000)),
            ]
        )
        texts = list(positives) + list(negatives)
        labels = [1] * len(positives) + [0] * len(negatives)
        model.fit(texts, labels)
        return cls(model)

    def scores(self, texts: Iterable[str]) -> List[float]:
        texts = [text or "" for text in texts]
        if not texts:
            return []
        return [float(p) for p in self.pipeline.predict_proba(texts)[:, 1]]

    def score(self, text: str) -> float:
        return self.scores([text])[0]

    def save(self, path: Path) -> None:
        joblib.dump(self.pipeline, path)

    @classmethod
    def load(cls, path: Path) -> "RedFlagModel":
        return cls(joblib.load(path))
