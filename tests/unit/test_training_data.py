"""The language data is clean: no example under two intents, no near-duplicate pairs across intents,
and no sentence of an evaluation set in anything the models train on (the held-out figures would
mean nothing otherwise)."""

import re
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def normalise(text):
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def nlu_examples():
    examples = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        examples.append((block["intent"], line.strip()[2:].strip()))
    return examples


def eval_texts():
    texts = []
    for path in sorted((ROOT / "tests" / "eval").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        if "nlu" in data:
            texts += [text for _, text in _nlu_lines(data)]
        for key in ("red_flags", "ordinary", "questions"):
            texts += [case["text"] for case in data.get(key) or []]
    return texts


def _nlu_lines(data):
    for block in data["nlu"]:
        for line in block.get("examples", "").splitlines():
            if line.strip().startswith("- "):
                yield block.get("intent"), line.strip()[2:]


def test_no_example_is_under_two_intents():
    intents_of = defaultdict(set)
    for intent, text in nlu_examples():
        intents_of[normalise(text)].add(intent)
    contradictions = {text: sorted(intents) for text, intents in intents_of.items() if len(intents) > 1}
    assert contradictions == {}


# Words whose swap changes nothing a classifier should learn from ("my ankle" / "the ankle").
FILLER = {
    "a",
    "an",
    "the",
    "my",
    "your",
    "this",
    "that",
    "it",
    "its",
    "it's",
    "is",
    "are",
    "i",
    "i'm",
    "im",
    "me",
    "please",
    "pls",
    "just",
    "so",
    "and",
    "or",
    "to",
    "of",
    "on",
    "in",
    "at",
    "for",
    "with",
    "do",
    "does",
}


def test_no_near_duplicates_across_intents():
    """Two examples under different intents that differ only by a filler word teach the classifier a
    contradiction ("exercises for shin splints" / "plan for shin splints" is a contrast, and fine)."""
    by_pattern = defaultdict(set)
    for intent, text in nlu_examples():
        words = normalise(text).split()
        for i, word in enumerate(words):
            if word in FILLER:
                by_pattern[" ".join(words[:i] + words[i + 1 :])].add(intent)
        by_pattern[" ".join(words)].add(intent)
    clashes = {pattern: sorted(intents) for pattern, intents in by_pattern.items() if len(intents) > 1 and pattern}
    assert clashes == {}


def test_no_evaluation_sentence_is_trained_on():
    trained = {normalise(text) for _, text in nlu_examples()}
    phrasings = yaml.safe_load((ROOT / "data" / "triage" / "red_flag_phrasings.yml").read_text())
    trained |= {
        normalise(item["text"]) for key in ("red_flag_phrasings", "ordinary_phrasings") for item in phrasings[key]
    }
    # a one-word greeting ("hi 👋") is the same word the bot must be taught, whichever set holds it
    leaked = [text for text in eval_texts() if normalise(text) in trained and len(normalise(text).split()) > 1]
    assert leaked == []
