"""Load the curated knowledge files, validate them against knowledge/schema, index them.

Loaded once per process (``load_knowledge`` is cached). A broken file fails loudly with the
file, the entry and the field, so a curator sees exactly what to fix.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Container, Dict, Iterable, List, Optional

import jsonschema
import yaml

KNOWLEDGE_DIR = Path(os.environ.get("ANKLE_COACH_KNOWLEDGE", Path(__file__).resolve().parent.parent / "knowledge"))

# file stem -> top-level list that holds its entries (used to name the entry in errors)
FILES = {
    "sources": "sources",
    "vocabulary": None,
    "topics": "entries",
    "conditions": "conditions",
    "exercises": "exercises",
    "red_flags": "red_flags",
    "plans": None,
    "messages": None,
    "rest_check": None,
    "safety_checks": "checks",
}


class KnowledgeError(ValueError):
    """The knowledge files are broken; the message names file, entry and field."""


@dataclass(frozen=True)
class Knowledge:
    sources: Dict[str, dict]
    vocabulary: Dict[str, Any]  # term lists by kind, plus running_words and verdict_requests
    topics: List[dict]
    conditions: Dict[str, dict]
    exercises: Dict[str, dict]
    red_flags: dict
    plans: dict
    messages: Dict[str, Any]
    rest_check: dict
    safety_checks: dict
    locations: Dict[str, dict] = field(default_factory=dict)
    equipment: Dict[str, dict] = field(default_factory=dict)
    pain_during_exercise: Dict[str, Any] = field(default_factory=dict)  # shown with every exercise list

    def citations(self, source_ids: Iterable[str]) -> List[str]:
        """Short citations for source ids, in order, without repeats."""
        seen: List[str] = []
        for source_id in source_ids:
            citation = self.sources[source_id]["citation"]
            if citation not in seen:
                seen.append(citation)
        return seen

    def term_ids(self) -> set:
        """Every id an entity value can take: vocabulary terms, conditions and exercises."""
        ids = {
            term["id"]
            for terms in self.vocabulary.values()
            if isinstance(terms, list)
            for term in terms
            if isinstance(term, dict)  # the term lists, not running_words or verdict_requests
        }
        return ids | set(self.conditions) | set(self.exercises)

    def topic_entries(self, topic: str) -> List[dict]:
        return [entry for entry in self.topics if entry["topic"] == topic]

    def location_label(self, location_id: Optional[str]) -> Optional[str]:
        if not location_id or location_id not in self.locations:
            return None
        return self.locations[location_id]["label"]


# libyaml's safe loader when PyYAML was built with it: the same safe subset, read about ten times faster
# (the pure-Python one took a second of each server's start-up)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing") from None
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from None


def _schema(schema_dir: Path, stem: str) -> dict:
    """The file's schema with the shared definitions inlined (no cross-file $ref resolver needed)."""
    common = _read_yaml(schema_dir / "common.schema.yml")["$defs"]
    schema = _read_yaml(schema_dir / f"{stem}.schema.yml")

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (v.replace("common#/$defs/", "#/$defs/") if k == "$ref" else inline(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    schema = inline(schema)
    schema.setdefault("$defs", {}).update(inline(common))
    return schema


def _describe(path: Path, data: Any, list_key: Optional[str], error: jsonschema.ValidationError) -> str:
    where = list(error.absolute_path)
    entry = ""
    if list_key and len(where) >= 2 and where[0] == list_key and isinstance(where[1], int):
        item = data[list_key][where[1]]
        entry_id = item.get("id") if isinstance(item, dict) else None
        entry = f"entry '{entry_id or '#' + str(where[1])}'"
        where = where[2:]
    field_path = ".".join(str(part) for part in where)
    if error.validator in ("required", "additionalProperties") and "'" in error.message:
        named = error.message.split("'")[1]  # the missing or unexpected field the message quotes
        field_path = f"{field_path}.{named}" if field_path else named
    parts = [str(path)] + ([entry] if entry else []) + [f"field '{field_path or '(top level)'}'", error.message]
    return ": ".join(parts)


def _validate(path: Path, data: Any, schema: dict, list_key: Optional[str]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        # The deepest error is the most specific one to report.
        worst = max(errors, key=lambda e: len(list(e.absolute_path)))
        raise KnowledgeError(_describe(path, data, list_key, worst))


def _index(path: Path, items: List[dict], what: str) -> Dict[str, dict]:
    indexed: Dict[str, dict] = {}
    for item in items:
        if item["id"] in indexed:
            raise KnowledgeError(f"{path}: entry '{item['id']}': field 'id': duplicate {what} id")
        indexed[item["id"]] = item
    return indexed


def _check_refs(
    path: Path, entry_id: str, field_name: str, refs: Iterable[str], known: Container[str], what: str
) -> None:
    for ref in refs:
        if ref not in known:
            raise KnowledgeError(f"{path}: entry '{entry_id}': field '{field_name}': unknown {what} '{ref}'")


def _cross_check(directory: Path, k: Knowledge) -> None:
    """References between files must resolve: sources, locations, conditions, exercises, equipment."""
    p = lambda stem: directory / f"{stem}.yml"  # noqa: E731
    for entry in k.topics:
        _check_refs(p("topics"), entry["id"], "sources", entry["sources"], k.sources, "source")
        applies = entry.get("applies_to", {})
        _check_refs(
            p("topics"), entry["id"], "applies_to.locations", applies.get("locations", []), k.locations, "location"
        )
        _check_refs(
            p("topics"), entry["id"], "applies_to.conditions", applies.get("conditions", []), k.conditions, "condition"
        )
        _check_refs(p("topics"), entry["id"], "applies_to.mentions", applies.get("mentions", []), k.term_ids(), "term")
    for condition in k.conditions.values():
        _check_refs(p("conditions"), condition["id"], "sources", condition["sources"], k.sources, "source")
        _check_refs(p("conditions"), condition["id"], "locations", condition["locations"], k.locations, "location")
        _check_refs(
            p("conditions"), condition["id"], "exercises", condition.get("exercises", []), k.exercises, "exercise"
        )
    for exercise in k.exercises.values():
        _check_refs(p("exercises"), exercise["id"], "sources", exercise["sources"], k.sources, "source")
        _check_refs(p("exercises"), exercise["id"], "equipment", exercise["equipment"], k.equipment, "equipment")
        _check_refs(
            p("exercises"), exercise["id"], "helps.locations", exercise["helps"]["locations"], k.locations, "location"
        )
        _check_refs(
            p("exercises"),
            exercise["id"],
            "helps.conditions",
            exercise["helps"]["conditions"],
            k.conditions,
            "condition",
        )
    _check_refs(
        p("exercises"), "pain_during_exercise", "sources", k.pain_during_exercise["sources"], k.sources, "source"
    )
    for flag in k.red_flags["red_flags"]:
        _check_refs(p("red_flags"), flag["id"], "sources", flag["sources"], k.sources, "source")
    for plan_key in ("weekly_programme", "return_to_run"):
        plan = k.plans[plan_key]
        _check_refs(p("plans"), plan["id"], "sources", plan["sources"], k.sources, "source")
        groups = plan.get("days", []) + plan.get("stages", [])
        for group in groups:
            refs = [slot["exercise"] for slot in group.get("exercises", [])]
            _check_refs(p("plans"), plan["id"], "exercises", refs, k.exercises, "exercise")
    _check_refs(p("rest_check"), "rest_check", "sources", k.rest_check["sources"], k.sources, "source")
    flags = {flag["id"]: flag for flag in k.red_flags["red_flags"]}
    checks = {check["id"]: check for check in k.safety_checks["checks"]}
    for possible in k.red_flags.get("possible_red_flags", []):
        _check_refs(p("red_flags"), possible["id"], "check", [possible["check"]], checks, "safety check")
    for check in checks.values():
        _check_refs(
            p("safety_checks"),
            check["id"],
            "questions.flag",
            [q["flag"] for q in check["questions"]],
            flags,
            "red flag",
        )
        for outcome in ("none", "unsure"):
            _check_refs(
                p("safety_checks"), check["id"], f"{outcome}.sources", check[outcome]["sources"], k.sources, "source"
            )
    if "general" not in checks:
        raise KnowledgeError(f"{p('safety_checks')}: field 'checks': no 'general' check (asked when no cue fits)")
    # Every kind of off-topic question has its answer (another body part shares one).
    answers = k.messages["off_topic"]
    for term in k.vocabulary["off_topic"]:
        if not term["id"].startswith("body_") and term["id"] not in answers:
            raise KnowledgeError(f"{p('messages')}: field 'off_topic': no answer for '{term['id']}' (vocabulary.yml)")
    topics_present = {entry["topic"] for entry in k.topics if "applies_to" not in entry}
    for required_topic in ("why_pain", "shoes", "warmup", "when_to_rest"):
        if required_topic not in topics_present:
            raise KnowledgeError(f"{p('topics')}: field 'entries': no general entry for topic '{required_topic}'")


def read_knowledge(directory: Path | str = KNOWLEDGE_DIR) -> Knowledge:
    """Read and validate every knowledge file (uncached; use ``load_knowledge`` in services)."""
    directory = Path(directory)
    schema_dir = directory / "schema"
    raw: Dict[str, Any] = {}
    for stem, list_key in FILES.items():
        path = directory / f"{stem}.yml"
        data = _read_yaml(path)
        _validate(path, data, _schema(schema_dir, stem), list_key)
        raw[stem] = data
    vocabulary = raw["vocabulary"]
    knowledge = Knowledge(
        sources=_index(directory / "sources.yml", raw["sources"]["sources"], "source"),
        vocabulary=vocabulary,
        topics=raw["topics"]["entries"],
        conditions=_index(directory / "conditions.yml", raw["conditions"]["conditions"], "condition"),
        exercises=_index(directory / "exercises.yml", raw["exercises"]["exercises"], "exercise"),
        red_flags=raw["red_flags"],
        plans=raw["plans"],
        messages=raw["messages"],
        rest_check=raw["rest_check"],
        safety_checks=raw["safety_checks"],
        locations=_index(directory / "vocabulary.yml", vocabulary["locations"], "location"),
        equipment=_index(directory / "vocabulary.yml", vocabulary["equipment"], "equipment"),
        pain_during_exercise=raw["exercises"]["pain_during_exercise"],
    )
    _index(directory / "topics.yml", knowledge.topics, "topic entry")
    _index(directory / "red_flags.yml", knowledge.red_flags["red_flags"], "red flag")
    _cross_check(directory, knowledge)
    return knowledge


@functools.lru_cache(maxsize=4)
def load_knowledge(directory: Path | str = KNOWLEDGE_DIR) -> Knowledge:
    """The validated knowledge, read once per process and directory."""
    return read_knowledge(directory)
