"""Start the real servers once per test session."""

import pytest
from servers import ROOT, Servers


@pytest.fixture(scope="session")
def servers():
    (ROOT / "var").mkdir(exist_ok=True)
    started = Servers()
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()
