"""The text features of this project's small learned models (coach/red_flag_model.py, coach/topic_model.py):
character n-grams, which survive runners' typos and non-native spellings, and word pairs, which carry
phrases such as "rest days" or "first run back". Plain scikit-learn, deterministic."""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

_APOSTROPHES = re.compile(r"[\u2018\u2019`]")


def normalise(text: str) -> str:
    return _APOSTROPHES.sub("'", text.lower())


def ngram_features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    preprocessor=normalise,
                    max_features=60_000,
                    dtype="float32",
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                    preprocessor=normalise,
                    token_pattern=r"(?u)\b\w[\w']*\b",
                    dtype="float32",
                ),
            ),
        ]
    )
