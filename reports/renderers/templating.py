"""Jinja2 plumbing shared by the text renderers: where templates live and
the small filters they share."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import FileSystemLoader

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOADER = FileSystemLoader(TEMPLATES)

DASH = "—"   # an empty cell, as printed tables write it


def iso(day: date | None) -> str:
    """2026-11-25, or a dash: compact enough for a table column."""
    return day.isoformat() if day else DASH


FILTERS = {"iso": iso}
