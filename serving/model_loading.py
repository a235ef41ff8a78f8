"""How the Rasa server builds the intent classifier's network when it loads a model.

Keras creates a network's variables only when it first runs. So Rasa 3.6 loads a DIET model by training
it for one step on one example and then overwriting every weight from the saved file. That step is
compiled into a TensorFlow graph first, and tracing the whole training graph took about 6 of the server's
17 seconds to get ready. The graph is thrown away at once, because a served model never trains.

Here that one step runs eagerly instead: the same variables, created in well under a second. The saved
weights are then loaded as before, and prediction keeps its compiled graph. So the answers are exactly
the same (tests/e2e checks the classifier's confidences against stock loading) and only start-up is
quicker.
"""

from __future__ import annotations

from typing import Any, Optional

_installed = False


def install() -> None:
    """Replace ``RasaModel.load`` once per process (the Rasa server's; training is untouched)."""
    global _installed
    if _installed:
        return
    import tensorflow as tf  # noqa: PLC0415
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY  # noqa: PLC0415
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator  # noqa: PLC0415
    from rasa.utils.tensorflow.model_data import RasaModelData  # noqa: PLC0415
    from rasa.utils.tensorflow.models import RasaModel  # noqa: PLC0415

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        model.run_eagerly = config.get(RUN_EAGERLY)  # prediction compiles its graph as before
        model.load_weights(model_file_name)
        if not finetune_mode and predict_data_example:
            # the first prediction traces its graph now, not on a runner's turn
            model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)  # type: ignore[assignment,method-assign]
    _installed = True
