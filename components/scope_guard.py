"""Requests this bot always declines, whatever the classifier thought: a prescription ("can you give me
something stronger than ibuprofen") or a verdict on what the runner has ("just tell me, yes or no").
Runs after the red-flag guard: a red flag is warned of first. The intent becomes ``out_of_scope``, so
the coach's kind refusal answers (coach/off_topic.py), never a topic answer or the rest check."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach.knowledge import load_knowledge
from coach.off_topic import ALWAYS_DECLINED, VerdictRequests
from components.red_flag_guard import TRIAGE

OUT_OF_SCOPE = "out_of_scope"
SAFETY_FIRST = ("red_flag", "safety_check")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGuard(GraphComponent):
    def __init__(self) -> None:
        self.verdicts = VerdictRequests(load_knowledge())

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ScopeGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.lstrip().startswith("/"):
                continue  # a button's payload: its intent is already set
            entities = message.get(ENTITIES) or []
            values = [e.get("value") for e in entities if isinstance(e, dict)]
            declined = [v for v in values if v in ALWAYS_DECLINED]
            if not declined and self.verdicts.asked(text, values):
                entities = entities + [{"entity": "off_topic", "value": "diagnosis_request", "extractor": "ScopeGuard"}]
                message.set(ENTITIES, entities, add_to_output=True)
                declined = ["diagnosis_request"]
            if not declined:
                continue
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent in SAFETY_FIRST:
                # The warning or the safety check comes first; what was asked is still declined after it.
                triage = message.get(TRIAGE)
                if isinstance(triage, dict) and triage.get("asked"):
                    message.set(TRIAGE, {**triage, "asked": OUT_OF_SCOPE}, add_to_output=True)
            elif intent != OUT_OF_SCOPE:
                chosen = {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE]
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
