"""A second classifier of what a message asks, and how its opinion is combined with DIET's.

DIET learns from ~2,300 examples; on questions written blind it was confidently wrong about one in
seven, and when it was wrong its runner-up list often missed the right topic too. A plain linear model
on character and word n-grams (coach/text_features.py) generalises better from that little data (on
the development topic sets H-J: intent right 91% against DIET's 85%); averaged with DIET it is right
more often than either, and its confidence is lower when it is wrong, which is what lets the fallback
and the "did you mean" buttons catch the rest (README, "Measured quality").

Plain Python and scikit-learn; components/lexical_intent_classifier.py trains it inside ``rasa train``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

import joblib
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from coach.text_features import ngram_features

Ranking = List[Tuple[str, float]]  # (intent, confidence), most likely first


class TopicModel:
    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    @classmethod
    def train(cls, texts: Sequence[str], intents: Sequence[str], c: float = 30.0) -> "TopicModel":
        if len(set(intents)) < 2:
            raise ValueError("the topic model needs examples of at least two intents")
        # lbfgs has no randomness: the same data gives the same model on every machine
        model = Pipeline(
            [
                ("features", ngram_features()),
                ("classifier", LogisticRegression(C=c, solver="lbfgs", max_iter=3000)),
            ]
        )
        model.fit(list(texts), list(intents))
        return cls(model)

    @property
    def intents(self) -> List[str]:
        return [str(name) for name in self.pipeline.classes_]

    def probabilities(self, texts: Iterable[str]) -> List[Dict[str, float]]:
        texts = [text or "" for text in texts]
        if not texts:
            return []
        return [
            {intent: float(p) for intent, p in zip(self.intents, row)} for row in self.pipeline.predict_proba(texts)
        ]

    def save(self, path: Path) -> None:
        joblib.dump(self.pipeline, path)

    @classmethod
    def load(cls, path: Path) -> "TopicModel":
        return cls(joblib.load(path))


def blend(lexical: Mapping[str, float], learned: Mapping[str, float], lexical_weight: float) -> Ranking:
    """The weighted average of two opinions (intent -> confidence), most likely first. An intent one
    of them does not know counts as 0 there; with no second opinion the first stands alone."""
    if not learned:
        return sorted(lexical.items(), key=lambda item: -item[1])
    if not lexical:
        return sorted(learned.items(), key=lambda item: -item[1])
    weight = min(max(lexical_weight, 0.0), 1.0)
    combined = {
        intent: weight * lexical.get(intent, 0.0) + (1 - weight) * learned.get(intent, 0.0)
        for intent in set(lexical) | set(learned)
    }
    return sorted(combined.items(), key=lambda item: (-item[1], item[0]))
