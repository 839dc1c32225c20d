"""Make crawled text and URLs safe to put in front of people.

Everything in an export that came from a crawled page (column names, titles,
URLs, messages quoting them) is untrusted. Cleaning here is format-neutral;
each renderer still escapes for its own syntax (HTML autoescape, Markdown
backslashes, later Excel formulas).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Control characters, zero-width characters and bidi overrides: invisible in
# a report, but able to reorder or hide what a reader sees (U+202E turns
# "txt.exe" into "exe.txt").
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_WHITESPACE = re.compile(r"\s+")

# A report cell is not the place for a whole page: a runaway title would
# bloat the file and push every other row off the screen.
MAX_TEXT = 300
# Longer than any real disclosure-page URL; beyond it a URL is shown cut short
# and not linked, since a shortened href would point somewhere else.
MAX_URL = 2048

LINKABLE_SCHEMES = frozenset({"http", "https"})


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """One line of plain text: no control characters, whitespace collapsed.

    Collapsing newlines also matters for Markdown, where a line break inside
    crawled text could otherwise start a heading or a list of its own.
    """
    if value is None:
        return ""
    text = _WHITESPACE.sub(" ", _INVISIBLE.sub("", str(value))).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_url(value: object) -> str:
    """A crawled URL as displayed text (cleaned like any crawled text)."""
    return clean_text(value, limit=MAX_URL)


def safe_href(value: object) -> str | None:
    """The cleaned URL when a report may link it (absolute http/https), else None.

    Anything else - javascript:, data:, vbscript:, file:, relative paths -
    is shown as text only. The check runs on the same cleaned string that
    clean_url displays, so a link and its visible text never differ.
    """
    url = clean_text(value, limit=MAX_URL + 1)
    if not url or len(url) > MAX_URL:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() in LINKABLE_SCHEMES and parts.netloc:
        return url
    return None
