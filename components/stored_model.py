"""What the project's two trainable components share (components/red_flag_classifier.py,
components/lexical_intent_classifier.py): a plain-Python model from coach/, trained inside
``rasa train`` and stored as one file with the Rasa model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Dict, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData


class StoredModelComponent(GraphComponent):
    """Subclasses name the file and the model class (with ``save(path)`` and ``load(path)``) and
    implement ``train`` (calling ``store``) and ``process``."""

    MODEL_FILE: ClassVar[str]
    MODEL_CLASS: ClassVar[Any]

    def __init__(
        self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, model: Optional[Any] = None
    ):
        self.config, self.model_storage, self.resource, self.model = config, model_storage, resource, model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StoredModelComponent":
        return cls(config, model_storage, resource)

    def store(self) -> Resource:
        with self.model_storage.write_to(self.resource) as directory:
            self.model.save(Path(directory) / self.MODEL_FILE)
        return self.resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "StoredModelComponent":
        try:
            with model_storage.read_from(resource) as directory:
                model = cls.MODEL_CLASS.load(Path(directory) / cls.MODEL_FILE)
        except (ValueError, FileNotFoundError):  # nothing was trained (e.g. an NLU-less model)
            model = None
        return cls(config, model_storage, resource, model)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
