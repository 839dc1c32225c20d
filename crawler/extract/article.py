"""Article, guide and report pages: their own publication date and their readable text."""
from __future__ import annotations

import re

from datetime import date

from . import dates
from .dom import Element, Page, Texts, classes, is_tag, parse_html, text_nodes
from .encoding import decode
from .types import ArticleDate

_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "head", "select", "button",
              "input", "textarea", "svg", "object", "embed"]
_CHROME_TAGS = {"header", "nav", "footer", "aside"}
# Page chrome by class/id: header bars, menus, footers, breadcrumbs, share bars.
_CHROME_SUBSTR = re.compile(r"nav|menu|foot|crumb|yqlj|friendlink|copyright|banquan|sitemap|share|daohang")
_CHROME_TOKENS = {"header", "head", "top", "topbar", "toolbar", "search", "position", "location", "dh"}
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
          "article", "dd", "dt", "dl", "ul", "ol", "blockquote", "pre", "hr", "form", "center",
          "tbody", "thead", "main", "address", "caption", "figure", "figcaption"}
_CELL = {"td", "th"}
# Full-width ASCII that matters for contacts: pzxxgkb＠163.com (pingtan guide trap), ０５９１,
# ｗｗｗ．… .  Chinese punctuation (：，（）) is kept: checkers match on it.
_FW = {chr(0xFF10 + i): str(i) for i in range(10)}
_FW.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FW.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FW.update({"＠": "@", "．": ".", "－": "-", "＿": "_", "／": "/", "＃": "#", "＋": "+",
            "\u3000": " ", "\xa0": " ", "\u200b": ""})
_FW_TABLE = str.maketrans(_FW)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

_PUB_META = ("pubdate", "publishdate", "publish_date", "article:published_time", "dc.date.issued")
_GEN_META_LABEL = re.compile(r"生成时间|HtmlGenerateTime", re.I)
_STAMP = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}:\d{2}")
# A text node that is a date and nothing else (brackets and a clock time allowed).
_BARE_DATE = re.compile(
    r"^[\s(（\[【〔]*(?:(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d\d([-/.])\d{1,2}\1\d{1,2})"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?[\s)）\]】〕]*$"
)
_CN_DATE_LINE = re.compile(r"^[\s(（]*(?:19|20)\d\d\s*年")
_CLOCK_BEFORE = re.compile(r"(?:今天是|今天|今日|现在是|当前时间|北京时间)\s*[:：]?$")
_NOT_OWN_DATE = {"a", "li", "td", "th", "option", "select", "button"}
_UNDER_TITLE = 2   # text nodes after the title where its date line may sit
_FOOTER_WORDS = re.compile(r"版权|主办|承办|技术支持|标识码|备案|ICP|copyright|©|访问量|浏览次数|最后更新", re.I)
# Server-side template tags: bounded, so a stray "<%" costs at most a few thousand steps.
_SERVER_OPEN = re.compile(r"<%")


def _without_server_tags(html: str) -> str:
    """`html` without JSP/ASP tags (<%-- … --%>, <% … %>).

    One forward scan: the next closer of each kind is looked up once and reused by every
    opener before it, so a page of repeated openers costs no more than its length.
    """
    if "<%" not in html:
        return html
    out, pos = [], 0
    closers: dict[str, int] = {}   # closer → its next position (-1: none left)

    def next_closer(mark: str, start: int) -> int:
        at = closers.get(mark)
        if at is None or (0 <= at < start):
            at = html.find(mark, start)
            closers[mark] = at
        return at

    while (m := _SERVER_OPEN.search(html, pos)) is not None:
        comment = html.startswith("<%--", m.start())
        mark, reach = ("--%>", 4000) if comment else ("%>", 2000)
        end = next_closer(mark, m.end())
        if end < 0 or end - m.end() > reach:
            out.append(html[pos:m.end()])   # not a server tag: kept as it was
            pos = m.end()
            continue
        out.append(html[pos:m.start()])
        pos = end + len(mark)
    out.append(html[pos:])
    return "".join(out)


