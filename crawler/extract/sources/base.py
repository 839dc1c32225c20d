"""List sources: the data calls a page's own script makes for its list, read without a browser.

Many list pages on consolidated platforms (集约化) carry no list in their HTML: a script asks
the site for it (Hanweb's ``dataproxy.jsp``, a JSON API) and fills the page. When the page
names that call, a list source rebuilds it and reads the answer, so the column is read as a
visitor sees it. Each source is a plug-in (plugins.py): a subclass of ``ListSource`` that sets
``kind`` registers itself, and ``kind`` is what the column records as its ``list_source``.

Pure, like the rest of extract/: ``find`` is (page HTML, URL) → the first call, ``read`` is
(answer bytes, the call) → items and the next call; the spider makes the requests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from plugins import Plugin, Registry

from ..types import Item

# How a column's list was read (observations.list_source). Data endpoints add their kinds.
STATIC = "static"      # from the page's HTML as served (inline scripts included)
BROWSER = "browser"    # from the DOM a real browser rendered


@dataclass(frozen=True)
class DataCall:
    """One request a page's script makes for its list: the spider sends it as is."""
    url: str                                   # absolute
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()     # application/x-www-form-urlencoded body (POST)
    start: int = 1                             # first record this call asks for (1-based)
    referer: str = ""                          # the list page that makes the call (base of relative links)


@dataclass
class Batch:
    """What one answer of a data endpoint says."""
    items: list[Item] = field(default_factory=list)
    total: int | None = None            # records the endpoint says the column has, when it says
    next_call: DataCall | None = None   # the call for the following records, if any
    readable: bool = True               # False: not the answer expected (an error page, a login)


class ListSource(Plugin):
    """Base of the list sources; a subclass that sets ``kind`` joins ``LIST_SOURCES``."""
    registry = Registry("list source")

    def find(self, html: str, url: str) -> DataCall | None:
        """The first data call the page's scripts make for its list, or None."""
        raise NotImplementedError

    def read(self, body: bytes, call: DataCall, crawl_date: date, content_type: str | None = None) -> Batch:
        """Items of one answer and the call for the next records."""
        raise NotImplementedError


LIST_SOURCES = ListSource.registry


def find_data_call(html: str, url: str) -> tuple[str, DataCall] | None:
    """(kind, call) of the first source that recognises the page's list call, or None."""
    for kind, cls in LIST_SOURCES.items():
        call = cls().find(html, url)
        if call is not None:
            return kind, call
    return None


def read_data_call(kind: str, body: bytes, call: DataCall, crawl_date: date,
                   content_type: str | None = None) -> Batch:
    """One answer read by the source of this kind."""
    return LIST_SOURCES.lookup(kind)().read(body, call, crawl_date, content_type)
