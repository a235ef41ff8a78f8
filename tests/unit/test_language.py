"""The spaCy layer: entity values are knowledge ids, and an alias is all it takes to teach a phrasing."""

import shutil

import pytest
import yaml

from coach.knowledge import KNOWLEDGE_DIR, read_knowledge
from coach.language import build_pipeline


def entities(nlp, text):
    return {(ent.label_, ent.ent_id_) for ent in nlp(text.lower()).ents}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the outside of my ankle hurts", ("location", "outer_ankle")),
        ("pain on the inside of the ankle", ("location", "inner_ankle")),
        ("how do I do heel drops", ("exercise", "eccentric_heel_drop")),
        ("eccentric calf raises?", ("exercise", "eccentric_heel_drop")),
        ("I've got a theraband", ("equipment", "resistance_band")),
        ("my achilles tendonitis is back", ("condition", "achilles_tendinopathy_midportion")),
        ("I have shin splints", ("condition", "medial_tibial_stress_syndrome")),
        ("I rolled it yesterday", ("onset", "injury")),
        ("are barefoot shoes ok", ("shoe_term", "minimal_shoe")),
        ("should I ice it", ("subject", "ice")),
        ("can you give me a 7-day plan with heel raises", ("subject", "plan_request")),
        ("mon-sun calf rehab schedule", ("subject", "plan_request")),
        ("it's still sore", ("pain_state", "sore_now")),
        # a race time in any of its written forms
        ("what pace gets my 5k under 25 minutes", ("off_topic", "performance")),
        ("splits to finish in 3:45?", ("off_topic", "performance")),
        ("is a marathon in 3h30 realistic", ("off_topic", "performance")),
        ("training for a 4 hour marathon, what pace?", ("off_topic", "performance")),
        ("how to improve dorsiflexion", ("subject", "mobility")),
        ("how do I improve ankle mobility", ("subject", "mobility")),
        ("new running shorts or tights for winter?", ("off_topic", "kit")),
    ],
)
def test_phrasings_map_to_knowledge_ids(nlp, text, expected):
    assert expected in entities(nlp, text)


def test_kit_spelled_exactly_is_not_every_short_or_tight(nlp):
    """ "shorts" and "tights" read as "short" and "tight" by their lemmas: spelled exactly ("=shorts"),
    "run short every day" and "tight calves" stay running questions."""
    for text in ("is it better to run short every day or longer less often?", "my calves feel tight", "short on time"):
        assert ("off_topic", "kit") not in entities(nlp, text), text


def test_a_time_slot_needs_a_time(nlp):
    assert ("off_topic", "performance") not in entities(nlp, "can I finish in 3 weeks of rehab?")
    assert ("off_topic", "performance") not in entities(nlp, "my 5k in the rain was lovely")


def test_inflections_match_through_lemmas(nlp):
    assert ("exercise", "eccentric_heel_drop") in entities(nlp, "I was doing my heel drop yesterday")
    assert ("location", "outer_ankle") in entities(nlp, "pain on the outside of both ankles")


def test_adding_an_alias_is_all_it_takes(tmp_path, nlp):
    """A curator adds one alias to the knowledge file; the rebuilt pipeline understands it."""
    phrase = "the sticky-outy bone thing"
    assert ("location", "outer_ankle") not in entities(nlp, f"pain at {phrase}")
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    vocabulary = yaml.safe_load((target / "vocabulary.yml").read_text())
    outer = next(term for term in vocabulary["locations"] if term["id"] == "outer_ankle")
    outer["aliases"].append(phrase)
    (target / "vocabulary.yml").write_text(yaml.safe_dump(vocabulary, sort_keys=False))
    rebuilt = build_pipeline(read_knowledge(target))
    assert ("location", "outer_ankle") in entities(rebuilt, f"pain at {phrase}")


def test_no_alias_shrinks_to_one_word_when_its_optional_words_are_dropped(knowledge):
    """Determiners in an alias are optional ("outside of my ankle" = "outside of ankle"), so "diagnose
    my" would match every "diagnosed": a runner saying what their doctor found was refused as if they
    had asked for a diagnosis."""
    from coach.language import _DETERMINERS, lemmas, load_pipeline, vocabulary_terms  # noqa: PLC0415

    nlp = load_pipeline()
    shrunk = []
    for label, term_id, phrase in vocabulary_terms(knowledge):
        words = lemmas(nlp, phrase)
        if len(words) > 1 and len([w for w in words if w not in _DETERMINERS]) == 1:
            shrunk.append((label, term_id, phrase))
    assert shrunk == []
