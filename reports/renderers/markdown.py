"""The problem list as Markdown, ready to paste into a group chat or a wiki.

Markdown has no autoescape, so this renderer supplies one: Jinja's `finalize`
runs md_escape over every value a template prints. Only md_autolink, which
builds a link from a URL already checked to be http/https, may print markup.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from jinja2 import Environment, StrictUndefined

from ..model import PeriodReport
from ..formats import Renderer
from .templating import FILTERS, LOADER

# Inline Markdown syntax (CommonMark + GFM): emphasis, code, links and images
# ([ ] !), raw HTML and autolinks (< >), entities (&), tables (|), strikeout
# (~), headings (#). The backslash goes first so our escapes are not doubled.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&#@])")
# GFM turns bare "http://…" and "www.…" into links ("autolink literals").
# Escaping the ':' / '.' breaks the trigger without changing what readers see.
_SCHEME_SEP = re.compile(r":(?=//)")
_WWW_DOT = re.compile(r"(?i)\b(www)\.")


class MdMarkup(str):
    """Markdown that this module built itself and that md_escape leaves alone."""


def md_escape(text: str) -> str:
    """Crawled text as literal Markdown: no link, image, HTML or formatting.

    The model has already folded the text onto one line (reports.text), so it
    cannot open a heading or a list; templates never start a line with it.
    """
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _SCHEME_SEP.sub(r"\\:", text)
    return _WWW_DOT.sub(r"\1\\.", text)


def md_autolink(url: str | None) -> MdMarkup:
    """<http://…>: a CommonMark autolink for a URL the model marked linkable.

    An autolink ends at the first space or '>', so those (and '<') are
    percent-encoded; everything else is kept as crawled.
    """
    if not url:
        return MdMarkup("")
    return MdMarkup("<" + quote(url, safe="".join(
        chr(c) for c in range(0x21, 0x7F) if chr(c) not in "<>")) + ">")


def _finalize(value: object) -> str:
    if isinstance(value, MdMarkup):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return md_escape(str(value))


_ENV = Environment(loader=LOADER, autoescape=False, finalize=_finalize,
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True)
_ENV.filters.update(FILTERS)
_ENV.filters["md_autolink"] = md_autolink


class MarkdownRenderer(Renderer):
    kind = "md"
    suffix = ".md"
    description = "Markdown，可直接粘贴"

    def render(self, report: PeriodReport) -> bytes:
        return _ENV.get_template("period.md.j2").render(report=report).encode("utf-8")