def _tree(body: bytes | str | Page, content_type: str | None) -> Element:
    """The page's tree: a shared `Page`'s own tree unless server tags had to be removed first."""
    page = body if isinstance(body, Page) else None
    html = page.html if page is not None else (
        decode(body, content_type) if isinstance(body, (bytes, bytearray)) else body)
    # JSP/ASP tags a template left in the served page (<%@ page … %>, <%-- IDE header --%>) are
    # no part of what a reader sees; as text their "@" would pass for an e-mail address.
    shown = _without_server_tags(html)
    if page is not None and shown == html:
        return page.tree()
    return parse_html(shown)


def _attr_text(tag: Element) -> str:
    return (" ".join(classes(tag)) + " " + (tag.get("id") or "")).lower().strip()


def _is_chrome(tag: Element) -> bool:
    if tag.tag in _CHROME_TAGS:
        return True
    if not tag.get("class") and not tag.get("id"):   # most elements: nothing to read
        return False
    s = _attr_text(tag)
    if not s:
        return False
    return bool(_CHROME_SUBSTR.search(s)) or bool(set(_TOKEN_SPLIT.split(s)) & _CHROME_TOKENS)


def _meta(doc: Element, *names: str) -> tuple[str, str] | None:
    wanted = {n.lower() for n in names}
    for m in doc.iter("meta"):
        key = (m.get("name") or m.get("property") or "").strip()
        if key.lower() in wanted and (m.get("content") or "").strip():
            return key, m.get("content").strip()
    return None


def _generation_stamp(doc: Element) -> str | None:
    """Page-generation time (meta HtmlGenerateTime or others='页面生成时间 …'), to the second."""
    hit = _meta(doc, "HtmlGenerateTime")
    values = [hit[1]] if hit else []
    values += [m.get("content") or "" for m in doc.iter("meta")
               if m.get("name") is not None and _GEN_META_LABEL.search(m.get("content") or "")]
    for v in values:
        m = _STAMP.search(v)
        if m:
            return m.group(0)
    return None


def _shown_len(texts: Texts, el: Element) -> int:
    """Length of ``el``'s text as `_Content.text` reads it (``texts`` skipping what is dropped)."""
    return len("".join(texts.strings(el)))


class _Content:
    """The page as a reader sees it: the tree without scripts, forms and page chrome.

    Nothing is removed from the tree (other readers of the response share it): the elements
    left out are remembered, and every walk here steps around them.
    """

    def __init__(self, doc: Element):
        self.root = doc   # not <body>: broken pages close it early and the rest sits beside it (govcn)
        self.dropped: set[Element] = set(doc.iter(*_DROP_TAGS))
        # Each chrome candidate's text is measured in one walk of the page (Texts), not by
        # walking its subtree anew: a candidate is met before anything below it is dropped, so
        # what is stepped around inside it is exactly what was dropped before the loop.
        texts = Texts(doc, self.dropped)
        total = _shown_len(texts, doc)
        stack = [iter(doc)]
        while stack:
            t = next(stack[-1], None)
            if t is None:
                stack.pop()
                continue
            if not is_tag(t) or t in self.dropped:
                continue
            # A "chrome" class on a wrapper holding most of the text (<div id="top"> around
            # the whole page) is layout: keep it.
            if _is_chrome(t) and _shown_len(texts, t) < 0.5 * total:
                self.dropped.add(t)
                continue
            if len(t):
                stack.append(iter(t))

    def kids(self, el: Element) -> list[Element]:
        return [c for c in el if is_tag(c) and c not in self.dropped]

    def strings(self, el: Element) -> list[tuple[str, Element]]:
        """(text, its element) of the text nodes under ``el`` a reader sees, in page order."""
        return text_nodes(el, self.dropped)

    def _in_dropped(self, el: Element, top: Element) -> bool:
        node = el
        while node is not None:
            if node in self.dropped:
                return True
            if node is top:
                return False
            node = node.getparent()
        return False

    def text(self, el: Element) -> str:
        return "".join(t for t, _ in self.strings(el))

    def find(self, el: Element, tag: str, attr: str | None = None) -> Element | None:
        """The first ``tag`` below ``el`` (with ``attr``, if given) a reader sees."""
        for d in el.iterdescendants(tag):
            if (attr is None or d.get(attr) is not None) and not self._in_dropped(d, el):
                return d
        return None


