"""Records of a list page: title anchors, the record each belongs to, and candidate lists.

Every title link is lifted to its *record* (the li/tr/dl/dd/div that holds it and nothing
else that looks like another title), records are grouped by their list root (so 15 items in
three sibling ``<ul>`` of 5 are one list, pingtan_zfxxgkzd trap), then each group gets its
titles, URLs, dates, pins and score.

A record's date comes from short date-label nodes only (``[11-20]``, ``发布时间：…``), never
from its title text, its URL (t20260313 vs shown 2026-03-10: the shown date wins), the page
header clock, footers or page-generation metas.  In catalogue tables the 发布日期 column
beats 成文日期.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from statistics import median

from lxml import etree

from . import dates
from .dom import (_STOP_TAGS, Element, Texts, _attr_text, _clean, _tokens, child_nodes, classes, has_descendant, is_tag,
                  is_text, join_url, next_nodes, text_of)
from .types import Item

_RECORD_TAGS = {"li", "tr", "dl"}
_ROW_TAGS = {"dd", "dt", "li", "div", "p"}   # block children that are rows when repeated
_HIDDEN_PARENTS = ("template", "select", "head")
_NAV_ANCHOR = re.compile(
    r"^(?:更多|查看更多|more|首页|上一页|下一页|尾页|末页|返回|返回顶部|打印|打印本页|关闭|关闭窗口|收藏|"
    r"设为首页|加入收藏|繁体|简体|繁體|无障碍|english|登录|注册|\d+|第\d+页|跳转|go)$",
    re.I,
)
_ANCHOR_STRIP = re.compile(r"[\s>»<«·•|｜\[\]【】]+")
# href="javascript:show('123')": a script link that opens a document.
_SCRIPT_OPENER = re.compile(r"javascript:\s*\w+\(\s*['\"\d]")
_PINNED_TEXT = re.compile(r"置顶|\[顶\]|【顶】")
_PINNED_TOKENS = {"top", "istop", "zd", "zhiding", "settop", "ding"}
_DETAIL_URL = re.compile(
    r"t\d{8}_\d+|/art/\d{4}/|content_\d+|/\d{6}/|\d{5,}\.s?html?|[?&](?:id|docid|articleid|infoid|contentid)=",
    re.I,
)
_PUB_COL = re.compile(r"发布日期|发布时间|公开日期|公开时间|公布日期|发文日期|上网日期|发布")
_GENERIC_COL = re.compile(r"日期|时间")
_WRITTEN_COL = re.compile(r"成文|印发|生成|施行|生效|实施|废止")
_CRUMB_TEXT = re.compile(r"当前位置|您的位置|所在位置|现在的位置|当前栏目")
# Names of government units and places: a list of them is a directory, not a menu of columns.
_UNIT_NAME = re.compile(
    r"(?:局|委|委员会|办|办公室|政府|镇|乡|街道|办事处|中心|院|所|馆|站|队|社区|村|公司|集团|"
    r"学校|医院|协会|联合会|工会|团委|妇联|残联|科协|人大|政协)$"
)
_MIN_DIRECTORY = 8
# What a one-item row may show besides its title: a date, brackets, a "[部门]" tag.
_ONE_ITEM_EXTRA = 30
_PROSE = 50   # a sibling block this long without links is running text


@dataclass(slots=True)   # one per list row: slots make it cheaper to make and to read
class _Record:
    node: Element
    anchor: Element
    title: str = ""
    url: str = ""
    date: date | None = None
    pinned: bool = False


@dataclass
class _Group:
    root: Element
    records: list[_Record] = field(default_factory=list)
    score: float = 0.0
    excluded: bool = False
    listish: bool = False
    penalized: bool = False  # sidebar/热点/related box
    lone: bool = False       # one compact dated record: a list of one, chosen only when nothing else is
    header_col: int | None = None

    @property
    def dated(self) -> int:
        return sum(1 for r in self.records if r.date is not None)


def _class_key(node: Element) -> str:
    return " ".join(sorted(classes(node)))


# --- anchors, records, groups --------------------------------------------------------------

def _title_anchors(doc: Element, texts: Texts) -> list[Element]:
    out = []
    # Links no reader sees, gathered in one walk (not an ancestor walk from every link).
    hidden = {a for parent in doc.iter(*_HIDDEN_PARENTS) for a in parent.iterdescendants("a")}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href.startswith(("mailto:", "tel:")):
            continue
        # <a href="javascript:openDetail(123)">title</a>: still a document, URL unknown.
        scripted = not href or href.startswith(("javascript:", "#"))
        if scripted and not (a.get("onclick") or _SCRIPT_OPENER.match(href)):
            continue
        if a in hidden:
            continue
        text = _ANCHOR_STRIP.sub("", texts.text(a))
        if scripted and len(text) < 6:
            continue
        if len(text) < 4:
            t = _ANCHOR_STRIP.sub("", a.get("title") or "")
            if len(t) < 4 or text:
                continue
            text = t
        if _NAV_ANCHOR.match(text):
            continue
        out.append(a)
    return out


def _count(anchors: list[Element]) -> dict[Element, int]:
    """How many title anchors each element holds (itself included), keyed by the element."""
    counts: dict[Element, int] = defaultdict(int)
    # Each element is looked at once: the walk up from a link stops at the first ancestor
    # another link's walk reached (not 30 links times the page's depth), then the counts are
    # summed bottom-up.
    top_down: list[Element] = []   # every element after its parent
    for a in anchors:
        chain = []
        node = a
        while node is not None and node not in counts:
            counts[node] = 0
            chain.append(node)
            node = node.getparent()
        top_down += reversed(chain)
    for a in anchors:
        counts[a] += 1
    for node in reversed(top_down):   # an element's descendants are summed before it
        parent = node.getparent()
        if parent is not None:
            counts[parent] += counts[node]
    return counts


def _record_of(a: Element, counts: dict[Element, int]) -> Element:
    node = a
    while True:
        p = node.getparent()
        if p is None or p.tag in _STOP_TAGS:
            return node
        c = counts.get(p, 0)
        if c > 1:
            # <dl><dd><a>…</a></dd><dd><a>…</a></dd></dl>: a short list of rows, not one record.
            if node.tag in _ROW_TAGS and sum(1 for s in p.iterchildren(node.tag) if counts.get(s, 0)) >= 2:
                return node
            # <li><a>[部门]</a><a>title</a><span>date</span></li>: still one record.
            if p.tag in _RECORD_TAGS and c <= 4:
                return p
            return node
        node = p
        if node.tag in _RECORD_TAGS:
            return node


def _peers(c: Element, counts: dict[Element, int]) -> list[Element]:
    """Siblings of ``c`` (itself included) of the same tag and class that hold title links."""
    key = _class_key(c).lower()
    return [s for s in c.getparent().iterchildren(c.tag)
            if counts.get(s, 0) > 0 and _class_key(s).lower() == key]


def _bare_wrapper(c: Element, counts: dict[Element, int], texts: Texts) -> bool:
    """``c``'s parent holds ``c`` and nothing a reader sees besides it (empty separators only)."""
    for s in child_nodes(c.getparent()):
        if s is c:
            continue
        if is_tag(s):
            if counts.get(s, 0) or s.tag == "img" or _clean(texts.text(s)):
                return False
        elif is_text(s) and s.strip():
            return False
    return True


