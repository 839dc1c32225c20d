"""Lists held outside the shown DOM: readable script sources are opened first.

Hanweb JCMS ``<script type="text/xml">`` recordsets are unwrapped into the DOM, a list
container whose only content is an HTML comment full of items gets that comment parsed
(gansu_jyt trap), and inline JS/JSON lists (``var listData = {articleList: […]}``,
jiangxi_sthjt trap) are read as a candidate list.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

from lxml import etree

from . import dates
from .dom import (DOCUMENT, _HTML_TAG, Element, _clean, has_descendant, is_tag, join_url, mark_plain, parse_html,
                  script_blocks)
from .jsdata import dict_lists, script_literals
from .types import Item

# Hanweb JCMS: the list is not in the DOM but serialised in <script type="text/xml">.
# Scanned, not matched with lazy gaps: a megabyte of unclosed <script type="text/xml"> or
# <record> openers made `(.*?)</script>` rescan to the end from each one (>10 min of CPU).
# Each scan below moves forward only: linear in the page.
_XML_TYPE = re.compile(r"\btype\s*=\s*[\"']?text/xml", re.I)
_RECORD_OPEN = re.compile(r"<record\b[^<>]*>\s*<!\[CDATA\[", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[[^\]]{0,2000}?href=[\"']([^\"'<>]{1,2000})[\"']", re.I)
# A URL in a JSON string longer than this is no URL (and is not searched).
_MAX_URL = 2048

# --- inline JSON keys ----------------------------------------------------------------------

_TITLE_KEYS = ("title", "doctitle", "showtitle", "articletitle", "subject", "bt", "biaoti", "titlename")
_URL_KEYS = ("url", "pcurl", "href", "link", "linkurl", "docpuburl", "chnldocurl", "docurl",
             "articleurl", "urls", "detailurl")
_PINNED_KEYS = ("topstatus", "istop", "top", "zhiding", "sticky")
_ROW_MARKUP = re.compile(r"<(?:li|tr|dd|dl|div|p)\b", re.I)
_DATE_KEY_PUB = re.compile(r"pub|rel|publish|issue|fbrq|fbsj|fabu|showdate|docdate", re.I)
_DATE_KEY_ANY = re.compile(r"date|time|rq|sj", re.I)
_DATE_KEY_NO = re.compile(r"update|modif|last|expire|end|start|gen|crtime|sort|valid", re.I)
_DATE_KEY_WRITTEN = re.compile(r"create|cw|write|sign", re.I)
_CN_TZ = timezone(timedelta(hours=8))


def _unwrap_hanweb(html: str, notes: list[str]) -> tuple[str, int | None, str | None]:
    """Replace Hanweb <script type="text/xml"> recordsets by their CDATA records.

    Returns the new HTML, the number of records unwrapped (None: no recordset at all) and
    the dataproxy URL of the recordset's <nextgroup>, if any.
    """
    hanweb_records: int | None = None
    hanweb_proxy: str | None = None
    out: list[str] = []
    pos = 0
    for start, end, attrs, inner in script_blocks(html):
        if not (_XML_TYPE.search(attrs) and "<recordset" in inner.lower()):
            continue
        recs = _records(inner)
        hanweb_records = (hanweb_records or 0) + len(recs)
        group = inner.find("<nextgroup>")
        nxt = _NEXTGROUP.match(inner, group) if group >= 0 else None
        if nxt:
            hanweb_proxy = nxt.group(1).replace("&amp;", "&")
        out.append(html[pos:start])
        out.append('<div data-govfresh="recordset">' + "".join(recs) + "</div>")
        pos = end
    if hanweb_records is None:
        return html, None, None
    out.append(html[pos:])
    if hanweb_records is not None:
        notes.append(f"Hanweb recordset: {hanweb_records} records")
    return "".join(out), hanweb_records, hanweb_proxy


def _records(recordset: str) -> list[str]:
    """The CDATA contents of a recordset's <record>s, in order (one forward scan)."""
    recs, pos = [], 0
    while (m := _RECORD_OPEN.search(recordset, pos)) is not None:
        end = recordset.find("]]>", m.end())
        if end < 0:
            break
        recs.append(recordset[m.end():end])
        pos = end + 3
    return recs


