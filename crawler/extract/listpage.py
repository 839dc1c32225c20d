"""Column list pages: find the main list, its items and their dates.

One generic algorithm, no per-site rules:

1. Readable script sources are opened first: Hanweb JCMS ``<script type="text/xml">``
   recordsets are unwrapped into the DOM, a list container whose only content is an HTML
   comment full of items gets that comment parsed (gansu_jyt trap), and inline JS/JSON lists
   (``var listData = {articleList: […]}``, jiangxi_sthjt trap) are read as a candidate list.
2. Every title link is lifted to its *record* (the li/tr/dl/dd/div that holds it and nothing
   else that looks like another title), records are grouped by their list root (so 15 items
   in three sibling ``<ul>`` of 5 are one list, pingtan_zfxxgkzd trap).
3. Groups in header/nav/footer/menu/friend-link zones are dropped, sidebar/"热点" boxes are
   penalised, list/content containers are preferred, the biggest dated group wins.
4. A record's date comes from short date-label nodes only (``[11-20]``, ``发布时间：…``), never
   from its title text, its URL (t20260313 vs shown 2026-03-10: the shown date wins), the
   page header clock, footers or page-generation metas.  In catalogue tables the 发布日期
   column beats 成文日期.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import median
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from . import dates as D
from .encoding import decode
from .jsdata import dict_lists, script_literals
from .types import EMPTY, LIST, NOT_LIST, UNVERIFIABLE, Item, ListPage

# --- page-level regexes (compiled once) --------------------------------------------------

# Hanweb JCMS: the list is not in the DOM but serialised in <script type="text/xml">.
_XML_SCRIPT = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?text/xml[\"']?[^>]*>(.*?)</script\s*>", re.S | re.I
)
_RECORD = re.compile(r"<record\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=[\"']([^\"']+)[\"']", re.S | re.I)
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
_COUNT_PAGE_EXT = re.compile(r"[\"']\.[\"']\s*\+\s*[\"'](s?html?)[\"']")
# TRS avalon list2.trsapi: recordCount: '20', prepage: 10 (pingtan).
_RECORD_COUNT = re.compile(r"\brecordCount\s*:\s*[\"']?(\d+)")
_PREPAGE = re.compile(r"\bprepage\s*:\s*[\"']?(\d+)")
_SHOWN_PAGES = re.compile(r"共\s*(\d{1,4})\s*页")
_MAX_NEXT_PAGES = 500

# JS list loaders we cannot follow: the page is filled at run time.  Only list-specific
# machinery counts; a Vue menu or a visit counter on a navigation page does not make the
# page "unverifiable" (the spider still has to discover its sub-columns).
_LIST_LOADER = re.compile(r"jpage|dataproxy|loadPageData|\.trsapi|laypage", re.I)
_TEMPLATE_ATTRS = ("ms-repeat", "ms-for", "v-for", "wx:for", "ng-repeat", "x-for")
_TEMPLATE_SCRIPT_TYPES = re.compile(r"template|text/html", re.I)
# A template that renders documents binds a title or a publication date.
_ITEM_BINDING = re.compile(r"title|doctitle|pubdate|docreltime|publishtime|releasetime|fbrq|fbsj", re.I)
_AJAX = re.compile(r"\$\.(?:ajax|get|getJSON|post)\s*\(|\.load\s*\(|fetch\s*\(|XMLHttpRequest|axios", re.I)
_AJAX_LIST_HINT = re.compile(r"list|page|rows|records|data|append|html\s*\(|innerHTML", re.I)

# "暂无信息" and friends: the column says it has nothing.
_PLACEHOLDER = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|公开信息|文件|栏目信息)|"
    r"没有(?:找到)?(?:相关)?(?:信息|数据|记录|内容)|无相关(?:信息|数据|记录|内容)|尚无(?:信息|内容|数据)"
)

# --- zones ---------------------------------------------------------------------------------

_ZONE_TAGS = {"header", "nav", "footer", "aside"}
# Class/id fragments of page chrome: a list there is navigation, not the column's content.
_EXCLUDE_SUBSTR = re.compile(
    r"nav|menu|foot|crumb|yqlj|friendlink|copyright|banquan|sitemap|daohang|dingbu|weizhi|dqwz"
)
_EXCLUDE_TOKENS = {"header", "head", "top", "topbar", "links", "link", "dh", "position",
                   "location", "bread", "share", "toolbar", "search", "pager", "pagination"}
# Sidebar boxes: hot/ranked/related lists carry dates but are not the column.
_PENALTY_SUBSTR = re.compile(
    r"side|hot|rank|paihang|phb|tuijian|recommend|related|xgwz|xgxx|xglj|remen|redian|djph|ydph"
)
_BONUS_SUBSTR = re.compile(r"list|liebiao|news|xxgk|zwgk|gkml|content|main|article|result|data")
_BONUS_TOKENS = {"lb", "con", "zw", "wz", "info"}
_HOT_TEXT = re.compile(
    r"热点|热门|排行|推荐|猜你喜欢|相关(?:链接|文章|新闻|信息|阅读|文件|稿件|专题)|图片新闻|点击排行|专题专栏"
)
_FRIEND_TEXT = re.compile(r"友情链接|网站链接|相关网站|政府网站|部门网站")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")

# --- records -------------------------------------------------------------------------------

_RECORD_TAGS = {"li", "tr", "dl"}
_ROW_TAGS = {"dd", "dt", "li", "div", "p"}   # block children that are rows when repeated
_HIDDEN_PARENTS = {"template", "select", "head"}
_STOP_TAGS = {"body", "html", "[document]", "form"}
_NAV_ANCHOR = re.compile(
    r"^(?:更多|查看更多|more|首页|上一页|下一页|尾页|末页|返回|返回顶部|打印|打印本页|关闭|关闭窗口|收藏|"
    r"设为首页|加入收藏|繁体|简体|繁體|无障碍|english|登录|注册|\d+|第\d+页|跳转|go)$",
    re.I,
)
_ANCHOR_STRIP = re.compile(r"[\s>»<«·•|｜\[\]【】]+")
_PINNED_TEXT = re.compile(r"置顶|\[顶\]|【顶】")
_PINNED_TOKENS = {"top", "istop", "zd", "zhiding", "settop", "ding"}
_DETAIL_URL = re.compile(
    r"t\d{8}_\d+|/art/\d{4}/|content_\d+|/\d{6}/|\d{5,}\.s?html?|[?&](?:id|docid|articleid|infoid|contentid)=",
    re.I,
)
_PUB_COL = re.compile(r"发布日期|发布时间|公开日期|公开时间|公布日期|发文日期|上网日期|发布")
_GENERIC_COL = re.compile(r"日期|时间")
_WRITTEN_COL = re.compile(r"成文|印发|生成|施行|生效|实施|废止")
_WS = re.compile(r"\s+")

# --- inline JSON keys ----------------------------------------------------------------------

_TITLE_KEYS = ("title", "doctitle", "showtitle", "articletitle", "subject", "bt", "biaoti", "titlename")
_URL_KEYS = ("url", "pcurl", "href", "link", "linkurl", "docpuburl", "chnldocurl", "docurl",
             "articleurl", "urls", "detailurl")
_PINNED_KEYS = ("topstatus", "istop", "top", "zhiding", "sticky")
_DATE_KEY_PUB = re.compile(r"pub|rel|publish|issue|fbrq|fbsj|fabu|showdate|docdate", re.I)
_DATE_KEY_ANY = re.compile(r"date|time|rq|sj", re.I)
_DATE_KEY_NO = re.compile(r"update|modif|last|expire|end|start|gen|crtime|sort|valid", re.I)
_DATE_KEY_WRITTEN = re.compile(r"create|cw|write|sign", re.I)
_HTML_TAG = re.compile(r"<[^>]+>")
_CN_TZ = timezone(timedelta(hours=8))

_ARTICLE_META = {"articletitle", "pubdate", "firstpublishedtime", "contentsource"}


@dataclass
class _Record:
    node: Tag
    anchor: Tag
    title: str = ""
    url: str = ""
    date: date | None = None
    pinned: bool = False


@dataclass
class _Group:
    root: Tag
    records: list[_Record] = field(default_factory=list)
    score: float = 0.0
    excluded: bool = False
    listish: bool = False
    penalized: bool = False  # sidebar/热点/related box
    header_col: int | None = None

    @property
    def dated(self) -> int:
        return sum(1 for r in self.records if r.date is not None)


# --- public API ----------------------------------------------------------------------------

def extract_list(body: bytes | str, url: str, crawl_date: date, content_type: str | None = None) -> ListPage:
    """What a column list page says: state, items with dates, column name and further pages."""
    html = decode(body, content_type) if isinstance(body, (bytes, bytearray)) else body
    return _Extractor(html, url, crawl_date).run()


# --- implementation ------------------------------------------------------------------------

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


def _class_key(node: Tag) -> str:
    return " ".join(sorted(node.get("class") or []))


def _has_parent(node: Tag, names: set[str]) -> bool:
    p = node.parent
    while p is not None:
        if p.name in names:
            return True
        p = p.parent
    return False


class _Extractor:
    def __init__(self, html: str, url: str, crawl_date: date):
        self.counts: dict[int, int] = {}
        self.total_anchors = 0
        self.raw = html
        self.url = url
        self.crawl_date = crawl_date
        self.notes: list[str] = []
        self.hanweb_records: int | None = None
        html = self._unwrap_hanweb(html)
        self.soup = BeautifulSoup(html, "lxml")
        base = self.soup.find("base", href=True)
        self.base = urljoin(url, base["href"].strip()) if base else url
        self.script_text = "\n".join(s.get_text() for s in self.soup.find_all("script"))

    # -- readable script sources ---------------------------------------------------------

    def _unwrap_hanweb(self, html: str) -> str:
        """Replace Hanweb <script type="text/xml"> recordsets by their CDATA records."""
        def repl(m: re.Match) -> str:
            inner = m.group(1)
            if "<recordset" not in inner.lower():
                return m.group(0)
            recs = _RECORD.findall(inner)
            self.hanweb_records = (self.hanweb_records or 0) + len(recs)
            nxt = _NEXTGROUP.search(inner)
            if nxt:
                self.hanweb_proxy = nxt.group(1).replace("&amp;", "&")
            return '<div data-govfresh="recordset">' + "".join(recs) + "</div>"

        self.hanweb_proxy: str | None = None
        out = _XML_SCRIPT.sub(repl, html)
        if self.hanweb_records is not None:
            self.notes.append(f"Hanweb recordset: {self.hanweb_records} records")
        return out

    def _unwrap_comments(self, counts: dict[int, int]) -> bool:
        """Parse item lists that sit inside an HTML comment of an otherwise empty container."""
        done = False
        for c in [d for d in self.soup.descendants if type(d) is Comment]:
            text = str(c)
            if "href" not in text or not re.search(r"<(?:li|tr|dd|dl|div|p)\b", text, re.I):
                continue
            parent = c.parent
            if parent is None or parent.name in ("head", "html", "[document]", "body"):
                continue
            if counts.get(id(parent), 0) > 0:
                continue  # the container shows live items; the comment is an old copy
            frag = BeautifulSoup(text, "lxml")
            body = frag.body or frag
            nodes = list(body.contents)
            if not any(isinstance(n, Tag) and n.find("a", href=True) for n in nodes):
                continue
            for n in nodes:
                c.insert_before(n.extract())
            c.extract()
            done = True
        if done:
            self.notes.append("list read from an HTML comment")
        return done

    def _json_list(self) -> list[Item]:
        best: list[Item] = []
        best_dated = 0
        for s in self.soup.find_all("script"):
            if s.get("src"):
                continue
            typ = (s.get("type") or "").lower()
            is_json = "json" in typ
            if typ and not is_json and "javascript" not in typ and "ecmascript" not in typ:
                continue
            text = s.get_text()
            if "[" not in text or "{" not in text:
                continue
            for lit in script_literals(text, is_json=is_json):
                for lst in dict_lists(lit):
                    items = [it for it in (self._json_item(d) for d in lst) if it is not None]
                    if len(items) < max(1, len(lst) // 2):
                        continue
                    dated = sum(1 for it in items if it.date is not None)
                    if dated > best_dated or (dated == best_dated and dated and len(items) > len(best)):
                        best, best_dated = items, dated
        return best if best_dated else []

    def _json_item(self, d: dict) -> Item | None:
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
                if v.startswith("{"):  # Jiangxi: "urls": "{\"pc\":\"/…/content_1.html\"}"
                    m = re.search(r"\"pc\"\s*:\s*\"([^\"]+)\"", v) or re.search(r":\s*\"([^\"]+)\"", v)
                    v = m.group(1) if m else ""
                if v:
                    url = urljoin(self.base, v)
                    break
        best: tuple[int, date] | None = None
        for k, v in d.items():
            key = str(k)
            if not _DATE_KEY_ANY.search(key) or _DATE_KEY_NO.search(key):
                continue
            prio = 3 if _DATE_KEY_PUB.search(key) else (1 if _DATE_KEY_WRITTEN.search(key) else 2)
            dt = None
            if isinstance(v, str):
                dt = D.parse_date(v)
            elif isinstance(v, (int, float)) and prio == 3 and 1e12 <= v <= 5e12:
                dt = datetime.fromtimestamp(v / 1000, _CN_TZ).date()  # ms epoch (TRS docreltime)
            if dt is None or dt > self.crawl_date:
                continue
            if best is None or prio > best[0]:
                best = (prio, dt)
        pinned = any(str(low.get(k)).lower() in ("1", "true") for k in _PINNED_KEYS if k in low)
        return Item(title=title, url=url, date=best[1] if best else None, pinned=pinned)

    # -- DOM records ---------------------------------------------------------------------

    def _title_anchors(self) -> list[Tag]:
        out = []
        for a in self.soup.find_all("a"):
            href = (a.get("href") or "").strip()
            if href.startswith(("mailto:", "tel:")):
                continue
            # <a href="javascript:openDetail(123)">title</a>: still a document, URL unknown.
            scripted = not href or href.startswith(("javascript:", "#"))
            if scripted and not (a.get("onclick") or re.match(r"javascript:\s*\w+\(\s*['\"\d]", href)):
                continue
            if scripted and len(_ANCHOR_STRIP.sub("", a.get_text())) < 6:
                continue
            if _has_parent(a, _HIDDEN_PARENTS):
                continue
            text = _ANCHOR_STRIP.sub("", a.get_text())
            if len(text) < 4:
                t = _ANCHOR_STRIP.sub("", a.get("title") or "")
                if len(t) < 4 or text:
                    continue
                text = t
            if _NAV_ANCHOR.match(text):
                continue
            out.append(a)
        return out

    @staticmethod
    def _count(anchors: list[Tag]) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for a in anchors:
            counts[id(a)] += 1
            for p in a.parents:
                counts[id(p)] += 1
        return counts

    @staticmethod
    def _record_of(a: Tag, counts: dict[int, int]) -> Tag:
        node = a
        while True:
            p = node.parent
            if p is None or p.name in _STOP_TAGS:
                return node
            c = counts.get(id(p), 0)
            if c > 1:
                # <dl><dd><a>…</a></dd><dd><a>…</a></dd></dl>: a short list of rows, not one record.
                if node.name in _ROW_TAGS and sum(
                        1 for s in p.find_all(node.name, recursive=False) if counts.get(id(s), 0)) >= 2:
                    return node
                # <li><a>[部门]</a><a>title</a><span>date</span></li>: still one record.
                if p.name in _RECORD_TAGS and c <= 4:
                    return p
                return node
            node = p
            if node.name in _RECORD_TAGS:
                return node

    @staticmethod
    def _root_of(rec: Tag, counts: dict[int, int]) -> Tag:
        """The list a record belongs to; sibling containers of the same kind are one list."""
        c = rec.parent
        for level in range(2):
            if c is None or c.parent is None or c.name in _STOP_TAGS:
                break
            peers = [s for s in c.parent.find_all(c.name, recursive=False)
                     if counts.get(id(s), 0) > 0 and " ".join(s.get("class") or []).lower() == " ".join(c.get("class") or []).lower()]
            if len(peers) >= 2:
                return c.parent
            # Only per-record wrappers (one table per record) may lift a second level.
            if level == 0 and counts.get(id(c), 0) == 1 and c.parent.name not in _STOP_TAGS:
                c = c.parent
                continue
            break
        return rec.parent if rec.parent is not None else rec

    def _groups(self) -> list[_Group]:
        anchors = self._title_anchors()
        counts = self._count(anchors)
        if self._unwrap_comments(counts):
            anchors = self._title_anchors()
            counts = self._count(anchors)
        self.counts, self.total_anchors = counts, len(anchors)
        recs: dict[int, _Record] = {}
        for a in anchors:
            node = self._record_of(a, counts)
            r = recs.get(id(node))
            if r is None:
                recs[id(node)] = _Record(node=node, anchor=a)
            elif len(_clean(a.get_text())) > len(_clean(r.anchor.get_text())):
                r.anchor = a  # the longest link of a record is its title
        groups: dict[tuple, _Group] = {}
        for r in recs.values():
            root = self._root_of(r.node, counts)
            key = (r.node.name, id(root))
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group(root=root)
            g.records.append(r)
        return list(groups.values())

    def _fill(self, g: _Group) -> None:
        """Titles, URLs, dates and pins of a group's records."""
        header = self._header_columns(g)
        hints = {}
        for r in g.records:
            href = (r.anchor.get("href") or "").strip()
            r.url = "" if not href or href.startswith(("javascript:", "#")) else urljoin(self.base, href)
            hints[id(r)] = D.url_date_hint(r.url)
        known = [h for h in hints.values() if h]
        # Most items carry a URL date: a hint-less yearless item takes the list's newest one.
        group_hint = max(known) if len(known) * 2 >= len(g.records) and known else None
        seen = set()
        kept = []
        for r in g.records:
            hint = hints[id(r)] or group_hint
            r.title = self._title(r.anchor, hint)
            r.date = self._record_date(r, header, hint)
            r.pinned = self._pinned(r.node)
            key = (r.url, r.title, r.date)
            if key in seen:
                continue
            seen.add(key)
            kept.append(r)
        # A breadcrumb or a "list head" row can share the list's container and tag;
        # when most rows are dated, an undated row of another class is not an item.
        dated_classes = Counter(_class_key(r.node) for r in kept if r.date)
        if dated_classes and sum(dated_classes.values()) * 2 >= len(kept):
            kept = [r for r in kept if r.date or _class_key(r.node) in dated_classes]
        g.records = kept
        g.header_col = header

    def _title(self, a: Tag, hint: date | None) -> str:
        parts = []
        for s in _strings(a):
            t = s.strip()
            if not t or D.node_dates(t, self.crawl_date, hint) or _PINNED_TEXT.fullmatch(t):
                continue
            parts.append(t)
        title = _clean(" ".join(parts))
        attr = _clean(a.get("title") or "")
        if attr and (not title or (title.endswith(("...", "…")) and len(attr) > len(title))):
            title = attr
        return title

    def _header_columns(self, g: _Group) -> int | None:
        """Index of the publication-date column of a catalogue table (索引号|名称|成文日期|发布日期)."""
        first = g.records[0].node
        if first.name != "tr":
            return None
        table = first.find_parent("table")
        if table is None:
            return None
        for tr in table.find_all("tr", limit=4):
            if tr is first:
                break
            cells = tr.find_all(["th", "td"], recursive=False)
            labels = [_clean(c.get_text()) for c in cells]
            if not labels or any(len(x) > 12 for x in labels):
                continue
            pub = [i for i, x in enumerate(labels) if _PUB_COL.search(x) and not _WRITTEN_COL.search(x)]
            if pub:
                return pub[0]
            gen = [i for i, x in enumerate(labels) if _GENERIC_COL.search(x) and not _WRITTEN_COL.search(x)]
            if gen:
                return gen[0]
        return None

    def _record_date(self, r: _Record, header: int | None, hint: date | None) -> date | None:
        if header is not None and r.node.name == "tr":
            cells = r.node.find_all(["td", "th"], recursive=False)
            if header < len(cells):
                cell = cells[header]
                # The 发布日期 column is authoritative once it holds a date at all, even one
                # after the crawl date (then the item is undated): never fall back to 成文日期.
                if D.all_dates(cell.get_text()) or self._node_dates(cell, hint):
                    return D.best_date(self._node_dates(cell, hint))
        found = self._node_dates(r.node, hint)
        if r.node is r.anchor:
            # Flat list (<a>…</a><span>date</span><br>): the date follows the link.
            for sib in list(r.anchor.next_siblings)[:6]:
                if isinstance(sib, Tag) and (sib.name == "a" or sib.find("a", href=True)):
                    break
                if isinstance(sib, Tag):
                    found += self._node_dates(sib, hint)
                elif _is_text(sib):
                    found += D.node_dates(str(sib), self.crawl_date, hint)
                if found:
                    break
        return D.best_date(found)

    def _node_dates(self, node: Tag, hint: date | None) -> list[D.Found]:
        out: list[D.Found] = []
        for s in _strings(node):
            out += D.node_dates(str(s), self.crawl_date, hint)
        return out

    @staticmethod
    def _pinned(node: Tag) -> bool:
        if _PINNED_TEXT.search(node.get_text()):
            return True
        for t in (node, *(d for d in node.descendants if isinstance(d, Tag))):
            if _tokens(_attr_text(t)) & _PINNED_TOKENS:
                return True
            if t.name == "img" and ("置顶" in (t.get("alt") or "") or "置顶" in (t.get("title") or "")):
                return True
        return False

    # -- scoring ---------------------------------------------------------------------------

    def _zone(self, g: _Group) -> None:
        """Exclude chrome zones, mark sidebars (penalized) and list/content containers (listish)."""
        penalty = 1.0
        bonus = 1.0
        depth = 0
        for anc in [g.root, *g.root.parents]:
            if anc.name in _STOP_TAGS or anc.name is None:
                break
            if anc.name in _ZONE_TAGS:
                g.excluded = True
                return
            s = _attr_text(anc)
            if s:
                toks = _tokens(s)
                # A "chrome" class on a wrapper that holds most of the page's links
                # (<div id="top"> around everything) is layout, not a header.
                big = self.counts.get(id(anc), 0) > 0.6 * self.total_anchors
                if (_EXCLUDE_SUBSTR.search(s) or toks & _EXCLUDE_TOKENS) and not big:
                    g.excluded = True
                    return
                if _PENALTY_SUBSTR.search(s):
                    penalty = 0.25
                if depth < 6 and (_BONUS_SUBSTR.search(s) or toks & _BONUS_TOKENS):
                    bonus = 1.5
            depth += 1
        heading = self._heading_text(g.root)
        if heading:
            if _FRIEND_TEXT.search(heading):
                g.excluded = True
                return
            if _HOT_TEXT.search(heading):
                penalty = min(penalty, 0.25)
        g.listish = bonus > 1
        g.penalized = penalty < 1

    def _score(self, g: _Group) -> None:
        """Dated records count triple; a lone record needs a catalogue header or a list container."""
        n = len(g.records)
        if n < 2 and not (g.header_col is not None or (g.listish and g.dated)):
            g.excluded = True
            return
        g.score = (g.dated * 3 + (n - g.dated)) * (1.5 if g.listish else 1.0) * (0.25 if g.penalized else 1.0)

    @staticmethod
    def _heading_text(root: Tag) -> str:
        """Short box titles just before the list (热点信息, 友情链接 …)."""
        texts = []
        node = root
        for _ in range(3):
            if node is None or node.name in _STOP_TAGS:
                break
            k = 0
            for sib in node.previous_siblings:
                if isinstance(sib, Tag):
                    t = _clean(sib.get_text())
                    if t and len(t) <= 30:
                        texts.append(t)
                    k += 1
                    if k >= 2:
                        break
            node = node.parent
        return " ".join(texts)

    # -- page-level evidence ---------------------------------------------------------------

    def _meta(self, name: str) -> str | None:
        for m in self.soup.find_all("meta"):
            if (m.get("name") or "").strip().lower() == name.lower():
                v = (m.get("content") or "").strip()
                if v:
                    return v
        return None

    def _article_like(self, best: _Group | None) -> bool:
        names = {(m.get("name") or "").strip().lower() for m in self.soup.find_all("meta")}
        if "articletitle" in names:
            return True
        weak = best is None or best.dated < 5
        if names & _ARTICLE_META and weak:
            return True  # PubDate/firstpublishedtime: an article page (govcn trap)
        return weak and self._text_block() >= 1500

    def _text_block(self) -> int:
        """Longest run of paragraph text in one container: article bodies have one, lists don't."""
        sums: dict[int, int] = defaultdict(int)
        for p in self.soup.find_all("p"):
            if p.find_parent("a") or p.find_parent(_ZONE_TAGS):
                continue
            n = len(_clean(p.get_text()))
            if n and p.parent is not None:
                sums[id(p.parent)] += n
        return max(sums.values(), default=0)

    def _in_zone(self, node: Tag) -> bool:
        for anc in [node, *node.parents]:
            if anc.name in _STOP_TAGS or anc.name is None:
                return False
            if anc.name in _ZONE_TAGS:
                return True
            s = _attr_text(anc)
            if s and (_EXCLUDE_SUBSTR.search(s) or _tokens(s) & _EXCLUDE_TOKENS):
                return True
        return False

    @staticmethod
    def _templated(node: Tag) -> bool:
        """Inside a client-side template block (avalon ms-*, vue v-*, hidden)?"""
        for anc in [node, *node.parents]:
            if not isinstance(anc, Tag) or anc.name in _STOP_TAGS:
                return False
            for k, v in anc.attrs.items():
                if k.startswith(("ms-", "v-", ":", "x-")) or k in ("th:if", "ng-if", "ng-repeat"):
                    return True
                if k == "style" and re.search(r"display\s*:\s*none", str(v), re.I):
                    return True
        return False

    def _loader_targets(self) -> set[str]:
        """ids of elements that scripts fill at run time."""
        ids = set()
        if not self.script_text:
            return ids
        for el in self.soup.find_all(id=True):
            i = str(el.get("id"))
            if len(i) < 2 or el.name in ("script", "style", "input", "meta", "link"):
                continue
            if re.search(rf"""['"#]{re.escape(i)}['"]|getElementById\(\s*['"]{re.escape(i)}['"]""", self.script_text):
                if el.find("a", href=True) is None:
                    ids.add(i)
        return ids

    def _loader_evidence(self) -> str | None:
        """What fills the column's list at run time, if anything list-specific is seen."""
        for sc in self.soup.find_all("script"):
            src = sc.get("src") or ""
            m = _LIST_LOADER.search(src) or _LIST_LOADER.search(sc.get_text())
            if m:
                return m.group(0)
            if _TEMPLATE_SCRIPT_TYPES.search(sc.get("type") or ""):
                body = sc.get_text()
                if "<a" in body and _ITEM_BINDING.search(body):
                    return f"{sc.get('type')} item template"
        for attr in _TEMPLATE_ATTRS:
            for el in self.soup.find_all(attrs={attr: True}):
                if self._in_zone(el):
                    continue
                if _ITEM_BINDING.search(str(el)[:3000]):
                    return f"{attr} item template"
        if _AJAX.search(self.script_text) and _AJAX_LIST_HINT.search(self.script_text):
            for i in self._loader_targets():
                el = self.soup.find(id=i)
                if el is not None and el.name in ("div", "ul", "ol", "table", "tbody", "dl") and not _clean(el.get_text()):
                    return f"ajax into #{i}"
        return None

    def _placeholder(self) -> Tag | None:
        for s in self.soup.find_all(string=_PLACEHOLDER):
            if not _is_text(s) or len(s.strip()) > 40:
                continue
            el = s.parent
            if el is None or self._in_zone(el) or self._templated(el):
                continue
            return el
        return None

    def _targeted(self, el: Tag, targets: set[str]) -> bool:
        node = el
        for _ in range(5):
            if node is None or node.name in _STOP_TAGS:
                return False
            if str(node.get("id") or "") in targets:
                return True
            node = node.parent
        return False

    def _empty_container(self) -> Tag | None:
        for el in self.soup.find_all(["ul", "ol", "tbody", "table", "div", "dl"]):
            s = _attr_text(el)
            if not s or not (re.search(r"list|liebiao", s) or _tokens(s) & {"lb"}):
                continue
            if el.find(["a", "li", "tr", "dd", "img"]) or _clean(el.get_text()):
                continue
            if self._in_zone(el) or self._templated(el) or self._side_box(el):
                continue
            return el
        return None

    def _side_box(self, el: Tag) -> bool:
        """In a related/hot/sidebar box (an empty 相关稿件 list says nothing about the column)."""
        for anc in [el, *el.parents][:6]:
            if not isinstance(anc, Tag) or anc.name in _STOP_TAGS:
                break
            if _PENALTY_SUBSTR.search(_attr_text(anc)):
                return True
        return bool(_HOT_TEXT.search(self._heading_text(el)))

    # -- pager -----------------------------------------------------------------------------

    def _pager(self) -> tuple[int | None, list[str]]:
        raw = self.raw
        m = _CLUSTER_PAGER.search(raw)
        if m:
            pages, cur, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            nxt = [f"{name}_{i}.{ext}" for i in range(max(cur, 1) + 1, pages + 1)]
            return pages, self._abs(nxt)
        m = _TRS_PAGER.search(raw)
        if m:
            pages, cur, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            nxt = [f"{name}_{i}.{ext}" for i in range(cur + 1, pages)]
            return pages, self._abs(nxt)
        m = _COUNT_PAGE.search(raw)
        if m:
            pages = int(m.group(1))
            cm = _CURRENT_PAGE.search(raw)
            cur = int(cm.group(1)) if cm else 0
            seg = raw[max(0, m.start() - 200):m.end() + 4000]
            nm = _COUNT_PAGE_NAME.search(seg)
            em = _COUNT_PAGE_EXT.search(seg)
            name = nm.group(1) if nm else "index"
            ext = em.group(1) if em else (urlsplit(self.url).path.rsplit(".", 1)[-1] if "." in urlsplit(self.url).path.rsplit("/", 1)[-1] else "html")
            return pages, self._abs([f"{name}_{i}.{ext}" for i in range(cur + 1, pages)])
        if self.hanweb_records is not None:
            tm = _TOTAL_RECORD.search(raw)
            pm = _PER_PAGE.search(raw)
            if tm and pm and int(pm.group(1)) > 0:
                total, per = int(tm.group(1)), int(pm.group(1))
                pages = max(1, math.ceil(total / per))
                return pages, self._hanweb_pages(total, per)
        rc, pp = _RECORD_COUNT.search(raw), _PREPAGE.search(raw)
        if rc and pp and int(pp.group(1)) > 0:
            return max(1, math.ceil(int(rc.group(1)) / int(pp.group(1)))), []
        m = _SHOWN_PAGES.search(_HTML_TAG.sub("", self.raw))
        if m:
            return int(m.group(1)), []
        return None, []

    def _hanweb_pages(self, total: int, per: int) -> list[str]:
        """dataproxy.jsp URLs for the records the recordset did not carry."""
        have = self.hanweb_records or 0
        proxy = self.hanweb_proxy or "/module/web/jpage/dataproxy.jsp"
        parts = urlsplit(proxy)
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                  if k not in ("startrecord", "endrecord", "perpage", "page")]
        out = []
        start = have + 1
        while start <= total and len(out) < _MAX_NEXT_PAGES:
            end = min(total, start + per - 1)
            q = urlencode([("startrecord", start), ("endrecord", end), ("perpage", per), *params])
            out.append(urljoin(self.base, f"{parts.path}?{q}"))
            start = end + 1
        return out

    def _abs(self, rel: list[str]) -> list[str]:
        return [urljoin(self.url, r) for r in rel[:_MAX_NEXT_PAGES]]

    # -- decision --------------------------------------------------------------------------

    def run(self) -> ListPage:
        column = self._meta("ColumnName")
        column = _clean(column) if column else None
        total_pages, next_pages = self._pager()

        def page(state: str, items: list[Item] | None = None, note: str | None = None) -> ListPage:
            notes = [*self.notes, *([note] if note else [])]
            return ListPage(state=state, items=items or [], column_name=column,
                            next_pages=next_pages,
                            total_pages=total_pages, note="; ".join(notes) or None)

        groups = self._groups()
        for g in groups:
            self._zone(g)  # before _fill: chrome groups need no dates
            if not g.excluded:
                self._fill(g)
                self._score(g)
        live = [g for g in groups if not g.excluded and g.records]
        dated = [g for g in live if g.dated]
        best = max(dated, key=lambda g: g.score, default=None)
        json_items = self._json_list()

        if self._article_like(best):
            return page(NOT_LIST, note="article page (ArticleTitle/PubDate meta or long body text)")

        json_dated = sum(1 for i in json_items if i.date)
        # Script data wins when the DOM has no convincing list of its own (jiangxi: none at
        # all); a strong static list is not overruled by some widget's JSON.
        dom_strong = best is not None and not best.penalized and best.listish and best.dated >= 5
        if json_items and not dom_strong and (best is None or best.penalized or json_dated > best.dated):
            return page(LIST, json_items, "items read from inline script data")
        if best is not None and not best.penalized:
            hole = self._script_filled_hole(best)
            if hole is not None:
                return page(UNVERIFIABLE, note=f"main list <{hole.name} {_attr_text(hole)}> is filled by script; "
                                               f"only a small static list ({best.dated} dated) is readable")
            return page(LIST, [self._item(r) for r in best.records])

        # Nothing dated, or only a sidebar/热点 box: what the main area says comes first.
        undated = [g for g in live if not g.penalized and self._undated_list(g)]
        if undated:
            g = max(undated, key=lambda g: g.score)
            return page(LIST, [self._item(r) for r in g.records], "items carry no dates")
        state = self._no_list_state(best)
        if state is not None:
            return page(state[0], note=state[1])
        if best is not None:
            return page(LIST, [self._item(r) for r in best.records], "only a side box carries dates")
        return page(NOT_LIST, note="no list found")

    def _script_filled_hole(self, best: _Group) -> Tag | None:
        """An empty, script-filled list container beside a weak static list.

        A small undistinguished static box (推荐, 往期) must not stand in for a column whose
        real list arrives by script: that would report old dates for a live column.
        """
        if best.listish and best.dated >= 5:
            return None
        if not (_LIST_LOADER.search(self.script_text) or _AJAX.search(self.script_text)):
            return None
        for i in self._loader_targets():
            el = self.soup.find(id=i)
            if el is None or el.name not in ("div", "ul", "ol", "table", "tbody", "dl") or _clean(el.get_text()):
                continue
            s = _attr_text(el)
            if el.name not in ("ul", "ol", "tbody") and not (_BONUS_SUBSTR.search(s) or _tokens(s) & _BONUS_TOKENS or re.search(r"\d{3,}", s)):
                continue
            if self._in_zone(el) or self._side_box(el) or best.root in el.parents or el in best.root.parents:
                continue
            return el
        return None

    def _no_list_state(self, side: _Group | None) -> tuple[str, str] | None:
        """EMPTY or UNVERIFIABLE when the page says so; ``side`` is a dated box that must not count."""
        def inside(el: Tag) -> bool:
            return side is not None and (el is side.root or side.root in el.parents)

        if self.hanweb_records == 0:
            tm = _TOTAL_RECORD.search(self.raw)
            if tm and int(tm.group(1)) > 0:
                return UNVERIFIABLE, "Hanweb recordset empty but totalRecord > 0"
            return EMPTY, "Hanweb recordset has no records"
        ph = self._placeholder()
        if ph is not None and not inside(ph):
            if self._targeted(ph, self._loader_targets()):
                return UNVERIFIABLE, f"placeholder '{_clean(ph.get_text())[:20]}' inside a script-filled container"
            return EMPTY, f"placeholder: {_clean(ph.get_text())[:30]}"
        loader = self._loader_evidence()
        if loader:
            return UNVERIFIABLE, f"list filled by script ({loader})"
        empty = self._empty_container()
        if empty is not None and not inside(empty):
            return EMPTY, f"empty list container <{empty.name} {_attr_text(empty)}>"
        return None

    def _undated_list(self, g: _Group) -> bool:
        """Undated items are a list only if they look like documents, not a link menu."""
        n = len(g.records)
        if n < 3 or g.score <= 0:
            return False
        titles = [len(r.title) for r in g.records]
        details = sum(1 for r in g.records if _DETAIL_URL.search(r.url))
        return median(titles) >= 8 and details * 10 >= n * 6

    @staticmethod
    def _item(r: _Record) -> Item:
        return Item(title=r.title, url=r.url, date=r.date, pinned=r.pinned)
