"""What this bot declines, whatever the classifier thought (coach/off_topic.py decides): a prescription
("something stronger than ibuprofen"), a verdict on what the runner has ("just tell me, yes or no"),
and a question about food, the weather, bookings or another body part that names nothing this bot
covers. Runs after the red-flag guard: a red flag is warned of first (a safety check, whose questions are
about the lower leg, gives way to the other-body-part answer). The intent becomes
``out_of_scope``, so the coach's honest refusal answers, never a topic answer or the rest check. Only a
question is turned round: an answer to the bot's own question ("7, and my knee is sore too") stays one."""

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
from coach.off_topic import DECLINED_UNLESS_LOWER_LEG, OffTopic, VerdictRequests
from coach.topics import ANSWERABLE_INTENTS, DECLINED_REQUESTS
from components.red_flag_guard import TRIAGE  # the guard's finding, which says what was asked

OUT_OF_SCOPE = "out_of_scope"
RED_FLAG, SAFETY_CHECK = "red_flag", "safety_check"
QUESTIONS = frozenset(ANSWERABLE_INTENTS) - {"help"}  # intents that ask something (not answers, not chit-chat)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGuard(GraphComponent):
    def __init__(self) -> None:
        knowledge = load_knowledge()
        self.verdicts = VerdictRequests(knowledge)
        self.off_topic = OffTopic(knowledge)

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
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if text.lstrip().startswith("/") or intent == RED_FLAG:
                continue  # a button's payload; a red flag's warning first
            entities = message.get(ENTITIES) or []
            values = [e.get("value") for e in entities if isinstance(e, dict)]
            if self.verdicts.asked(text, values) and "diagnosis_request" not in values:
                entities = entities + [{"entity": "off_topic", "value": "diagnosis_request", "extractor": "ScopeGuard"}]
                message.set(ENTITIES, entities, add_to_output=True)
                values.append("diagnosis_request")
            confidence = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0)
            giving_way = self.off_topic.giving_way(intent or "", confidence, values)
            if giving_way:  # "warm up in cold weather" asks about warming up: the weather words aren't the question
                entities = [
                    e for e in entities if not (e.get("entity") == "off_topic" and e.get("value") in giving_way)
                ]
                message.set(ENTITIES, entities, add_to_output=True)
                values = [v for v in values if v not in giving_way]
            term = self.off_topic.declined(intent or "", values)
            if term is None:
                continue
            if intent == SAFETY_CHECK:
                # The safety checks ask about the ankle, foot and lower leg; a possible warning sign in
                # a message about the shoulder (or a dog's paw) alone gets the other-body-part answer
                # (see a physio, GP or vet) instead of ankle questions. A plain red flag is still
                # warned of, above.
                if term["id"] in DECLINED_REQUESTS:  # the check first; "None of these" then gets the refusal
                    message.set(TRIAGE, {**(message.get(TRIAGE) or {}), "asked": term["id"]}, add_to_output=True)
                    continue
                if not term["id"].startswith("body_") and term["id"] not in DECLINED_UNLESS_LOWER_LEG:
                    continue
            elif term["id"] not in DECLINED_REQUESTS and intent not in QUESTIONS:
                continue
            chosen = {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
