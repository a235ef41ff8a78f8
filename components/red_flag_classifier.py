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

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach.red_flag_model import PHRASINGS, RedFlagModel, load_phrasings

SCORE = "red_flag_score"
RED_FLAG_INTENT = "red_flag"
_FILE = "red_flag_model.joblib"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RedFlagClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"phrasings": str(PHRASINGS), "C": 4.0}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The phrasings file is read from disk, not given by the graph: retrain when it changes."""
        path = Path(config.get("phrasings") or PHRASINGS)
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[RedFlagModel] = None,
    ):
        self.config, self.model_storage, self.resource, self.model = config, model_storage, resource, model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        positives, negatives = load_phrasings(Path(self.config["phrasings"]))
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if text:
                (positives if example.get(INTENT) == RED_FLAG_INTENT else negatives).append(text)
        self.model = RedFlagModel.train(positives, negatives, c=self.config["C"])
        with self.model_storage.write_to(self.resource) as directory:
            self.model.save(Path(directory) / _FILE)
        return self.resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RedFlagClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                model = RedFlagModel.load(Path(directory) / _FILE)
        except (ValueError, FileNotFoundError):  # not trained (e.g. an NLU-less model): no second opinion
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        for message, score in zip(messages, self.model.scores(texts)):
            message.set(SCORE, round(score, 4), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