def _only_peers(peers: list[Element], texts: Texts) -> bool:
    """The peers' parent shows nothing between or around them: one block, not separate boxes."""
    ids = set(peers)
    for s in child_nodes(peers[0].getparent()):
        if is_tag(s):
            if s in ids:
                continue
            if has_descendant(s, "a") or _clean(texts.text(s)):
                return False
        elif is_text(s) and s.strip():
            return False
    return True


def _root_of(rec: Element, counts: dict[Element, int], texts: Texts) -> Element:
    """The list a record belongs to; sibling containers of the same kind are one list.

    TRS trt/avalon pages split one list into blocks of five: either sibling ``<ul>`` (one
    level up), or each ``<ul>`` inside its own bare wrapper ``<div ms-visible=…>`` with an
    empty separator (two or three levels up).  Wrappers are crossed only when they show
    nothing but the list, and merged only when their parent shows nothing but them, so
    separate titled boxes of a home page stay separate lists.
    """
    parent = rec.getparent()
    c = parent
    for level in range(2):
        up = c.getparent() if c is not None else None
        if up is None or c.tag in _STOP_TAGS:
            break
        if len(_peers(c, counts)) >= 2:
            return up
        # Only per-record wrappers (one table per record) may lift a second level.
        if level == 0 and counts.get(c, 0) == 1 and up.tag not in _STOP_TAGS:
            c = up
            continue
        break
    c = parent
    for _ in range(2):
        up = c.getparent() if c is not None else None
        if up is None or up.tag in _STOP_TAGS or not _bare_wrapper(c, counts, texts):
            break
        c = up
        up = c.getparent()
        if up is None or up.tag in _STOP_TAGS:
            break
        peers = _peers(c, counts)
        if len(peers) >= 2 and _only_peers(peers, texts):
            return up
    return parent if parent is not None else rec


