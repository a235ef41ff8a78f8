"""Set-up behaviour a newcomer relies on: a clear message without Python 3.10, and the model
cache key that decides whether `make run` retrains."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_missing_python_310_says_how_to_get_it(tmp_path):
    if any(Path(p).exists() for p in ("/usr/bin/python3.10", "/usr/local/bin/python3.10")):
        pytest.skip("this machine has a system Python 3.10")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON310": "/nowhere/python3.10"}
    result = subprocess.run([str(ROOT / "scripts" / "find-python310")], env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert "Python 3.10 not found" in result.stderr
    assert "pyenv install 3.10" in result.stderr and "PYTHON310=" in result.stderr


def test_python_310_is_found_here():
    result = subprocess.run(
        [str(ROOT / "scripts" / "find-python310")], capture_output=True, text=True, env=dict(os.environ)
    )
    assert result.returncode == 0
    version = subprocess.run([result.stdout.strip(), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("Python 3.10")


@pytest.fixture
def tree(tmp_path):
    """A copy of what the model key reads, to edit freely."""
    for name in ("config.yml", "domain.yml", "requirements.txt", "requirements-dev.txt", "scripts"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    for name in ("data", "knowledge", "components", "coach"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def model_key(tree):
    return subprocess.run([str(tree / "scripts" / "model-key")], capture_output=True, text=True, check=True).stdout


def test_model_key_is_stable_and_follows_what_shapes_the_model(tree):
    first = model_key(tree)
    assert model_key(tree) == first  # nothing changed: no retraining
    with open(tree / "requirements-dev.txt", "a") as handle:  # a test-only dependency: no retraining
        handle.write("some-test-tool==1.0\n")
    assert model_key(tree) == first
    with open(tree / "knowledge" / "vocabulary.yml", "a") as handle:
        handle.write("\n# a curator's edit\n")
    assert model_key(tree) != first  # knowledge changed: retrain (contract)