def extract_article_date(body: bytes | Page, url: str, content_type: str | None = None) -> ArticleDate:
    """The page's own publication date: shown label, then meta PubDate, then firstpublishedtime,
    then a date shown alone under the title ("(2024年03月23日)") or as a 年月日 line of the body.

    The shown 发布时间/发布日期/日期/时间 wins: on the gansu_fzgg article meta PubDate equals the
    page-generation stamp (2025-03-27) while the page shows 日期：2025-02-26.  Page-generation
    times (HtmlGenerateTime, 页面生成时间) are never returned.  ``body`` may be a shared `Page`.
    """
    doc = _tree(body, content_type)
    gen = _generation_stamp(doc)
    pub = _meta(doc, *_PUB_META)
    first = _meta(doc, "firstpublishedtime")
    content = _Content(doc)
    strings = [(t, el) for t, el in content.strings(doc) if t.strip()]
    for i, (s, _) in enumerate(strings):
        t = s.strip()
        if any(map(str.isdigit, t)):   # map: no generator frame per character
            hit = dates.labelled_date(t)
        elif len(t) <= 8 and i + 1 < len(strings):
            # "<span>发布时间：</span><span>2026-11-20</span>": label and date in two nodes.
            hit = dates.labelled_date(t + strings[i + 1][0].strip()[:40])
        else:
            hit = None
        if hit:
            return ArticleDate(hit[1], "shown")
    if pub:
        # A PubDate equal to the page-generation stamp to the second is that stamp copied
        # (gansu_fzgg: both 2025-03-27 09:36:38), not a publication time.
        m = _STAMP.search(pub[1])
        d = dates.parse_date(pub[1])
        if d and not (gen and m and m.group(0) == gen):
            return ArticleDate(d, f"meta:{pub[0]}")
    if first:
        d = dates.parse_date(first[1])
        if d:
            return ArticleDate(d, "meta:firstpublishedtime")
    return _unlabelled_date(content, strings)


# A text node as the readers below take it: its text and the element it sits in.
_Text = tuple[str, Element]


def _bare_date(content: _Content, s: _Text) -> date | None:
    """The date a text node holds when it holds nothing else: (2024年03月23日), 2024-03-23 16:23."""
    t = s[0].strip()
    if len(t) > 40 or not _BARE_DATE.match(dates.normalize(t)):
        return None
    for anc in (s[1], *s[1].iterancestors()):
        if anc.tag in _NOT_OWN_DATE:
            return None  # a link's date, a list row's, a table cell's: some other document's
        if anc.tag in _BLOCK:
            if content.find(anc, "a", attr="href") is not None:
                return None  # "<p><a>相关文章</a> (2026-11-20)</p>"
            break
    return dates.parse_date(t)


def _after_clock(strings: list[_Text], i: int) -> bool:
    """"今天是" just before: the header clock split over two nodes, not a publication date."""
    return i > 0 and _CLOCK_BEFORE.search(strings[i - 1][0].strip()) is not None


def _in_footer(strings: list[_Text], i: int) -> bool:
    """Site footer words around a date line (主办, 网站标识码, 版权所有): the server's clock."""
    near = "".join(s.strip() for s, _ in strings[max(0, i - 3):i + 3])
    return _FOOTER_WORDS.search(near) is not None


def _is_title(s: _Text) -> bool:
    if len(s[0].strip()) < 6:
        return False
    for anc in [s[1], *s[1].iterancestors()][:3]:
        if anc.tag in ("h1", "h2") or "title" in _attr_text(anc):
            return anc.tag != "a" and next(anc.iterancestors("a"), None) is None
    return False