def _unwrap_comments(doc: Element, counts: dict[Element, int], notes: list[str]) -> bool:
    """Parse item lists that sit inside an HTML comment of an otherwise empty container (in place)."""
    done = False
    for c in list(doc.iter(etree.Comment)):
        text = c.text or ""
        if "href" not in text or not _ROW_MARKUP.search(text):
            continue
        parent = c.getparent()
        if parent is None or parent.tag in ("head", "html", DOCUMENT, "body"):
            continue
        if counts.get(parent, 0) > 0:
            continue  # the container shows live items; the comment is an old copy
        frag = parse_html(text, refuse_deep=False)
        body = next(frag.iter("body"), frag)
        if not any(is_tag(n) and has_descendant(n, "a", attr="href") for n in body):
            continue
        _replace(c, body)
        done = True
    if done:
        mark_plain(doc)   # the comment's markup may hold a <pre> or a <template>
        notes.append("list read from an HTML comment")
    return done


def _replace(comment: Element, body: Element) -> None:
    """Put ``body``'s content where ``comment`` is, keeping the text around the comment."""
    _append_text(comment, body.text)
    for n in list(body):
        comment.addprevious(n)
    _append_text(comment, comment.tail)
    comment.tail = None
    comment.getparent().remove(comment)


def _append_text(before: Element, text: str | None) -> None:
    """Add ``text`` just before ``before``: to its previous sibling's tail, or its parent's text."""
    if not text:
        return
    prev = before.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent = before.getparent()
        parent.text = (parent.text or "") + text


def _json_list(doc: Element, base: str, crawl_date: date) -> list[Item]:
    lists = []
    for s in doc.iter("script"):
        if s.get("src"):
            continue
        typ = (s.get("type") or "").lower()
        is_json = "json" in typ
        if typ and not is_json and "javascript" not in typ and "ecmascript" not in typ:
            continue
        text = s.text or ""
        if "[" not in text or "{" not in text:
            continue
        lists.extend(lst for lit in script_literals(text, is_json=is_json) for lst in dict_lists(lit))
    return best_items(lists, base, crawl_date)


def best_items(lists: Iterable[list[dict]], base: str, crawl_date: date, dated_only: bool = True) -> list[Item]:
    """The list of records that reads as the most dated list of documents (titles, links, dates).

    ``dated_only``: a list without any date is no answer (inline script data: a menu, a
    config); a data endpoint's answer may be a list of undated documents.
    """
    best: list[Item] = []
    best_dated = -1
    for lst in lists:
        items = [it for it in (_json_item(d, base, crawl_date) for d in lst) if it is not None]
        if not items or len(items) < max(1, len(lst) // 2):
            continue
        dated = sum(1 for it in items if it.date is not None)
        if dated > best_dated or (dated == best_dated and len(items) > len(best)):
            best, best_dated = items, dated
    return best if best_dated > 0 or (best and not dated_only) else []


def epoch_date(value: object) -> date | None:
    """A date given as epoch milliseconds or seconds (a number or a string of digits), in China's time."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if 1e12 <= value <= 5e12:       # ms: TRS docreltime, most Java APIs
        value = value / 1000
    elif not 1e9 <= value < 5e9:    # s: 2001-09 … 2128
        return None
    return datetime.fromtimestamp(value, _CN_TZ).date()


def _json_item(d: dict, base: str, crawl_date: date) -> Item | None:
    low = {str(k).lower(): v for k, v in d.items()}
    title = next((low[k] for k in _TITLE_KEYS if isinstance(low.get(k), str) and low[k].strip()), None)
    if not title:
        return None
    title = _clean(_HTML_TAG.sub("", title))
    url = ""
    for k in _URL_KEYS:
        v = low.get(k)
        if isinstance(v, dict):  # "urls": {"pc": "…", "mobile": "…"}
            v = v.get("pc") or next((x for x in v.values() if isinstance(x, str) and x), "")
        if isinstance(v, str) and v.strip():
            v = v.strip()
            if len(v) > _MAX_URL:
                continue
            if v.startswith("{"):  # Jiangxi: "urls": "{\"pc\":\"/…/content_1.html\"}"
                m = re.search(r"\"pc\"\s*:\s*\"([^\"]+)\"", v) or re.search(r":\s*\"([^\"]+)\"", v)
                v = m.group(1) if m else ""
            if v:
                url = join_url(base, v)
                break
    best: tuple[int, date] | None = None
    for k, v in d.items():
        key = str(k)
        if not _DATE_KEY_ANY.search(key) or _DATE_KEY_NO.search(key):
            continue
        prio = 3 if _DATE_KEY_PUB.search(key) else (1 if _DATE_KEY_WRITTEN.search(key) else 2)
        dt = epoch_date(v)
        if dt is None and isinstance(v, str):
            dt = dates.parse_date(v)
        if dt is None or dt > crawl_date:
            continue
        if best is None or prio > best[0]:
            best = (prio, dt)
    pinned = any(str(low.get(k)).lower() in ("1", "true") for k in _PINNED_KEYS if k in low)
    return Item(title=title, url=url, date=best[1] if best else None, pinned=pinned)
