"""When no convincing list is readable: is the page an article, an empty column, or one whose
list is filled by script (unverifiable)?  Placeholders, JS loaders and templated containers."""
from __future__ import annotations

import re
from collections import defaultdict

from bs4 import BeautifulSoup, Tag

from .dom import _STOP_TAGS, _attr_text, _clean, _is_text, _tokens
from .pager import _TOTAL_RECORD
from .records import _Group
from .types import EMPTY, UNVERIFIABLE
from .zones import _BONUS_SUBSTR, _BONUS_TOKENS, _ZONE_TAGS, _in_zone, _side_box

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

_ARTICLE_META = {"articletitle", "pubdate", "firstpublishedtime", "contentsource"}


# --- article, not a list -------------------------------------------------------------------

def _article_like(soup: BeautifulSoup, best: _Group | None) -> bool:
    names = {(m.get("name") or "").strip().lower() for m in soup.find_all("meta")}
    if "articletitle" in names:
        return True
    weak = best is None or best.dated < 5
    if names & _ARTICLE_META and weak:
        return True  # PubDate/firstpublishedtime: an article page (govcn trap)
    return weak and _text_block(soup) >= 1500


def _text_block(soup: BeautifulSoup) -> int:
    """Longest run of paragraph text in one container: article bodies have one, lists don't."""
    sums: dict[int, int] = defaultdict(int)
    for p in soup.find_all("p"):
        if p.find_parent("a") or p.find_parent(_ZONE_TAGS):
            continue
        n = len(_clean(p.get_text()))
        if n and p.parent is not None:
            sums[id(p.parent)] += n
    return max(sums.values(), default=0)


# --- script-filled lists -------------------------------------------------------------------

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


def _loader_targets(soup: BeautifulSoup, script_text: str) -> set[str]:
    """ids of elements that scripts fill at run time."""
    ids = set()
    if not script_text:
        return ids
    for el in soup.find_all(id=True):
        i = str(el.get("id"))
        if len(i) < 2 or el.name in ("script", "style", "input", "meta", "link"):
            continue
        if re.search(rf"""['"#]{re.escape(i)}['"]|getElementById\(\s*['"]{re.escape(i)}['"]""", script_text):
            if el.find("a", href=True) is None:
                ids.add(i)
    return ids


def _loader_evidence(soup: BeautifulSoup, script_text: str) -> str | None:
    """What fills the column's list at run time, if anything list-specific is seen."""
    for sc in soup.find_all("script"):
        src = sc.get("src") or ""
        m = _LIST_LOADER.search(src) or _LIST_LOADER.search(sc.get_text())
        if m:
            return m.group(0)
        if _TEMPLATE_SCRIPT_TYPES.search(sc.get("type") or ""):
            body = sc.get_text()
            if "<a" in body and _ITEM_BINDING.search(body):
                return f"{sc.get('type')} item template"
    for attr in _TEMPLATE_ATTRS:
        for el in soup.find_all(attrs={attr: True}):
            if _in_zone(el):
                continue
            if _ITEM_BINDING.search(str(el)[:3000]):
                return f"{attr} item template"
    if _AJAX.search(script_text) and _AJAX_LIST_HINT.search(script_text):
        for i in _loader_targets(soup, script_text):
            el = soup.find(id=i)
            if el is not None and el.name in ("div", "ul", "ol", "table", "tbody", "dl") and not _clean(el.get_text()):
                return f"ajax into #{i}"
    return None


def _script_filled_hole(soup: BeautifulSoup, script_text: str, best: _Group) -> Tag | None:
    """An empty, script-filled list container beside a weak static list.

    A small undistinguished static box (推荐, 往期) must not stand in for a column whose
    real list arrives by script: that would report old dates for a live column.
    """
    if best.listish and best.dated >= 5:
        return None
    if not (_LIST_LOADER.search(script_text) or _AJAX.search(script_text)):
        return None
    for i in _loader_targets(soup, script_text):
        el = soup.find(id=i)
        if el is None or el.name not in ("div", "ul", "ol", "table", "tbody", "dl") or _clean(el.get_text()):
            continue
        s = _attr_text(el)
        if el.name not in ("ul", "ol", "tbody") and not (_BONUS_SUBSTR.search(s) or _tokens(s) & _BONUS_TOKENS or re.search(r"\d{3,}", s)):
            continue
        if _in_zone(el) or _side_box(el) or best.root in el.parents or el in best.root.parents:
            continue
        return el
    return None


# --- empty columns -------------------------------------------------------------------------

def _placeholder(soup: BeautifulSoup) -> Tag | None:
    for s in soup.find_all(string=_PLACEHOLDER):
        if not _is_text(s) or len(s.strip()) > 40:
            continue
        el = s.parent
        if el is None or _in_zone(el) or _templated(el):
            continue
        return el
    return None


def _targeted(el: Tag, targets: set[str]) -> bool:
    node = el
    for _ in range(5):
        if node is None or node.name in _STOP_TAGS:
            return False
        if str(node.get("id") or "") in targets:
            return True
        node = node.parent
    return False


def _empty_container(soup: BeautifulSoup) -> Tag | None:
    for el in soup.find_all(["ul", "ol", "tbody", "table", "div", "dl"]):
        s = _attr_text(el)
        if not s or not (re.search(r"list|liebiao", s) or _tokens(s) & {"lb"}):
            continue
        if el.find(["a", "li", "tr", "dd", "img"]) or _clean(el.get_text()):
            continue
        if _in_zone(el) or _templated(el) or _side_box(el):
            continue
        return el
    return None


def _no_list_state(soup: BeautifulSoup, script_text: str, raw: str, hanweb_records: int | None,
                   side: _Group | None) -> tuple[str, str] | None:
    """EMPTY or UNVERIFIABLE when the page says so; ``side`` is a dated box that must not count."""
    def inside(el: Tag) -> bool:
        return side is not None and (el is side.root or side.root in el.parents)

    if hanweb_records == 0:
        tm = _TOTAL_RECORD.search(raw)
        if tm and int(tm.group(1)) > 0:
            return UNVERIFIABLE, "Hanweb recordset empty but totalRecord > 0"
        return EMPTY, "Hanweb recordset has no records"
    ph = _placeholder(soup)
    if ph is not None and not inside(ph):
        if _targeted(ph, _loader_targets(soup, script_text)):
            return UNVERIFIABLE, f"placeholder '{_clean(ph.get_text())[:20]}' inside a script-filled container"
        return EMPTY, f"placeholder: {_clean(ph.get_text())[:30]}"
    loader = _loader_evidence(soup, script_text)
    if loader:
        return UNVERIFIABLE, f"list filled by script ({loader})"
    empty = _empty_container(soup)
    if empty is not None and not inside(empty):
        if _AJAX.search(script_text) and _AJAX_LIST_HINT.search(script_text):
            # The page's own script asks for data (fetch, $.ajax…): the container is filled at run
            # time, however it is named; an empty one says nothing about the column.
            return UNVERIFIABLE, f"empty list container <{empty.name} {_attr_text(empty)}> beside a script's data call"
        return EMPTY, f"empty list container <{empty.name} {_attr_text(empty)}>"
    return None
