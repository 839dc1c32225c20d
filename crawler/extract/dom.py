"""Small text and attribute helpers shared by the list-page modules (no page logic here)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree

_STOP_TAGS = {"body", "html", "[document]", "form"}
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_WS = re.compile(r"\s+")
# `[^<>]`, not `[^>]`: from every "<" of a page without ">" the latter scanned to the end.
_HTML_TAG = re.compile(r"<[^<>]+>")
_SCRIPT_OPEN = re.compile(r"<script\b([^<>]*)>", re.I)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.I)


class TooDeep(ValueError):
    """A page nested deeper than any real page (and than libxml2 itself allows)."""


def parse_html(html: str) -> BeautifulSoup:
    """The page as a tree, refusing one nested absurdly deep (TooDeep).

    BeautifulSoup builds whatever depth it is fed (27,000 unclosed tags make a tree
    27,000 deep), and every walk up a node's parents, or down recursively, then costs
    that much per node. libxml2's own parser stops at depth 256, which no real page
    comes near; asking it first costs a few milliseconds a megabyte.
    """
    probe = etree.HTMLParser(recover=True, encoding="utf-8")
    try:
        etree.fromstring(html.encode("utf-8", "surrogatepass"), probe)
    except (etree.XMLSyntaxError, ValueError):
        pass
    if any("Excessive depth" in e.message for e in probe.error_log):
        raise TooDeep("页面结构嵌套过深（超过256层）")
    return BeautifulSoup(html, "lxml")


MAX_URL = 2048   # longer than any real page address: such an href is no address


def join_url(base: str, href: str) -> str:
    """`href` resolved against `base`; "" for an href too long or malformed to be an address.

    urljoin raises on a broken IPv6 host ("http://[::1"): one bad link must not fail a page.
    """
    if len(href) > MAX_URL:
        return ""
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def script_blocks(html: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, attributes, body) of each closed <script> of a page, in one forward scan.

    A lazy ``<script…>(.*?)</script>`` pattern rescans to the end of the page from every
    unclosed opener: a megabyte of them took minutes. An unclosed script runs to the end
    of the page, so nothing after it is a script.
    """
    pos = 0
    while (opener := _SCRIPT_OPEN.search(html, pos)) is not None:
        closer = _SCRIPT_CLOSE.search(html, opener.end())
        if closer is None:
            return
        yield opener.start(), closer.end(), opener.group(1), html[opener.end():closer.start()]
        pos = closer.end()


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
