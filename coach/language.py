"""The spaCy pipeline: lemmatized entity patterns generated from the knowledge file.

Built once at set-up (``python -m coach.language build``) into build/spacy/ankle_en, which
Rasa's SpacyNLP loads by path. Adding an alias to a knowledge entry and rebuilding is all it
takes to teach the bot a new phrasing. Text is lower-cased before it reaches the pipeline
(SpacyNLP ``case_sensitive: false``; the red-flag detector does the same), because the lookup
lemmatizer is case-sensitive.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, List, Tuple

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler

from coach.knowledge import KNOWLEDGE_DIR, Knowledge, load_knowledge

PIPELINE_DIR = Path(
    os.environ.get("ANKLE_COACH_SPACY", Path(__file__).resolve().parent.parent / "build" / "spacy" / "ankle_en")
)

# Entity labels Rasa sees; each value is the knowledge id of the thing named.
LOCATION, CONDITION, EXERCISE, EQUIPMENT, SHOE, ONSET, SUBJECT, PAIN_STATE, DIAGNOSIS, BODY, OFF_TOPIC = (
    "location",
    "condition",
    "exercise",
    "equipment",
    "shoe_term",
    "onset",
    "subject",
    "pain_state",
    "diagnosis",
    "body",
    "off_topic",
)
ENTITY_LABELS = (LOCATION, CONDITION, EXERCISE, EQUIPMENT, SHOE, ONSET, SUBJECT, PAIN_STATE, DIAGNOSIS, BODY, OFF_TOPIC)

# "outside of my ankle" should also match "outside of the ankle" and "outside of ankle".
_DETERMINERS = ["my", "the", "a", "an", "your", "his", "her", "their", "this", "that", "our"]


def vocabulary_terms(knowledge: Knowledge) -> Iterable[Tuple[str, str, str]]:
    """(label, knowledge id, phrase) for every name and alias in the knowledge file."""
    vocabulary = knowledge.vocabulary
    for label, terms in (
        (LOCATION, vocabulary["locations"]),
        (EQUIPMENT, vocabulary["equipment"]),
        (SHOE, vocabulary["shoe_terms"]),
        (ONSET, vocabulary["onsets"]),
        (SUBJECT, vocabulary["subjects"]),
        (PAIN_STATE, vocabulary["pain_states"]),
        (DIAGNOSIS, vocabulary["diagnoses"]),
        (BODY, vocabulary["covered_body"]),
        (OFF_TOPIC, vocabulary["off_topic"]),
    ):
        for term in terms:
            for phrase in term["aliases"]:
                yield label, term["id"], phrase
    for condition in knowledge.conditions.values():
        for phrase in [condition["name"], *condition["aliases"]]:
            yield CONDITION, condition["id"], phrase
    for exercise in knowledge.exercises.values():
        for phrase in [exercise["name"], *exercise["aliases"]]:
            yield EXERCISE, exercise["id"], phrase


def lemmas(nlp: Language, phrase: str) -> List[str]:
    """Lower-cased lemmas of a phrase, as the pipeline will see them in a message."""
    return [token.lemma_ for token in _lemmatize(nlp, phrase.lower()) if not token.is_space]


def _lemmatize(nlp: Language, text: str):
    """Lemmas as the pipeline assigns them, without running the entity ruler being built."""
    with nlp.select_pipes(disable=[name for name in nlp.pipe_names if name in ("entity_ruler", "ner")]):
        return nlp(text)


# "<time>" in an alias stands for a race time: "5k under <time>" matches "5k under 25 minutes", "5k in
# 24:59", "marathon in 3h30" and "marathon in 4hrs".
TIME_SLOT = "<time>"
_TIME_TOKEN = {"LOWER": {"REGEX": r"^\d{1,2}(:\d\d){1,2}$|^\d{1,3}(min|mins|minutes|h|hr|hrs|hours)$|^\d{1,2}h\d\d$"}}
_TIME_UNITS = ["minute", "min", "mins", "hour", "hr", "hrs", "h"]
_TIME_SHAPES: Tuple[List[dict], ...] = ([_TIME_TOKEN], [{"LIKE_NUM": True}, {"LEMMA": {"IN": _TIME_UNITS}}])


# A word marked "=" in an alias matches as spelled, not by its lemma: "=shorts" (the kit) must not match
# "short" ("run short every day", "short on time"), nor "=tights" every "tight calf".
EXACT = "="


def token_pattern(nlp: Language, phrase: str) -> List[dict]:
    pattern: List[dict] = []
    for word in phrase.split():
        if word.startswith(EXACT):
            pattern.append({"LOWER": word[len(EXACT) :].lower()})
            continue
        for lemma in lemmas(nlp, word):
            if lemma in _DETERMINERS:
                pattern.append({"LEMMA": {"IN": _DETERMINERS}, "OP": "?"})
            else:
                pattern.append({"LEMMA": lemma})
    return pattern


def token_patterns(nlp: Language, phrase: str) -> List[List[dict]]:
    """The token patterns of one alias: one, or one per shape of a race time when it holds ``<time>``."""
    if TIME_SLOT not in phrase:
        return [token_pattern(nlp, phrase)]
    before, after = phrase.split(TIME_SLOT, 1)
    words_before = token_pattern(nlp, before) if before.strip() else []
    words_after = token_pattern(nlp, after) if after.strip() else []
    return [words_before + shape + words_after for shape in _TIME_SHAPES]


def entity_patterns(nlp: Language, knowledge: Knowledge) -> List[dict]:
    patterns, seen = [], set()
    for label, entity_id, phrase in vocabulary_terms(knowledge):
        for pattern in token_patterns(nlp, phrase):
            key = (label, json.dumps(pattern, sort_keys=True))
            if pattern and key not in seen:
                seen.add(key)
                patterns.append({"label": label, "id": entity_id, "pattern": pattern})
    return patterns


def knowledge_fingerprint(directory: Path = KNOWLEDGE_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(directory).rglob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def build_pipeline(knowledge: Knowledge, base: str = "blank:en") -> Language:
    """A pipeline with a lookup lemmatizer and an entity ruler generated from the knowledge."""
    if base.startswith("blank:"):
        nlp = spacy.blank(base.split(":", 1)[1])
        # Lookup tables come from spacy-lookups-data at build time and are saved with the pipeline.
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    else:  # a pretrained pipeline the runner has installed, e.g. en_core_web_md
        nlp = spacy.load(base)
    before = "ner" if "ner" in nlp.pipe_names else None  # a pretrained NER must not overrule the knowledge
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}, before=before)
    assert isinstance(ruler, EntityRuler)
    ruler.add_patterns(entity_patterns(nlp, knowledge))
    return nlp


def build(out: Path = PIPELINE_DIR, base: str = "blank:en", directory: Path = KNOWLEDGE_DIR) -> Path:
    nlp = build_pipeline(load_knowledge(directory), base)
    nlp.meta["name"] = "ankle_en"
    nlp.meta["description"] = (
        f"Ankle Coach vocabulary from knowledge fingerprint {knowledge_fingerprint(directory)}, base {base}"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    (out / "fingerprint.txt").write_text(f"{knowledge_fingerprint(directory)} {base}\n")
    return out


@functools.lru_cache(maxsize=2)
def load_pipeline(path: Path | str = PIPELINE_DIR) -> Language:
    """The built pipeline; if set-up has not built it yet, build it in memory from the knowledge."""
    path = Path(path)
    if (path / "meta.json").exists():
        return spacy.load(path)
    return build_pipeline(load_knowledge())


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="build the pipeline if the knowledge changed")
    build_cmd.add_argument("--out", type=Path, default=PIPELINE_DIR)
    build_cmd.add_argument(
        "--base",
        default=os.environ.get("SPACY_BASE", "blank:en"),
        help="blank:en (default) or an installed pretrained pipeline such as en_core_web_md",
    )
    args = parser.parse_args()
    stamp = args.out / "fingerprint.txt"
    wanted = f"{knowledge_fingerprint()} {args.base}\n"
    if stamp.exists() and stamp.read_text() == wanted:
        print(f"spaCy pipeline up to date: {args.out}")
        return
    build(args.out, args.base)
    print(f"built spaCy pipeline: {args.out}")


if __name__ == "__main__":
    _main()
