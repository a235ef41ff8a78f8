"""The second opinion on the intent (coach/topic_model.py), trained by `rasa train`, stored with the
model, and averaged with DIET's ranking before the FallbackClassifier reads it.

In config.yml it comes right after DIETClassifier: it replaces the message's intent and ranking with
the blend, so the fallback, the red-flag guard and the scope guard all see the combined opinion. When
there was nothing to train on (fewer than two intents), DIET alone decides."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach.topic_model import TopicModel, blend
from components.stored_model import StoredModelComponent

RANKING_LENGTH = 10  # as DIET reports


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LexicalIntentClassifier(StoredModelComponent):
    MODEL_FILE = "topic_model.joblib"
    MODEL_CLASS = TopicModel

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # C and the weight were chosen on development topic sets (README), never on a blind set's first pass
        return {"C": 30.0, "lexical_weight": 0.7}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples if m.get(TEXT)]
        if len({intent for _, intent in examples}) < 2:
            return self.resource
        self.model = TopicModel.train([t for t, _ in examples], [i for _, i in examples], c=self.config["C"])
        return self.store()

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        for message, text, lexical in zip(messages, texts, self.model.probabilities(texts)):
            if not text.strip():
                continue
            learned = {
                entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY])
                for entry in message.get(INTENT_RANKING_KEY) or []
            }
            ranking = blend(lexical, learned, self.config["lexical_weight"])[:RANKING_LENGTH]
            name, confidence = ranking[0]
            message.set(INTENT, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: c} for n, c in ranking],
                add_to_output=True,
            )
        return messages
