"""The page tree (lxml) and the node, text and URL helpers every reader of a page shares.

A page is parsed once (``parse_html``, or lazily through ``Page``) and every reader of that
response walks the same tree. lxml keeps text in ``.text``/``.tail`` rather than in nodes of
their own; the helpers here give the readers text nodes as a person sees them, with the rules
the extractors were built on: text in scripts, styles, templates and ruby annotations is not
shown, comments are not text, and a run of ASCII whitespace between tags counts as one
space or newline (outside ``<pre>``/``<textarea>``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree

Element = etree._Element

# The parsed page's top-level nodes sit under one element of this name (a page can have
# content after </html>: govcn's article pages put their body there).
DOCUMENT = "govfresh-document"
_STOP_TAGS = {"body", "html", DOCUMENT, "form"}
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# `[^<>]`, not `[^>]`: from every "<" of a page without ">" the latter scanned to the end.
_HTML_TAG = re.compile(r"<[^<>]+>")
_SCRIPT_OPEN = re.compile(r"<script\b([^<>]*)>", re.I)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.I)
# Elements whose text is not shown (script and style code, <template> markup, ruby notes).
_NOT_SHOWN = frozenset({"script", "style", "template", "rt", "rp"})
# Where whitespace is kept as written.
_PRESERVE = frozenset({"pre", "textarea"})
_CONTEXT = (*_NOT_SHOWN, *_PRESERVE)
# Of those, the ones that can hold elements (script and style hold only their code).
_NESTING = ("template", "rt", "rp", *_PRESERVE)
_PLAIN = "data-govfresh-plain"   # on the document element: no element of _NESTING in the page
_ASCII_SPACES = " \n\t\f\r"


class TooDeep(ValueError):
    """A page nested deeper than any real page (and than libxml2 itself allows)."""


def parse_html(html: str, refuse_deep: bool = True) -> Element:
    """The page as a tree under one document element, refusing one nested absurdly deep (TooDeep).

    libxml2 stops at depth 256, which no real page comes near; a page past it is refused
    rather than read truncated (``refuse_deep=False``: read truncated, for a fragment of a
    page already read).
    """
    parser = etree.HTMLParser(recover=True, encoding="utf-8")
    try:
        root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.XMLSyntaxError, ValueError):   # an empty page
        root = None
    if refuse_deep and any("Excessive depth" in e.message for e in parser.error_log):
        raise TooDeep("页面结构嵌套过深（超过256层）")
    doc = etree.Element(DOCUMENT)
    if root is not None:
        tops = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
        for node in tops:
            node.tail = None   # text outside the top-level elements is no part of the page
            doc.append(node)
    mark_plain(doc)
    return doc


def mark_plain(doc: Element) -> None:
    """Note on the document whether any text in it can be hidden or kept as written.

    Most pages have no <template>, <pre> or ruby: then no text node needs its ancestors
    looked up (a quarter of a list page's work otherwise).
    """
    root = doc.getroottree().getroot()
    if next(root.iter(*_NESTING), None) is None:
        root.set(_PLAIN, "")
    elif _PLAIN in root.attrib:
        del root.attrib[_PLAIN]


class Page:
    """One response's text and its one tree, parsed on first use and shared by every reader.

    A reader that changes the tree (extract/hidden_lists.py unwraps a list kept in a
    comment) calls ``changed()``: the next reader gets the page parsed afresh.
    """

    def __init__(self, html: str):
        self.html = html
        self._tree: Element | None = None
        self._texts: Texts | None = None

    def tree(self) -> Element:
        if self._tree is None:
            self._tree = parse_html(self.html)
        return self._tree

    def texts(self) -> Texts:
        """The tree's shown text, read once for every reader (see `Texts`)."""
        if self._texts is None:
            self._texts = Texts(self.tree())
        return self._texts

    def changed(self) -> None:
        self._tree = self._texts = None


def as_page(html: str | Page) -> Page:
    return html if isinstance(html, Page) else Page(html)


MAX_URL = 2048   # longer than any real page address: such an href is no address


# A plain path segment: not empty, not "." or "..", nothing urlsplit strips or splits on.
_SEGMENT = r"[\w~!$&'()*+,=@%-][\w.~!$&'()*+,=@%-]*"
# An href urljoin only appends to the base's host (rooted) or folder (relative, TRS's
# "./202611/t20261120_1.html"): plain segments, then maybe a non-empty query, no fragment.
_PLAIN_HREF = re.compile(rf"(?:(?P<rooted>/)|(?:\./)?(?={_SEGMENT}))(?:{_SEGMENT}(?:/{_SEGMENT})*/?)?"
                         r"(?:\?[\w.~!$&'()*+,=:@%/?;-]+)?")


def join_url(base: str, href: str) -> str:
    """`href` resolved against `base`; "" for an href too long or malformed to be an address.

    urljoin raises on a broken IPv6 host ("http://[::1"): one bad link must not fail a page.
    """
    if len(href) > MAX_URL:
        return ""
    try:
        return _plain_join(base, href) or urljoin(base, href)
    except ValueError:
        return ""


def _plain_join(base: str, href: str) -> str | None:
    """urljoin's answer for a plain href on an http(s) page, put together directly; else None.

    A list page joins an href per item, and urljoin's generality costs five times this.
    """
    m = _PLAIN_HREF.fullmatch(href)
    if m is None:
        return None
    parts = urlsplit(base)   # cached by urllib
    if parts.scheme not in ("http", "https"):
        return None
    if m.group("rooted"):
        return f"{parts.scheme}://{parts.netloc}{href}"
    folder = parts.path[:parts.path.rfind("/") + 1]
    # urljoin would drop empty segments and resolve dot segments of the base's folder.
    if not folder.startswith("/") or "//" in folder or "/." in folder:
        return None
    return f"{parts.scheme}://{parts.netloc}{folder}{href.removeprefix('./')}"


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


# --- nodes ---------------------------------------------------------------------------------

def is_tag(node: object) -> bool:
    """An element (not a comment, a processing instruction or a text)."""
    return isinstance(getattr(node, "tag", None), str)


def classes(el: Element) -> list[str]:
    return (el.get("class") or "").split()


def _attr_text(el: Element) -> str:
    return (" ".join(classes(el)) + " " + (el.get("id") or "")).lower().strip()


def _tokens(s: str) -> set[str]:
    tokens = set(_TOKEN_SPLIT.split(s))   # built in C, not by a comprehension
    tokens.discard("")
    return tokens


def _clean(s: str) -> str:
    # str.split() cuts at exactly what the pattern \s matches (every Unicode space, nbsp and
    # U+3000 among them), at a quarter of a regex substitution's cost.
    return " ".join(s.split())


def has_descendant(el: Element, *tags: str, attr: str | None = None) -> bool:
    """Whether ``el`` holds (below itself) an element of one of ``tags`` (with ``attr``, if given)."""
    for d in el.iterdescendants(*tags):
        if attr is None or d.get(attr) is not None:
            return True
    return False


def find_by_id(doc: Element, ident: str) -> Element | None:
    """The first element whose id is ``ident``."""
    for el in doc.iter():
        if el.get("id") == ident and is_tag(el):
            return el
    return None


# --- text ----------------------------------------------------------------------------------

class Hidden(str):
    """A text node a reader does not see (inside a script, style, template): not text."""


def _context(el: Element) -> tuple[bool, bool]:
    """(inside an element whose text is not shown, inside pre/textarea) for ``el``'s own text."""
    hidden = el.tag in _NOT_SHOWN
    keep = el.tag in _PRESERVE
    if el.getroottree().getroot().get(_PLAIN) is not None:
        return hidden, keep
    for anc in el.iterancestors(*_CONTEXT):
        if anc.tag in _PRESERVE:
            keep = True
        else:
            hidden = True
    return hidden, keep


def _shown(t: str, keep: bool) -> str:
    # A run of ASCII whitespace between tags is one space, or one newline when it has one.
    if keep or t.strip(_ASCII_SPACES):
        return t
    return "\n" if "\n" in t else " "


def text_nodes(el: Element, skip: set[Element] | frozenset[Element] = frozenset()) -> list[tuple[str, Element]]:
    """(text, the element it sits in) of every text node a reader sees under ``el``, in page order.

    Elements in ``skip`` (and what they hold) are stepped around; their tails are still read.
    """
    hidden, keep = _context(el)
    out: list[tuple[str, Element]] = []
    if not hidden:
        _collect(el, keep, skip, out)
    return out


def _collect(el: Element, keep: bool, skip: set[Element] | frozenset[Element], out: list[tuple[str, Element]]) -> None:
    # .text and .tail are read once each: lxml makes a new str on every read.
    text = el.text
    if text:
        out.append((_shown(text, keep), el))
    for c in el:
        tag = c.tag
        if tag.__class__ is str and tag not in _NOT_SHOWN and c not in skip:
            _collect(c, keep or tag in _PRESERVE, skip, out)
        tail = c.tail
        if tail:
            out.append((_shown(tail, keep), el))


def _strings(el: Element) -> list[str]:
    """Shown text nodes under ``el`` (each as a reader sees it)."""
    return [t for t, _ in text_nodes(el)]


def text_of(el: Element) -> str:
    """All text of ``el`` as a reader sees it; a script's, style's or template's own content for one."""
    if el.tag in ("script", "style"):
        return _shown(el.text, False) if el.text else ""
    if el.tag in _NOT_SHOWN:
        return "".join(_own_strings(el))
    return "".join(_strings(el))


def _own_strings(el: Element) -> Iterator[str]:
    # A template's (rt's, rp's) own text: what it holds, scripts and styles aside.
    if el.text:
        yield _shown(el.text, False)
    for c in el:
        if is_tag(c) and c.tag not in ("script", "style"):
            yield from _own_strings(c)
        if c.tail:
            yield _shown(c.tail, False)


class Texts:
    """The shown text of a page's elements, read in one walk over the tree (``Texts(doc)``).

    A list page asks for the text of a hundred elements nested in one another (each link,
    record, date cell, box title); walking each one's subtree anew was a fifth of reading the
    page. Here the page's text nodes are gathered once in page order, and an element's are
    the slice from its own text to the end of its content. Valid while the tree is unchanged:
    whoever changes it makes a new one. Elements the walk does not enter (those inside a
    script, a template or a ruby note) and every element of ``Texts()`` are read afresh.
    Elements in ``skip`` (and what they hold) are stepped around by the walk and by `strings`,
    as `text_nodes` steps around them.
    """

    def __init__(self, doc: Element | None = None, skip: set[Element] | frozenset[Element] = frozenset()):
        self._nodes: list[str] = []
        self._span: dict[Element, tuple[int, int]] = {}
        self._skip = skip
        if doc is not None:
            self._walk(doc, False)

    def _walk(self, el: Element, keep: bool) -> None:
        # _collect's walk, noting where each element's text nodes start and end.
        nodes = self._nodes
        span = self._span
        skip = self._skip
        start = len(nodes)
        text = el.text
        if text:
            nodes.append(_shown(text, keep))
        for c in el:
            tag = c.tag
            if tag.__class__ is str and tag not in _NOT_SHOWN and c not in skip:
                if len(c):
                    self._walk(c, keep or tag in _PRESERVE)
                else:   # a leaf (most elements are): its text read here, without a call
                    leaf = len(nodes)
                    text = c.text
                    if text:
                        nodes.append(_shown(text, keep or tag in _PRESERVE))
                    span[c] = (leaf, len(nodes))
            tail = c.tail
            if tail:
                nodes.append(_shown(tail, keep))
        span[el] = (start, len(nodes))

    def strings(self, el: Element) -> list[str]:
        """``el``'s shown text nodes, as `text_nodes` reads them."""
        span = self._span.get(el)
        if span is None:
            return [t for t, _ in text_nodes(el, self._skip)]
        return self._nodes[span[0]:span[1]]

    def text(self, el: Element) -> str:
        """``el``'s text, as `text_of` reads it."""
        span = self._span.get(el)
        return text_of(el) if span is None else "".join(self._nodes[span[0]:span[1]])

    def spaced(self, el: Element) -> str:
        """``el``'s text nodes stripped and joined by one space (BeautifulSoup's get_text(" ", strip=True))."""
        return " ".join(s for s in (t.strip() for t in self.strings(el)) if s)


def child_nodes(el: Element) -> Iterator[Element | str]:
    """``el``'s children in page order: elements, comments, and its texts (a `Hidden` where not shown)."""
    hidden, keep = _context(el)
    if el.text:
        yield _text_node(el.text, hidden, keep)
    for c in el:
        yield c
        if c.tail:
            yield _text_node(c.tail, hidden, keep)


def next_nodes(el: Element) -> Iterator[Element | str]:
    """What follows ``el`` under its parent, in page order: its tail, then each sibling and its tail."""
    parent = el.getparent()
    hidden, keep = _context(parent) if parent is not None else (False, False)
    if el.tail:
        yield _text_node(el.tail, hidden, keep)
    for s in el.itersiblings():
        yield s
        if s.tail:
            yield _text_node(s.tail, hidden, keep)


def _text_node(t: str, hidden: bool, keep: bool) -> str:
    return Hidden(t) if hidden else _shown(t, keep)


def is_text(node: object) -> bool:
    """A text node a reader sees (not an element, a comment or hidden text)."""
    return type(node) is str
