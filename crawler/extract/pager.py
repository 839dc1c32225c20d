"""Further pages of a column: TRS createPageHTML / countPage pagers, Hanweb dataproxy paging."""
from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from .dom import _HTML_TAG, join_url

# Hanweb JCMS recordset paging (the recordset itself is unwrapped in hidden_lists.py).
_TOTAL_RECORD = re.compile(r"(?:totalRecord|totalrecord|totalCount)[\"']?\s*[:=>]\s*[\"']?(\d+)", re.I)
_PER_PAGE = re.compile(r"\b(?:perPage|perpage|pageSize)[\"']?\s*[:=]\s*[\"']?(\d+)")

# TRS pagers: createPageHTML(pages, current0, "index", "html") and the site-cluster form
# createPageHTML('page_div', pages, current1, 'zwgklist', 'shtml', records).
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w.-]+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
_CLUSTER_PAGER = re.compile(
    r"createPageHTML\(\s*[\"'][^\"']*[\"']\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w.-]+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
# Classic TRS inline pager script: var countPage = 2; var currentPage = 0 (ordos, handan).
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
_COUNT_PAGE_NAME = re.compile(r"[\"'](\w+)[\"']\s*\+\s*[\"']_[\"']")
# The extension closes an escaped href: "."+"shtml\">" (ordos, handan), or a plain string.
_COUNT_PAGE_EXT = re.compile(r"[\"']\.[\"']\s*\+\s*[\"'](s?html?)\\?[\"']")
# TRS avalon list2.trsapi: recordCount: '20', prepage: 10 (pingtan).
_RECORD_COUNT = re.compile(r"\brecordCount\s*:\s*[\"']?(\d+)")
_PREPAGE = re.compile(r"\bprepage\s*:\s*[\"']?(\d+)")
_SHOWN_PAGES = re.compile(r"共\s*(\d{1,4})\s*页")
# What "共" must be followed by in the page's HTML for _SHOWN_PAGES to match once the tags are
# taken out (_HTML_TAG): most pages say 共 only in a script or a text, and are not copied.
_SHOWN_PAGES_HTML = re.compile(r"共(?:\s|<[^<>]+>)*\d")
# <a href="?page=2">, list.jsp?channelId=5&pageNo=3 …: the page number's parameter and value
# ("&" is "&amp;" in well-formed HTML).
_QUERY_PAGE_LINK = re.compile(
    r"""href\s*=\s*["']([^"'<>]*?(?:[?&]|&amp;)(page|pageNo|pageno|pageIndex|pageindex|currentPage|curPage|pn)=(\d{1,4})\b[^"'<>]*)["']""")
_MAX_NEXT_PAGES = 500


def _pager(raw: str, url: str, base: str, hanweb_records: int | None,
           hanweb_proxy: str | None) -> tuple[int | None, list[str]]:
    """Total pages (None: unknown) and the URLs of the further pages, from the raw HTML.

    ``url`` resolves TRS page names, ``base`` the Hanweb dataproxy; ``hanweb_records`` and
    ``hanweb_proxy`` are what the unwrapped recordset carried (None: no recordset).
    """
    m = _CLUSTER_PAGER.search(raw)
    if m:
        pages, cur, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        nxt = [f"{name}_{i}.{ext}" for i in range(max(cur, 1) + 1, pages + 1)]
        return pages, _abs(url, nxt)
    m = _TRS_PAGER.search(raw)
    if m:
        pages, cur, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        nxt = [f"{name}_{i}.{ext}" for i in range(cur + 1, pages)]
        return pages, _abs(url, nxt)
    # Each pager's word is looked for before its pattern: re scans a pattern that starts with
    # \b at every position, and most pages have no pager of that kind (a tenth of the time).
    m = _COUNT_PAGE.search(raw) if "countPage" in raw else None
    if m:
        pages = int(m.group(1))
        cm = _CURRENT_PAGE.search(raw)
        cur = int(cm.group(1)) if cm else 0
        seg = raw[max(0, m.start() - 200):m.end() + 4000]
        nm = _COUNT_PAGE_NAME.search(seg)
        em = _COUNT_PAGE_EXT.search(seg)
        name = nm.group(1) if nm else "index"
        ext = em.group(1) if em else (urlsplit(url).path.rsplit(".", 1)[-1] if "." in urlsplit(url).path.rsplit("/", 1)[-1] else "html")
        return pages, _abs(url, [f"{name}_{i}.{ext}" for i in range(cur + 1, pages)])
    if hanweb_records is not None:
        tm = _TOTAL_RECORD.search(raw)
        pm = _PER_PAGE.search(raw)
        if tm and pm and int(pm.group(1)) > 0:
            total, per = int(tm.group(1)), int(pm.group(1))
            pages = max(1, math.ceil(total / per))
            return pages, _hanweb_pages(total, per, base, hanweb_records, hanweb_proxy)
    rc = _RECORD_COUNT.search(raw) if "recordCount" in raw else None
    pp = _PREPAGE.search(raw) if "prepage" in raw else None
    if rc and pp and int(pp.group(1)) > 0:
        return max(1, math.ceil(int(rc.group(1)) / int(pp.group(1)))), []
    m = _SHOWN_PAGES.search(_HTML_TAG.sub("", raw)) if "页" in raw and _SHOWN_PAGES_HTML.search(raw) else None
    shown = int(m.group(1)) if m else None
    query = _query_pages(raw, url, base, shown)
    if query:
        return query
    if shown is not None:
        return shown, []
    return None, []


def _query_pages(raw: str, url: str, base: str, shown: int | None) -> tuple[int, list[str]] | None:
    """``?page=N`` pagers: links to the same list with a page number in the query.

    The page count is the shown 共N页 or, failing that, the highest page linked; further pages
    are the link with the number replaced, 2 … count (the current page is the first).
    """
    here = urlsplit(url).path
    best: tuple[str, str, int] | None = None   # (href, parameter, number)
    highest = 0
    for m in _QUERY_PAGE_LINK.finditer(raw):
        href = m.group(1).replace("&amp;", "&")
        target = urlsplit(join_url(base, href))
        if target.path != here and href[:1] != "?":
            continue
        number = int(m.group(3))
        highest = max(highest, number)
        if number >= 2 and (best is None or number < best[2]):
            best = (href, m.group(2), number)
    if best is None:
        return None
    pages = shown or highest
    if pages < 2:
        return None
    href, param = best[0], best[1]
    pattern = re.compile(rf"([?&]{re.escape(param)}=)\d+")
    nxt = [pattern.sub(lambda mm, n=n: f"{mm.group(1)}{n}", href, count=1) for n in range(2, pages + 1)]
    return pages, [u for u in (join_url(base, h) for h in nxt[:_MAX_NEXT_PAGES]) if u]


def _hanweb_pages(total: int, per: int, base: str, hanweb_records: int | None,
                  hanweb_proxy: str | None) -> list[str]:
    """dataproxy.jsp URLs for the records the recordset did not carry."""
    have = hanweb_records or 0
    proxy = hanweb_proxy or "/module/web/jpage/dataproxy.jsp"
    parts = urlsplit(proxy)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
              if k not in ("startrecord", "endrecord", "perpage", "page")]
    out = []
    start = have + 1
    while start <= total and len(out) < _MAX_NEXT_PAGES:
        end = min(total, start + per - 1)
        q = urlencode([("startrecord", start), ("endrecord", end), ("perpage", per), *params])
        out.append(join_url(base, f"{parts.path}?{q}"))
        start = end + 1
    return out


def _abs(url: str, rel: list[str]) -> list[str]:
    return [u for u in (join_url(url, r) for r in rel[:_MAX_NEXT_PAGES]) if u]