def _unlabelled_date(content: _Content, strings: list[_Text]) -> ArticleDate:
    """No label, no meta: the date shown alone under the title, else a bare 年月日 line of the body.

    Dates inside links, list rows and table cells belong to other documents; a date right after
    "今天是" is the header clock; only the main text is searched for a line of its own, so a
    footer stamp never counts.
    """
    title = next((i for i, s in enumerate(strings) if _is_title(s)), None)
    if title is not None:
        for i in range(title + 1, min(len(strings), title + 1 + _UNDER_TITLE)):
            d = _bare_date(content, strings[i])
            if d and not _after_clock(strings, i):
                return ArticleDate(d, "shown:under-title")
    main = _main_container(content)
    in_main = set(main.iter())
    for i, s in enumerate(strings):
        if (title is not None and i <= title) or s[1] not in in_main:
            continue
        d = _bare_date(content, s) if _CN_DATE_LINE.match(dates.normalize(s[0].strip())) else None
        if d and not _after_clock(strings, i) and not _in_footer(strings, i):
            return ArticleDate(d, "shown:line")
    return ArticleDate(None, None)


def extract_text(body: bytes | Page, url: str, content_type: str | None = None) -> str:
    """Main readable text of an article/guide/report page, one block per line.

    Scripts, styles, header/nav/footer chrome are dropped; inline elements are joined without
    separators (guides split "通信地址：" and the address over several spans) and full-width
    ASCII is folded (＠ → @, ０５９１ → 0591).  If no single container holds most of the text,
    the whole cleaned body is returned: missing a guide element is worse than extra text.
    ``body`` may be a shared `Page`.
    """
    doc = _tree(body, content_type)
    title = _meta(doc, "ArticleTitle")
    content = _Content(doc)
    h1 = content.find(doc, "h1")
    main = _main_container(content)
    text = _render(content, main)
    # The title often sits outside the body container; reports are recognised by it.
    heading = _render(content, h1) if h1 is not None else (title[1] if title else "")
    heading = heading.replace("\n", "")
    if heading and heading not in text:
        text = heading + "\n" + text
    return text


# Ruby annotations (<rt>, <rp>) are not read as text.
_NOT_READ = frozenset({"rt", "rp"})


def _text_len(content: _Content, tag: Element, memo: dict[Element, int]) -> int:
    """Non-link text length of a subtree (links are navigation, not content)."""
    n = len(tag.text.strip()) if tag.text else 0
    for c in tag:
        if is_tag(c) and c.tag != "a" and c.tag not in _NOT_READ and c not in content.dropped:
            n += _text_len(content, c, memo)
        if c.tail:   # the text after an element left out is still read
            n += len(c.tail.strip())
    memo[tag] = n
    return n


def _main_container(content: _Content) -> Element:
    memo: dict[Element, int] = {}
    root = content.root
    total = _text_len(content, root, memo)
    node = root
    while True:
        here = memo.get(node, 0)
        kids = content.kids(node)
        if not kids or here == 0:
            return node
        best = max(kids, key=lambda c: memo.get(c, 0))
        # Descend while one child holds most of the text; stop before splitting the content.
        if memo.get(best, 0) >= 0.8 * here and memo.get(best, 0) >= 0.5 * total:
            node = best
            continue
        return node


def _render(content: _Content, root: Element) -> str:
    out: list[str] = []

    def walk(t: Element) -> None:
        if t.text:
            out.append(t.text.replace("\n", " "))
        for c in t:
            if is_tag(c) and c not in content.dropped and c.tag not in _NOT_READ:
                if c.tag in _BLOCK:
                    out.append("\n")
                    walk(c)
                    out.append("\n")
                elif c.tag in _CELL:
                    walk(c)
                    out.append(" ")
                else:
                    walk(c)
            if c.tail:
                out.append(c.tail.replace("\n", " "))

    walk(root)
    text = "".join(out).translate(_FW_TABLE)
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(ln for ln in lines if ln)).strip()
