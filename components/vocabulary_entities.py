"""Entities from the spaCy pipeline built out of the knowledge file (coach/language.py).

SpacyNLP (earlier in config.yml) runs that pipeline; its entity ruler tags spans such as
"outside of my ankle" with label ``location`` and id ``outer_ankle``. This component hands
them to Rasa with the knowledge id as the entity value, so slots hold ids, not wording. It also
reads how many runs a week the runner does (coach/runner_facts.py), for personalised plans.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from coach.language import ENTITY_LABELS
from coach.runner_facts import runs_per_week


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class VocabularyEntityExtractor(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "VocabularyEntityExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            found = [
                {
                    "entity": ent.label_,
                    "value": ent.ent_id_,
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for ent in doc.ents
                if ent.label_ in ENTITY_LABELS and ent.ent_id_
            ]
            runs = runs_per_week(message.get(TEXT) or "")
            if runs:
                found.append(
                    {
                        "entity": "runs_per_week",
                        "value": str(runs[0]),
                        "start": runs[1],
                        "end": runs[2],
                        "confidence_entity": 1.0,
                        "extractor": self.__class__.__name__,
                    }
                )
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
