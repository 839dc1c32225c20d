"""Where on the page a node sits: page chrome, a sidebar box, or the column's content.

Groups in header/nav/footer/menu/friend-link zones are dropped, sidebar/"热点" boxes are
penalised, list/content containers are preferred.
"""
from __future__ import annotations

import re

from bs4 import Tag

from .dom import _STOP_TAGS, _attr_text, _clean, _tokens
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


def _zone(g: _Group, counts: dict[int, int], total_anchors: int) -> None:
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
            big = counts.get(id(anc), 0) > 0.6 * total_anchors
            if (_EXCLUDE_SUBSTR.search(s) or toks & _EXCLUDE_TOKENS) and not big:
                g.excluded = True
                return
            # Likewise "side" in the class of the column holding most links (rightside, main-side)
            # names the main column of a two-column layout, not a sidebar box.
            if _PENALTY_SUBSTR.search(s) and not big:
                penalty = 0.25
            if depth < 6 and (_BONUS_SUBSTR.search(s) or toks & _BONUS_TOKENS):
                bonus = 1.5
        depth += 1
    heading = _heading_text(g.root)
    if heading:
        if _FRIEND_TEXT.search(heading):
            g.excluded = True
            return
        if _HOT_TEXT.search(heading):
            penalty = min(penalty, 0.25)
    g.listish = bonus > 1
    g.penalized = penalty < 1


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


def _in_zone(node: Tag) -> bool:
    for anc in [node, *node.parents]:
        if anc.name in _STOP_TAGS or anc.name is None:
            return False
        if anc.name in _ZONE_TAGS:
            return True
        s = _attr_text(anc)
        if s and (_EXCLUDE_SUBSTR.search(s) or _tokens(s) & _EXCLUDE_TOKENS):
            return True
    return False


def _side_box(el: Tag) -> bool:
    """In a related/hot/sidebar box (an empty 相关稿件 list says nothing about the column)."""
    for anc in [el, *el.parents][:6]:
        if not isinstance(anc, Tag) or anc.name in _STOP_TAGS:
            break
        if _PENALTY_SUBSTR.search(_attr_text(anc)):
            return True
    return bool(_HOT_TEXT.search(_heading_text(el)))
