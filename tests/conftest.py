"""Shared test set-up: helpers in tests/ importable from every sub-folder."""
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
