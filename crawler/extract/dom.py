"""Small text and attribute helpers shared by the list-page modules (no page logic here)."""
from __future__ import annotations

import re

from bs4 import NavigableString, Tag

_STOP_TAGS = {"body", "html", "[document]", "form"}
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_WS = re.compile(r"\s+")
_HTML_TAG = re.compile(r"<[^>]+>")


def _attr_text(tag: Tag) -> str:
    cls = tag.get("class") or []
    if isinstance(cls, str):
        cls = [cls]
    return (" ".join(cls) + " " + str(tag.get("id") or "")).lower().strip()


def _tokens(s: str) -> set[str]:
    return {t for t in _TOKEN_SPLIT.split(s) if t}


def _clean(s: str) -> str:
    return _WS.sub(" ", s.replace("\xa0", " ")).strip()


def _is_text(s) -> bool:
    # Only plain text nodes: comments, scripts, styles and <template> strings are not shown.
    return type(s) is NavigableString


def _strings(node: Tag):
    """Shown text nodes under ``node`` (faster than find_all(string=True) with a filter)."""
    return (d for d in node.descendants if type(d) is NavigableString)
