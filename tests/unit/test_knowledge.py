"""The knowledge file loads, is complete, and a broken one fails naming file, entry and field."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from coach.knowledge import KNOWLEDGE_DIR, KnowledgeError, read_knowledge
from coach.language import vocabulary_terms


@pytest.fixture
def broken_copy(tmp_path):
    """A writable copy of knowledge/ plus a helper to edit one of its files."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)

    def edit(stem, change):
        path = target / f"{stem}.yml"
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return target

    return edit


def test_real_knowledge_is_complete(knowledge):
    assert len(knowledge.exercises) >= 20
    assert len(knowledge.conditions) >= 10
    for topic in (
        "why_pain",
        "shoes",
        "warmup",
        "when_to_rest",
        "treatment",
        "exercises",
        "stretching",
        "training_load",
        "technique",
        "surface",
        "self_test",
        "condition_info",
        "plan",
    ):
        assert knowledge.topic_entries(topic), topic
    for entry in knowledge.topics:
        assert entry["sources"], entry["id"]


def test_missing_field_names_file_entry_and_field(broken_copy, knowledge):
    first_id = next(iter(knowledge.exercises))
    directory = broken_copy("exercises", lambda d: d["exercises"][0].pop("dose"))
    with pytest.raises(KnowledgeError) as error:
        read_knowledge(directory)
    assert f"exercises.yml: entry '{first_id}': field 'dose'" in str(error.value)


def test_wrong_type_names_the_entry(broken_copy):
    def break_it(data):
        data["entries"][1]["urgency"] = "whenever"

    directory = broken_copy("topics", break_it)
    with pytest.raises(KnowledgeError, match=r"topics\.yml: entry 'why_pain_outer_injury': field 'urgency'"):
        read_knowledge(directory)


def test_unknown_source_reference_is_caught(broken_copy):
    def break_it(data):
        data["conditions"][0]["sources"] = ["made_up_2099"]

    directory = broken_copy("conditions", break_it)
    with pytest.raises(
        KnowledgeError, match=r"conditions\.yml: entry '\w+': field 'sources': unknown source 'made_up_2099'"
    ):
        read_knowledge(directory)


def test_unparseable_file_is_named(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    (target / "vocabulary.yml").write_text("locations: [unclosed\n")
    with pytest.raises(KnowledgeError, match=r"vocabulary\.yml: not valid YAML"):
        read_knowledge(target)


def test_missing_file_is_named(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    (target / "plans.yml").unlink()
    with pytest.raises(KnowledgeError, match=r"plans\.yml: file is missing"):
        read_knowledge(target)


def test_every_alias_names_one_thing(knowledge, nlp):
    """An alias shared by two terms would make entity values depend on pattern order."""
    from coach.language import lemmas

    owner = {}
    for label, term_id, phrase in vocabulary_terms(knowledge):
        key = " ".join(lemmas(nlp, phrase))
        assert owner.setdefault(key, (label, term_id)) == (label, term_id), f"'{phrase}' is used twice"


def test_no_garbled_seed_numbers():
    """The seeds' garbled numbers ('0%', '15 sets x 0 times', 'more than 0 times') must never reach an answer."""
    garbled = re.compile(r"(?<![\d.,])0 ?(%|times|seconds|cm\b)|[x×] ?0\b|more than 0\b")
    for name in ("topics.yml", "exercises.yml", "conditions.yml", "plans.yml"):
        found = garbled.findall(Path(KNOWLEDGE_DIR, name).read_text())
        assert not found, (name, found)
