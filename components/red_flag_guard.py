"""Red flags come before whatever the intent classifier thought.

Runs last in the NLU pipeline, on every message, and asks coach/triage.py what the first reply must be:

- a plain red flag: the intent becomes ``red_flag`` (confidence 1.0), so the warning comes first;
- a possible red flag (a pattern, or the learned ``red_flag_score`` above its threshold): the intent
  becomes ``safety_check``, so the bot asks the few questions that decide the level;
- otherwise the classifier's intent stands, except a ``red_flag`` guess from DIET alone: DIET learns
  words, so "no numbness" looks like numbness to it. That guess gives way to its next intent.

The decision rides along in the parse data as ``triage`` ({"decision", "flags", "urgency", "check",
"asked"}): "asked" is the best intent other than red_flag, the question to answer once the runner
is safe. A short message is also read as an answer to each safety check (``check_answers``), so the
action server reads a typed answer without loading a language model.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

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
from coach.triage import CHECK, WARN, Triager, asks_a_question
from components.red_flag_classifier import SCORE

RED_FLAG_INTENT = "red_flag"
SAFETY_CHECK_INTENT = "safety_check"
FALLBACK_INTENT = "nlu_fallback"
TRIAGE = "triage"
CHECK_ANSWERS = "check_answers"  # the message read as an answer to each safety check
ANSWER_MAX_CHARS = 300


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # fallback_threshold: keep equal to FallbackClassifier's threshold in config.yml
        return {"fallback_threshold": 0.5, "learned_threshold": 0.7}

    def __init__(self, config: Dict[str, Any]):
        self.fallback_threshold = config["fallback_threshold"]
        self.triager = Triager(
            RedFlagDetector(load_pipeline(), load_knowledge()),
            load_knowledge(),
            learned_threshold=config["learned_threshold"],
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagGuard":
        return cls(config)

    def _best_other(self, ranking: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        return next((r for r in ranking if r.get(INTENT_NAME_KEY) not in (RED_FLAG_INTENT, FALLBACK_INTENT)), None)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.lstrip().startswith("/"):
                continue  # a button's payload (only signed ones get here): its intent is already set
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != RED_FLAG_INTENT]
            best = self._best_other(ranking)
            asked = best.get(INTENT_NAME_KEY) if best else None
            confidence = best.get(PREDICTED_CONFIDENCE_KEY, 0.0) if best else 0.0
            triage = self.triager.triage(text, message.get(SCORE), asked, confidence)
            if len(text) <= ANSWER_MAX_CHARS:  # it may be the answer to a safety check asked earlier
                message.set(CHECK_ANSWERS, self.triager.read_as_answers(text), add_to_output=True)
            if not asks_a_question(text):
                asked = None  # a story with no question ("rolled it, bit swollen"): the check's own topic
            if triage.decision == WARN:
                self._set_intent(message, RED_FLAG_INTENT, ranking)
            elif triage.decision == CHECK:
                self._set_intent(message, SAFETY_CHECK_INTENT, ranking)
            elif intent == RED_FLAG_INTENT:
                # DIET's red_flag guess alone is not trusted (it learns words, so "no numbness" looks
                # like numbness); the learned score above already had its say. Fall back to the next
                # intent, or to nlu_fallback when that one is unsure too.
                self._set_intent(
                    message,
                    asked if confidence >= self.fallback_threshold else FALLBACK_INTENT,
                    ranking,
                    confidence if confidence >= self.fallback_threshold else 1.0 - self.fallback_threshold,
                )
                continue
            else:
                continue
            message.set(TRIAGE, {**triage.as_dict(), "asked": asked}, add_to_output=True)
        return messages

    @staticmethod
    def _set_intent(
        message: Message, name: Optional[str], ranking: List[Dict[str, Any]], confidence: float = 1.0
    ) -> None:
        intent = {INTENT_NAME_KEY: name or FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}
        message.set(INTENT, intent, add_to_output=True)
        others = [r for r in ranking if r.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]]
        message.set(INTENT_RANKING_KEY, [intent] + others, add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
