"""Shared fixtures: the real knowledge, the built spaCy pipeline, one coach and detector per session."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.answers import Coach, Context  # noqa: E402
from coach.knowledge import load_knowledge  # noqa: E402
from coach.language import load_pipeline  # noqa: E402
from coach.red_flags import RedFlagDetector  # noqa: E402


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
