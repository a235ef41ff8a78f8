"""The learned second opinion on red flags, trained by `rasa train` and stored with the model.

Trains coach/red_flag_model.py on the phrasings written for it (data/triage/red_flag_phrasings.yml)
and on the NLU examples (``red_flag`` examples positive, all others negative), and writes its score
into every parsed message as ``red_flag_score``. It sets no intent: the red-flag guard, later in the
pipeline, reads the score and can only ask for a safety check with it (coach/triage.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach.red_flag_model import PHRASINGS, RedFlagModel, load_phrasings
from components.stored_model import StoredModelComponent

SCORE = "red_flag_score"
RED_FLAG_INTENT = "red_flag"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RedFlagClassifier(StoredModelComponent):
    MODEL_FILE = "red_flag_model.joblib"
    MODEL_CLASS = RedFlagModel

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"phrasings": str(PHRASINGS), "C": 4.0}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The phrasings file is read from disk, not given by the graph: retrain when it changes."""
        path = Path(config.get("phrasings") or PHRASINGS)
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    def train(self, training_data: TrainingData) -> Resource:
        positives, negatives = load_phrasings(Path(self.config["phrasings"]))
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if text:
                (positives if example.get(INTENT) == RED_FLAG_INTENT else negatives).append(text)
        self.model = RedFlagModel.train(positives, negatives, c=self.config["C"])
        return self.store()

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        for message, score in zip(messages, self.model.scores(texts)):
            message.set(SCORE, round(score, 4), add_to_output=True)
        return messages