def _group_records(anchors: list[Element], counts: dict[Element, int], texts: Texts) -> list[_Group]:
    """Lift title anchors to their records and group the records by list root."""
    recs: dict[Element, _Record] = {}
    for a in anchors:
        node = _record_of(a, counts)
        r = recs.get(node)
        if r is None:
            recs[node] = _Record(node=node, anchor=a)
        elif len(_clean(texts.text(a))) > len(_clean(texts.text(r.anchor))):
            r.anchor = a  # the longest link of a record is its title
    groups: dict[tuple, _Group] = {}
    roots: dict[Element | None, Element] = {}  # _root_of depends on the record's parent only
    for r in recs.values():
        parent = r.node.getparent()
        root = roots.get(parent)
        if root is None:
            root = roots[parent] = _root_of(r.node, counts, texts)
        key = (r.node.tag, root)
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group(root=root)
        g.records.append(r)
    return list(groups.values())


# --- titles, dates, pins -------------------------------------------------------------------

class _Said(dict):
    """The dates each text of one record states (dates.node_dates), each text read once:
    ``said[text]``.

    A record's title texts are read for its title and again for its date. A dict: a text
    read before is answered without a Python call. The record's URL date (``hints``) is
    asked only when a yearless date needs its year.
    """

    __slots__ = ("crawl_date", "hints", "record")

    def __init__(self, crawl_date: date, hints: _UrlHints, record: _Record):
        # (an empty dict already: dict.__init__ would only add items)
        self.crawl_date, self.hints, self.record = crawl_date, hints, record

    def __missing__(self, text: str) -> tuple[dates.Found, ...]:
        # A tuple: what one caller is given, no other caller can change.
        found = self[text] = tuple(dates.node_dates(text, self.crawl_date, self._hint))
        return found

    def _hint(self) -> date | None:
        return self.hints.of(self.record)


class _UrlHints:
    """The dates a group's item URLs carry, for the year of a yearless date (dates.url_date_hint).

    Read only when a yearless date asks: most lists show full dates.
    """

    def __init__(self, records: list[_Record]):
        self.records = records
        self._hints: tuple[dict[int, date | None], date | None] | None = None

    def of(self, r: _Record) -> date | None:
        if self._hints is None:
            hints = {id(x): dates.url_date_hint(x.url) for x in self.records}
            known = [h for h in hints.values() if h]
            # Most items carry a URL date: a hint-less yearless item takes the list's newest one.
            group_hint = max(known) if len(known) * 2 >= len(self.records) and known else None
            self._hints = hints, group_hint
        hints, group_hint = self._hints
        return hints[id(r)] or group_hint


