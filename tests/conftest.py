"""Shared test set-up: helpers in tests/ importable from every sub-folder."""
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))


import pytest  # noqa: E402


@pytest.fixture
def store(tmp_path):
    """A fresh database per test, closed afterwards."""
    from store import Store

    with Store(tmp_path / "t.db") as s:
        yield s
