"""Shared fixtures: the real knowledge, the built spaCy pipeline, one coach and detector per session."""

from pathlib import Path

import pytest

from coach.answers import Coach, Context
from coach.knowledge import load_knowledge
from coach.language import load_pipeline
from coach.red_flags import RedFlagDetector

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge()


@pytest.fixture(scope="session")
def nlp():
    return load_pipeline()


@pytest.fixture(scope="session")
def detector(nlp, knowledge):
    return RedFlagDetector(nlp, knowledge)


@pytest.fixture(scope="session")
def coach(knowledge):
    return Coach(knowledge)


@pytest.fixture
def context():
    return Context
