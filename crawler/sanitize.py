"""Crawled text made safe once, on its way into the store.

Everything a crawled page says is untrusted. Before any of it is stored, every
string is made into text any consumer can take: lone surrogates (which UTF-8,
SQLite and JSON writers refuse: a column vanished from the store), noncharacters
such as U+FFFE/U+FFFF (which XML refuses: Word and Excel reports failed), C0/C1
control characters (XML again, and terminals), and absurd lengths. Renderers
still escape for their own formats; this only guarantees they get valid text.
"""
from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline; DEL and the C1 controls; the UTF-16 surrogates
# (only ever lone in a str); the noncharacters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of
# every plane. Those of the planes past the first are looked for apart, and only in a
# value that has a code point out there: in one class with the rest, every character of
# a page's text was compared with each of them (a report's HTML 337 -> 60 us).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_UNSAFE_ASTRAL = re.compile("[" + "".join(f"{chr(p << 16 | 0xFFFE)}{chr(p << 16 | 0xFFFF)}" for p in range(1, 17)) + "]")
_CR = re.compile(r"\r\n?")

# Per field, characters kept: far beyond any real value, small enough that one
# page cannot bloat the store or a report.
MAX_TITLE = 1_000
MAX_URL = 4_096
MAX_TEXT = 1_000_000   # page text (a guide) or an annual report's HTML
MAX_OTHER = 2_000

_LIMITS = {"url": MAX_URL, "final_url": MAX_URL, "newest_url": MAX_URL, "text": MAX_TEXT,
           "title": MAX_TITLE, "newest_title": MAX_TITLE, "name": MAX_TITLE, "meta_name": MAX_TITLE}


def safe_text(value: str, limit: int = MAX_OTHER) -> str:
    """`value` with unsafe code points removed, CR/LF made LF, cut to `limit` characters."""
    if len(value) > 4 * limit:       # cut first: cleaning a 100 MB string costs time for nothing
        value = value[:4 * limit]
    if value.isprintable():
        # Every unsafe code point (controls, CR, surrogates, noncharacters) is unprintable: most
        # values (titles, URLs, dates) are told safe this way at a twentieth of the patterns' cost.
        return value[:limit]
    value = _UNSAFE.sub("", _CR.sub("\n", value))
    if _ASTRAL.search(value):
        value = _UNSAFE_ASTRAL.sub("", value)
    return value[:limit]


def safe_item(value: Any, key: str = "") -> Any:
    """A spider item with every string in it made safe (the field name picks the length limit)."""
    if isinstance(value, dict):
        # An item's fields are mostly short printable strings, None and numbers: those are taken
        # here without a call each (a column's item with its 20 list items: 47 -> 24 µs).
        safe = {}
        for k, v in value.items():
            if v.__class__ is str:
                limit = _LIMITS.get(k, MAX_OTHER)
                safe[k] = v if len(v) <= limit and v.isprintable() else safe_text(v, limit)
            elif v is None or v.__class__ is int:
                safe[k] = v
            else:
                safe[k] = safe_item(v, k if isinstance(k, str) else "")
        return safe
    if isinstance(value, str):
        return safe_text(value, _LIMITS.get(key, MAX_OTHER))
    if isinstance(value, list):
        return [safe_item(v, key) for v in value]
    if isinstance(value, tuple):
        return type(value)(safe_item(v, key) for v in value)
    return value
