"""The second opinion on what a message asks (coach/topic_model.py) and how it is combined with DIET's."""

import pytest

from coach.topic_model import TopicModel, blend

EXAMPLES = {
    "shoes": [
        "which running shoes should I buy",
        "are my trainers worn out",
        "best shoes for flat feet",
        "how many km do running shoes last",
        "do I need cushioned shoes",
    ],
    "warmup": [
        "how should I warm up before a run",
        "what warm-up drills before running",
        "is a warm up needed for an easy jog",
        "how long should my warm-up be",
        "leg swings before a run?",
    ],
    "surface": [
        "is trail running harder on the ankles",
        "road or treadmill",
        "running on sand",
        "is grass softer than tarmac",
        "running on icy roads",
    ],
}


@pytest.fixture(scope="module")
def model():
    texts = [text for examples in EXAMPLES.values() for text in examples]
    intents = [intent for intent, examples in EXAMPLES.items() for _ in examples]
    return TopicModel.train(texts, intents)


def test_it_reads_through_typos_it_never_saw(model):
    (shoes,) = model.probabilities(["wich runing shoos shuld i by"])
    assert max(shoes, key=shoes.get) == "shoes"
    (warmup,) = model.probabilities(["warmup befor runing?"])
    assert max(warmup, key=warmup.get) == "warmup"


def test_the_same_data_gives_the_same_model(model):
    again = TopicModel.train([t for e in EXAMPLES.values() for t in e], [i for i, e in EXAMPLES.items() for _ in e])
    assert again.probabilities(["trail or road?"]) == model.probabilities(["trail or road?"])


def test_it_needs_two_intents_to_learn_anything():
    with pytest.raises(ValueError):
        TopicModel.train(["a", "b"], ["shoes", "shoes"])


def test_the_blend_is_a_weighted_average_most_likely_first():
    ranking = blend({"shoes": 0.8, "surface": 0.2}, {"surface": 0.9, "warmup": 0.1}, lexical_weight=0.5)
    assert [name for name, _ in ranking] == ["surface", "shoes", "warmup"]
    assert dict(ranking) == pytest.approx({"surface": 0.55, "shoes": 0.4, "warmup": 0.05})


def test_with_one_opinion_missing_the_other_stands():
    assert blend({"shoes": 0.7, "surface": 0.3}, {}, 0.5) == [("shoes", 0.7), ("surface", 0.3)]
    assert blend({}, {"warmup": 1.0}, 0.5) == [("warmup", 1.0)]
