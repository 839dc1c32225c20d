"""Where on the page a node sits: page chrome, a sidebar box, or the column's content.

Groups in header/nav/footer/menu/friend-link zones are dropped, sidebar/"热点" boxes are
penalised, list/content containers are preferred.
"""
from __future__ import annotations

import re

from .dom import _STOP_TAGS, Element, Texts, _attr_text, _clean, _tokens, is_tag
from .records import _Group

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


def _zone(g: _Group, counts: dict[Element, int], total_anchors: int, texts: Texts,
          marks: dict[Element, tuple[bool, bool, bool] | None] | None = None) -> None:
    """Exclude chrome zones, mark sidebars (penalized) and list/content containers (listish).

    ``marks``: what `_marks` said of each ancestor, kept for the page's other groups (they
    share most of their ancestors).
    """
    if marks is None:
        marks = {}
    penalty = 1.0
    bonus = 1.0
    depth = 0
    for anc in [g.root, *g.root.iterancestors()]:
        if anc.tag in _STOP_TAGS:
            break
        if anc.tag in _ZONE_TAGS:
            g.excluded = True
            return
        if anc in marks:
            said = marks[anc]
        else:
            said = marks[anc] = _marks(anc, counts, total_anchors)
        if said is not None:
            chrome, side, content = said
            if chrome:
                g.excluded = True
                return
            if side:
                penalty = 0.25
            if depth < 6 and content:
                bonus = 1.5
        depth += 1
    heading = _heading_text(g.root, texts)
    if heading:
        if _FRIEND_TEXT.search(heading):
            g.excluded = True
            return
        if _HOT_TEXT.search(heading):
            penalty = min(penalty, 0.25)
    g.listish = bonus > 1
    g.penalized = penalty < 1


def _marks(anc: Element, counts: dict[Element, int], total_anchors: int) -> tuple[bool, bool, bool] | None:
    """What an ancestor's class and id say of a list in it: (page chrome, side box, content
    container); None when it has neither."""
    s = _attr_text(anc)
    if not s:
        return None
    toks = _tokens(s)
    # A "chrome" class on a wrapper that holds most of the page's links
    # (<div id="top"> around everything) is layout, not a header.
    big = counts.get(anc, 0) > 0.6 * total_anchors
    chrome = bool(_EXCLUDE_SUBSTR.search(s) or toks & _EXCLUDE_TOKENS) and not big
    # Likewise "side" in the class of the column holding most links (rightside, main-side)
    # names the main column of a two-column layout, not a sidebar box.
    side = bool(_PENALTY_SUBSTR.search(s)) and not big
    content = bool(_BONUS_SUBSTR.search(s) or toks & _BONUS_TOKENS)
    return chrome, side, content


def _heading_text(root: Element, texts: Texts) -> str:
    """Short box titles just before the list (热点信息, 友情链接 …)."""
    titles = []
    node = root
    for _ in range(3):
        if node is None or node.tag in _STOP_TAGS:
            break
        k = 0
        for sib in node.itersiblings(preceding=True):
            if is_tag(sib):
                t = _clean(texts.text(sib))
                if t and len(t) <= 30:
                    titles.append(t)
                k += 1
                if k >= 2:
                    break
        node = node.getparent()
    return " ".join(titles)


def _in_zone(node: Element) -> bool:
    for anc in [node, *node.iterancestors()]:
        if anc.tag in _STOP_TAGS:
            return False
        if anc.tag in _ZONE_TAGS:
            return True
        s = _attr_text(anc)
        if s and (_EXCLUDE_SUBSTR.search(s) or _tokens(s) & _EXCLUDE_TOKENS):
            return True
    return False


def _side_box(el: Element) -> bool:
    """In a related/hot/sidebar box (an empty 相关稿件 list says nothing about the column)."""
    for anc in [el, *el.iterancestors()][:6]:
        if anc.tag in _STOP_TAGS:
            break
        if _PENALTY_SUBSTR.search(_attr_text(anc)):
            return True
    return bool(_HOT_TEXT.search(_heading_text(el, Texts())))
