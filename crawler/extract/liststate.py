"""When no convincing list is readable: is the page an article, an empty column, or one whose
list is filled by script (unverifiable)?  Placeholders, JS loaders and templated containers."""
from __future__ import annotations

import re
from collections import defaultdict

from lxml import etree

from .dom import (_STOP_TAGS, Element, _attr_text, _clean, _tokens, find_by_id, has_descendant, is_tag,
                  text_nodes, text_of)
from .pager import _TOTAL_RECORD
from .records import _Group
from .types import EMPTY, UNVERIFIABLE
from .zones import _BONUS_SUBSTR, _BONUS_TOKENS, _ZONE_TAGS, _in_zone, _side_box

# JS list loaders we cannot follow: the page is filled at run time.  Only list-specific
# machinery counts; a Vue menu or a visit counter on a navigation page does not make the
# page "unverifiable" (the spider still has to discover its sub-columns).
_LIST_LOADER = re.compile(r"jpage|dataproxy|loadPageData|\.trsapi|laypage", re.I)
_TEMPLATE_ATTRS = ("ms-repeat", "ms-for", "v-for", "wx:for", "ng-repeat", "x-for")
_TEMPLATE_ATTR_SET = frozenset(_TEMPLATE_ATTRS)
_TEMPLATE_SCRIPT_TYPES = re.compile(r"template|text/html", re.I)
# A template that renders documents binds a title or a publication date.
_ITEM_BINDING = re.compile(r"title|doctitle|pubdate|docreltime|publishtime|releasetime|fbrq|fbsj", re.I)
_AJAX = re.compile(r"\$\.(?:ajax|get|getJSON|post)\s*\(|\.load\s*\(|fetch\s*\(|XMLHttpRequest|axios", re.I)
_AJAX_LIST_HINT = re.compile(r"list|page|rows|records|data|append|html\s*\(|innerHTML", re.I)
# Frames that hold no list: maps, video, sharing and counter widgets.
_EMBED = re.compile(r"map|video|player|\.mp4|\.flv|share|weibo|weixin|count|stat|tianditu|amap|about:", re.I)

# "您访问的页面不存在" inside the site's template (a soft 404): the column was not read. Words
# about the page only: "信息不存在" is also a reply type a guide or an 依申请公开 page lists.
_GONE_NOTICE = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|您要访问的|您所访问的|您访问的|您请求的)?页面|"
    r"您(?:所)?访问的(?:页面|信息|文章)(?:不存在|已删除|已被删除)|(?:信息|文章)已被删除|404\s*(?:not|错误|页面|error)", re.I)
# A soft 404 says little else; a page with a body of text (a guide, 机构职能) is read.
_GONE_MAX_TEXT = 300

# "暂无信息" and friends: the column says it has nothing.
_PLACEHOLDER = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|公开信息|文件|栏目信息)|"
    r"没有(?:找到)?(?:相关)?(?:信息|数据|记录|内容)|无相关(?:信息|数据|记录|内容)|尚无(?:信息|内容|数据)"
)

_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)
_NUMBERED = re.compile(r"\d{3,}")   # a class or id with a number (list_1234): a generated list box
_LIST_NAME = re.compile(r"list|liebiao")
_ARTICLE_META = {"articletitle", "pubdate", "firstpublishedtime", "contentsource"}


# --- article, not a list -------------------------------------------------------------------

def _article_like(doc: Element, best: _Group | None) -> bool:
    names = {(m.get("name") or "").strip().lower() for m in doc.iter("meta")}
    if "articletitle" in names:
        return True
    weak = best is None or best.dated < 5
    if names & _ARTICLE_META and weak:
        return True  # PubDate/firstpublishedtime: an article page (govcn trap)
    return weak and _text_block(doc) >= 1500