def _fill(g: _Group, base: str, crawl_date: date, texts: Texts) -> None:
    """Titles, URLs, dates and pins of a group's records."""
    header = _header_columns(g, texts)
    for r in g.records:
        href = (r.anchor.get("href") or "").strip()
        # A megabyte-long or malformed href is no address (and the URL patterns see capped input).
        r.url = "" if not href or href.startswith(("javascript:", "#")) else join_url(base, href)
    hints = _UrlHints(g.records)
    seen = set()
    kept = []
    for r in g.records:
        said = _Said(crawl_date, hints, r)
        r.title = _title(r.anchor, said, texts)
        r.date = _record_date(r, header, said, texts)
        r.pinned = _pinned(r.node, texts.text(r.node))
        key = (r.url, r.title, r.date)
        if key in seen:
            continue
        seen.add(key)
        kept.append(r)
    # A breadcrumb or a "list head" row can share the list's container and tag;
    # when most rows are dated, an undated row of another class is not an item.
    dated = [r for r in kept if r.date]
    if dated and len(dated) < len(kept) and len(dated) * 2 >= len(kept):   # (all dated: none goes)
        dated_classes = {_class_key(r.node) for r in dated}
        kept = [r for r in kept if r.date or _class_key(r.node) in dated_classes]
    g.records = kept
    g.header_col = header


def _title(a: Element, said: _Said, texts: Texts) -> str:
    parts = []
    for s in texts.strings(a):
        t = s.strip()
        if not t or said[s] or _PINNED_TEXT.fullmatch(t):
            continue
        parts.append(t)
    title = _clean(" ".join(parts))
    # The title attribute stands in for a missing or a cut ("…") link text (read only then).
    if not title or title.endswith(("...", "…")):
        attr = _clean(a.get("title") or "")
        if attr and (not title or len(attr) > len(title)):
            title = attr
    return title


def _header_columns(g: _Group, texts: Texts) -> int | None:
    """Index of the publication-date column of a catalogue table (索引号|名称|成文日期|发布日期)."""
    first = g.records[0].node
    if first.tag != "tr":
        return None
    table = next(first.iterancestors("table"), None)
    if table is None:
        return None
    for tr in islice(table.iterdescendants("tr"), 4):
        if tr is first:
            break
        labels = [_clean(texts.text(c)) for c in tr.iterchildren("th", "td")]
        if not labels or any(len(x) > 12 for x in labels):
            continue
        pub = [i for i, x in enumerate(labels) if _PUB_COL.search(x) and not _WRITTEN_COL.search(x)]
        if pub:
            return pub[0]
        gen = [i for i, x in enumerate(labels) if _GENERIC_COL.search(x) and not _WRITTEN_COL.search(x)]
        if gen:
            return gen[0]
    return None


def _record_date(r: _Record, header: int | None, said: _Said, texts: Texts) -> date | None:
    """The record's date: its 发布日期 cell in a catalogue table, else what its texts state."""
    if header is not None and r.node.tag == "tr":
        cells = list(r.node.iterchildren("td", "th"))
        if header < len(cells):
            cell = cells[header]
            # The 发布日期 column is authoritative once it holds a date at all, even one
            # after the crawl date (then the item is undated): never fall back to 成文日期.
            if dates.all_dates(texts.text(cell)) or _node_dates(cell, said, texts):
                return dates.best_date(_node_dates(cell, said, texts))
    found = _node_dates(r.node, said, texts)
    if r.node is r.anchor:
        # Flat list (<a>…</a><span>date</span><br>): the date follows the link.
        for sib in islice(next_nodes(r.anchor), 6):
            if is_tag(sib):
                if sib.tag == "a" or has_descendant(sib, "a", attr="href"):
                    break
                found += _node_dates(sib, said, texts)
            elif is_text(sib):
                found += said[sib]
            if found:
                break
    return dates.best_date(found)


