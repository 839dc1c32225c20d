"""Make crawled text and URLs safe to put in front of people.

Everything in an export that came from a crawled page (column names, titles,
URLs, messages quoting them) is untrusted. Cleaning here is format-neutral;
each renderer still escapes for its own syntax (HTML autoescape, Markdown
backslashes, Excel formula prefixes, WeCom markdown look-alikes).
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

# Control characters, zero-width characters and bidi overrides: invisible in
# a report, but able to reorder or hide what a reader sees (U+202E turns
# "txt.exe" into "exe.txt"). Also the other invisible format characters that
# chat apps pass through: soft hyphen, Arabic letter mark, Mongolian vowel
# separator, deprecated format controls, interlinear annotations and the
# "tag" characters U+E0000-E007F (used to hide text from readers).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u00ad\u061c\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000e0000-\U000e007f]"
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


# A cell whose text starts with one of these is a formula to a spreadsheet
# (CSV/formula injection: =HYPERLINK(…), +cmd|…, -2+3, @SUM(…)). Tab, CR and LF
# count because spreadsheets skip them before looking; the full-width forms
# too, since Excel in East Asian locales may take a leading ＝ as a formula
# when a user re-enters the cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet would read this text as a formula if typed in."""
    return text.startswith(FORMULA_TRIGGERS)


def utf8_len(text: str) -> int:
    """Bytes in UTF-8: chat limits are bytes, and a 汉字 is three of them."""
    return len(text.encode("utf-8"))


def display_width(text: str) -> int:
    """Columns the text takes in a monospaced or spreadsheet cell: 汉字 count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# Printable ASCII a link target may keep as is; everything else (space, the
# double quote, angle brackets, backslash, ^ ` { | } and non-ASCII) is
# percent-encoded, so the target cannot end early or break out of the syntax
# around it.
_HREF_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"<>\\^`{|}')


def encode_href(url: str, also: str = "") -> str:
    """A link target fit for a file format (xlsx relationship, docx, chat markdown).

    Only for URLs safe_href accepted; '%' is kept, so existing escapes are not
    doubled. `also` names further characters to encode, e.g. "()[]" where the
    target sits inside Markdown's [text](target).
    """
    return quote(url, safe="".join(c for c in _HREF_SAFE if c not in also))


def cut_line(line: str, limit: int) -> list[str]:
    """A line longer than `limit` bytes, cut between characters (never inside one)."""
    pieces, current, size = [], [], 0
    for char in line:
        n = utf8_len(char)
        if current and size + n > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += n
    if current:
        pieces.append("".join(current))
    return pieces