def _text_block(doc: Element) -> int:
    """Longest run of paragraph text in one container: article bodies have one, lists don't."""
    sums: dict[Element, int] = defaultdict(int)
    for p in doc.iter("p"):
        if next(p.iterancestors("a", *_ZONE_TAGS), None) is not None:
            continue
        n = len(_clean(text_of(p)))
        parent = p.getparent()
        if n and parent is not None:
            sums[parent] += n
    return max(sums.values(), default=0)


# --- script-filled lists -------------------------------------------------------------------

def _templated(node: Element) -> bool:
    """Inside a client-side template block (avalon ms-*, vue v-*, hidden)?"""
    for anc in [node, *node.iterancestors()]:
        if anc.tag in _STOP_TAGS:
            return False
        for k, v in anc.attrib.items():
            if k.startswith(("ms-", "v-", ":", "x-")) or k in ("th:if", "ng-if", "ng-repeat"):
                return True
            if k == "style" and _DISPLAY_NONE.search(str(v)):
                return True
    return False


def _loader_targets(doc: Element, script_text: str) -> set[str]:
    """ids of elements that scripts fill at run time."""
    ids = set()
    if not script_text:
        return ids
    for el in doc.iter():
        i = el.get("id")
        if i is None or len(i) < 2 or el.tag in ("script", "style", "input", "meta", "link") or not is_tag(el):
            continue
        if re.search(rf"""['"#]{re.escape(i)}['"]|getElementById\(\s*['"]{re.escape(i)}['"]""", script_text):
            if not has_descendant(el, "a", attr="href"):
                ids.add(i)
    return ids


def _markup(el: Element) -> str:
    """The element as HTML (what a template binds is in its attributes as much as its text)."""
    return etree.tostring(el, method="html", encoding="unicode", with_tail=False)


def _loader_evidence(doc: Element, script_text: str) -> str | None:
    """What fills the column's list at run time, if anything list-specific is seen."""
    for sc in doc.iter("script"):
        src = sc.get("src") or ""
        m = _LIST_LOADER.search(src) or _LIST_LOADER.search(text_of(sc))
        if m:
            return m.group(0)
        if _TEMPLATE_SCRIPT_TYPES.search(sc.get("type") or ""):
            body = text_of(sc)
            if "<a" in body and _ITEM_BINDING.search(body):
                return f"{sc.get('type')} item template"
    # The elements carrying a template attribute, in one pass over the page (most have none).
    bound = [el for el in doc.iter(etree.Element) if _TEMPLATE_ATTR_SET.intersection(el.keys())]
    for attr in _TEMPLATE_ATTRS:
        for el in bound:
            if el.get(attr) is None:
                continue
            if _in_zone(el):
                continue
            if _ITEM_BINDING.search(_markup(el)[:3000]):
                return f"{attr} item template"
    if _AJAX.search(script_text) and _AJAX_LIST_HINT.search(script_text):
        for i in _loader_targets(doc, script_text):
            el = find_by_id(doc, i)
            if el is not None and el.tag in ("div", "ul", "ol", "table", "tbody", "dl") and not _clean(text_of(el)):
                return f"ajax into #{i}"
    return None


def _script_filled_hole(doc: Element, script_text: str, best: _Group) -> Element | None:
    """An empty, script-filled list container beside a weak static list.

    A small undistinguished static box (推荐, 往期) must not stand in for a column whose
    real list arrives by script: that would report old dates for a live column.
    """
    if best.listish and best.dated >= 5:
        return None
    if not (_LIST_LOADER.search(script_text) or _AJAX.search(script_text)):
        return None
    for i in _loader_targets(doc, script_text):
        el = find_by_id(doc, i)
        if el is None or el.tag not in ("div", "ul", "ol", "table", "tbody", "dl") or _clean(text_of(el)):
            continue
        s = _attr_text(el)
        if el.tag not in ("ul", "ol", "tbody") and not (_BONUS_SUBSTR.search(s) or _tokens(s) & _BONUS_TOKENS or _NUMBERED.search(s)):
            continue
        if _in_zone(el) or _side_box(el) or _above(best.root, el) or _above(el, best.root):
            continue
        return el
    return None