def _node_dates(node: Element, said: _Said, texts: Texts) -> list[dates.Found]:
    return _dates_of(texts.strings(node), said)


def _dates_of(shown: list[str], said: _Said) -> list[dates.Found]:
    out: list[dates.Found] = []
    for s in shown:
        out += said[s]
    return out


def _pinned(node: Element, text: str) -> bool:
    """A pinned (置顶) record: so its text (`text`), a class or id, or an image says."""
    if _PINNED_TEXT.search(text):
        return True
    for t in node.iter(etree.Element):   # elements only, not comments
        if (t.get("class") or t.get("id")) and _pin_class(_attr_text(t)):
            return True
        if t.tag == "img" and ("置顶" in (t.get("alt") or "") or "置顶" in (t.get("title") or "")):
            return True
    return False


def _pin_class(s: str) -> bool:
    # Every pin token holds "top", "zd" or "ding": most classes hold none, and are not split.
    return ("top" in s or "zd" in s or "ding" in s) and bool(_tokens(s) & _PINNED_TOKENS)


# --- scoring -------------------------------------------------------------------------------

def _score(g: _Group) -> None:
    """Dated records count triple.

    A lone record counts fully in a catalogue table; elsewhere it is kept only as a *list of
    one* (``lone``) when it reads like one: a document link and its date, nothing else, outside
    side boxes and prose (a 机构职能 column holding one dated document, not a guide's dated
    attachment link).
    """
    n = len(g.records)
    if n < 2 and g.header_col is None:
        if n == 1 and not g.penalized and _one_item_row(g.records[0]):
            g.lone = True
        else:
            g.excluded = True
            return
    g.score = (g.dated * 3 + (n - g.dated)) * (1.5 if g.listish else 1.0) * (0.25 if g.penalized else 1.0)


def _one_item_row(r: _Record) -> bool:
    """A dated document link whose record shows little besides its title and date."""
    if r.date is None or len(r.title) < 6:
        return False
    shown = _clean(text_of(r.node))
    if _CRUMB_TEXT.search(shown):
        return False  # 当前位置：首页 > 政府信息公开 > … is a breadcrumb, whatever date sits beside it
    if len(shown) - len(r.title) > _ONE_ITEM_EXTRA:
        return False
    # A row among paragraphs of prose is a link in an article body, not a list.
    parent = r.node.getparent()
    return parent is None or not any(
        is_tag(s) and s is not r.node and not has_descendant(s, "a") and len(_clean(text_of(s))) > _PROSE
        for s in parent)


def _undated_list(g: _Group) -> bool:
    """Undated items are a list only if they look like documents, not a link menu."""
    n = len(g.records)
    if n < 3 or g.score <= 0:
        return False
    titles = [len(r.title) for r in g.records]
    details = sum(1 for r in g.records if _DETAIL_URL.search(r.url))
    return median(titles) >= 8 and details * 10 >= n * 6


def _directory_list(g: _Group) -> bool:
    """A directory a reader reads as a list: many undated links to units or to one kind of page.

    A 公开指南 column that lists each department's guide (44 links named 县教育局, 县财政局 …)
    is a list; a parent column's links to its sub-columns (机构职能, 政策文件 …) are navigation
    and stay so: they are few, and they neither name organisations nor share a common ending.
    """
    n = len(g.records)
    if n < _MIN_DIRECTORY or g.penalized or len({r.node.tag for r in g.records}) > 1:
        return False
    titles = [r.title for r in g.records]
    if len(set(titles)) * 10 < n * 9 or len({r.url for r in g.records}) * 10 < n * 9:
        return False
    units = sum(1 for t in titles if _UNIT_NAME.search(t))
    tails = Counter(t[-4:] for t in titles if len(t) >= 6)
    same_kind = max(tails.values(), default=0)
    return units * 10 >= n * 6 or same_kind * 10 >= n * 6


def _item(r: _Record) -> Item:
    return Item(title=r.title, url=r.url, date=r.date, pinned=r.pinned)
