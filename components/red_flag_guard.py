"""Red flags overrule the intent classifier.

Runs last in the NLU pipeline, on every message: when coach/red_flags.py finds a red flag,
the intent becomes ``red_flag`` (confidence 1.0) whatever DIET thought, and the flags ride
along in the parse data as ``red_flags`` for the action to explain. When DIET guesses
``red_flag`` but the detector finds nothing (e.g. "no numbness at all"), the guess is dropped,
so a runner with ordinary soreness is not frightened.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach.knowledge import load_knowledge
from coach.language import load_pipeline
from coach.red_flags import RedFlagDetector

RED_FLAG_INTENT = "red_flag"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # keep equal to FallbackClassifier's threshold in config.yml
        return {"fallback_threshold": 0.5}

    def __init__(self, config: Dict[str, Any]):
        self.fallback_threshold = config["fallback_threshold"]
        self.detector = RedFlagDetector(load_pipeline(), load_knowledge())

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "RedFlagGuard":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            hits = self.detector.detect(message.get(TEXT) or "")
            ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != RED_FLAG_INTENT]
            if hits:
                intent = {INTENT_NAME_KEY: RED_FLAG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
                message.set("red_flags", [{"id": h.flag_id, "urgency": h.urgency, "text": h.matched_text} for h in hits],
                            add_to_output=True)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == RED_FLAG_INTENT:
                best = ranking[0] if ranking else None
                if best is None or best.get(PREDICTED_CONFIDENCE_KEY, 0.0) < self.fallback_threshold:
                    best = {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0 - self.fallback_threshold}
                message.set(INTENT, best, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