def _above(anc: Element, el: Element) -> bool:
    """``anc`` is an ancestor of ``el``."""
    return any(p is anc for p in el.iterancestors())


# --- empty columns -------------------------------------------------------------------------

def _placeholder(doc: Element, words: re.Pattern = _PLACEHOLDER) -> Element | None:
    """A short text outside the page's chrome saying `words` (the column has nothing, by default)."""
    for s, el in text_nodes(doc):
        if len(s.strip()) > 40 or not words.search(s):
            continue
        if _in_zone(el) or _templated(el):
            continue
        return el
    return None


def _targeted(el: Element, targets: set[str]) -> bool:
    node = el
    for _ in range(5):
        if node is None or node.tag in _STOP_TAGS:
            return False
        if (node.get("id") or "") in targets:
            return True
        node = node.getparent()
    return False


def _empty_container(doc: Element) -> Element | None:
    for el in doc.iter("ul", "ol", "tbody", "table", "div", "dl"):
        s = _attr_text(el)
        if not s or not (_LIST_NAME.search(s) or _tokens(s) & {"lb"}):
            continue
        if has_descendant(el, "a", "li", "tr", "dd", "img") or _clean(text_of(el)):
            continue
        if _in_zone(el) or _templated(el) or _side_box(el):
            continue
        return el
    return None


def _content_frame(doc: Element) -> Element | None:
    """A frame in the page's main area (not chrome, not a sidebar, not a map or a video):
    what the column lists may be in it, and it is not read."""
    for el in doc.iter("iframe", "frame"):
        src = (el.get("src") or "").strip()
        if not src or src.lower().startswith("javascript:") or _EMBED.search(src):
            continue
        if not _in_zone(el) and not _side_box(el):
            return el
    return None


def _no_list_state(doc: Element, script_text: str, raw: str, hanweb_records: int | None,
                   side: _Group | None) -> tuple[str, str] | None:
    """EMPTY or UNVERIFIABLE when the page says so; ``side`` is a dated box that must not count."""
    def inside(el: Element) -> bool:
        return side is not None and (el is side.root or _above(side.root, el))

    if hanweb_records == 0:
        tm = _TOTAL_RECORD.search(raw)
        if tm and int(tm.group(1)) > 0:
            return UNVERIFIABLE, "Hanweb recordset empty but totalRecord > 0"
        return EMPTY, "Hanweb recordset has no records"
    gone = _placeholder(doc, _GONE_NOTICE)
    if gone is not None and not inside(gone) and _text_block(doc) < _GONE_MAX_TEXT:
        return UNVERIFIABLE, f"the page says it is not there: '{_clean(text_of(gone))[:30]}'"
    ph = _placeholder(doc)
    if ph is not None and not inside(ph):
        if _targeted(ph, _loader_targets(doc, script_text)):
            return UNVERIFIABLE, f"placeholder '{_clean(text_of(ph))[:20]}' inside a script-filled container"
        return EMPTY, f"placeholder: {_clean(text_of(ph))[:30]}"
    loader = _loader_evidence(doc, script_text)
    if loader:
        return UNVERIFIABLE, f"list filled by script ({loader})"
    empty = _empty_container(doc)
    if empty is not None and not inside(empty):
        if _AJAX.search(script_text) and _AJAX_LIST_HINT.search(script_text):
            # The page's own script asks for data (fetch, $.ajax…): the container is filled at run
            # time, however it is named; an empty one says nothing about the column.
            return UNVERIFIABLE, f"empty list container <{empty.tag} {_attr_text(empty)}> beside a script's data call"
        return EMPTY, f"empty list container <{empty.tag} {_attr_text(empty)}>"
    frame = _content_frame(doc)
    if frame is not None:
        return UNVERIFIABLE, f"the list may be in a frame ({(frame.get('src') or '').strip()[:80]}), not read"
    return None
