"""Column list pages: find the main list, its items and their dates.

One generic algorithm, no per-site rules:

1. Readable script sources are opened first: Hanweb JCMS ``<script type="text/xml">``
   recordsets are unwrapped into the DOM, a list container whose only content is an HTML
   comment full of items gets that comment parsed (gansu_jyt trap), and inline JS/JSON lists
   (``var listData = {articleList: […]}``, jiangxi_sthjt trap) are read as a candidate list.
2. Every title link is lifted to its *record* (the li/tr/dl/dd/div that holds it and nothing
   else that looks like another title), records are grouped by their list root (so 15 items
   in three sibling ``<ul>`` of 5 are one list, pingtan_zfxxgkzd trap, and so are 19 items in
   bare ``<div ms-visible>`` wrappers of five, each with its own ``<ul>``).
3. Groups in header/nav/footer/menu/friend-link zones are dropped, sidebar/"热点" boxes are
   penalised, list/content containers are preferred, the biggest dated group wins.  Failing
   that: undated document lists or directories of units (a 公开指南 column listing 44
   departments), then a lone compact dated row (a 机构职能 column holding one document).
4. A record's date comes from short date-label nodes only (``[11-20]``, ``发布时间：…``), never
   from its title text, its URL (t20260313 vs shown 2026-03-10: the shown date wins), the
   page header clock, footers or page-generation metas.  In catalogue tables the 发布日期
   column beats 成文日期.

Modules: hidden_lists.py (step 1), records.py (steps 2 and 4), zones.py (step 3),
liststate.py (article / empty / unverifiable pages), pager.py (further pages); this module
only orchestrates.
"""
from __future__ import annotations

from datetime import date


from .dom import Page, Texts, _attr_text, _clean, join_url, parse_html, text_of
from .encoding import decode
from .hidden_lists import _json_list, _unwrap_comments, _unwrap_hanweb
from .liststate import _article_like, _no_list_state, _script_filled_hole
from .pager import _pager
from .records import (_count, _directory_list, _fill, _Group, _group_records, _item, _score, _title_anchors,
                      _undated_list)
from .types import LIST, NOT_LIST, UNVERIFIABLE, Item, ListPage
from .zones import _zone


# --- public API ----------------------------------------------------------------------------

def extract_list(body: bytes | str | Page, url: str, crawl_date: date, content_type: str | None = None) -> ListPage:
    """What a column list page says: state, items with dates, column name and further pages.

    ``body`` may be a `Page` whose tree other readers of the same response share.
    """
    if isinstance(body, Page):
        page = body
    else:
        page = Page(decode(body, content_type) if isinstance(body, (bytes, bytearray)) else body)
    return _Extractor(page, url, crawl_date).run()


# --- implementation ------------------------------------------------------------------------

class _Extractor:
    def __init__(self, page: Page, url: str, crawl_date: date):
        self.counts: dict = {}
        self.total_anchors = 0
        self.page = page
        self.raw = page.html
        self.url = url
        self.crawl_date = crawl_date
        self.notes: list[str] = []
        html, self.hanweb_records, self.hanweb_proxy = _unwrap_hanweb(page.html, self.notes)
        # A Hanweb recordset read into the page makes another tree than the one others read.
        self.doc = page.tree() if self.hanweb_records is None else parse_html(html)
        base = next((b for b in self.doc.iter("base") if b.get("href") is not None), None)
        self.base = (join_url(url, base.get("href").strip()) or url) if base is not None else url
        self.script_text = "\n".join(text_of(s) for s in self.doc.iter("script"))
        # The tree's text, read once for every step below (and, on the shared tree, for the
        # page's other readers).
        self.texts = page.texts() if self.hanweb_records is None else Texts(self.doc)

    def _groups(self) -> list[_Group]:
        anchors = _title_anchors(self.doc, self.texts)
        counts = _count(anchors)
        if _unwrap_comments(self.doc, counts, self.notes):
            if self.hanweb_records is None:
                self.page.changed()   # the shared tree now holds the comment's list: others parse afresh
            self.texts = Texts(self.doc)
            anchors = _title_anchors(self.doc, self.texts)
            counts = _count(anchors)
        self.counts, self.total_anchors = counts, len(anchors)
        return _group_records(anchors, counts, self.texts)

    def _meta(self, name: str) -> str | None:
        for m in self.doc.iter("meta"):
            if (m.get("name") or "").strip().lower() == name.lower():
                v = (m.get("content") or "").strip()
                if v:
                    return v
        return None

    # -- decision --------------------------------------------------------------------------

    def run(self) -> ListPage:
        column = self._meta("ColumnName")
        column = _clean(column) if column else None
        total_pages, next_pages = _pager(self.raw, self.url, self.base, self.hanweb_records, self.hanweb_proxy)

        def page(state: str, items: list[Item] | None = None, note: str | None = None) -> ListPage:
            notes = [*self.notes, *([note] if note else [])]
            return ListPage(state=state, items=items or [], column_name=column,
                            next_pages=next_pages,
                            total_pages=total_pages, note="; ".join(notes) or None)

        groups = self._groups()
        marks: dict = {}   # the groups' ancestors, each read once
        for g in groups:
            _zone(g, self.counts, self.total_anchors, self.texts, marks)  # before _fill: chrome groups need no dates
            if not g.excluded:
                _fill(g, self.base, self.crawl_date, self.texts)
                _score(g)
        live = [g for g in groups if not g.excluded and g.records]
        dated = [g for g in live if g.dated and not g.lone]
        best = max(dated, key=lambda g: g.score, default=None)
        # Undated lists a reader sees: documents without dates, or a directory of units (only
        # asked for when no dated main list wins).
        undated = [g for g in live if not g.penalized and (_undated_list(g) or _directory_list(g))] \
            if best is None or best.penalized else []
        if (best is None or best.penalized) and not undated:
            # A column holding one dated document (机构职能 with its one 职责 file).
            best = max((g for g in live if g.lone), key=lambda g: g.score, default=best)
        json_items = _json_list(self.doc, self.base, self.crawl_date)

        if _article_like(self.doc, best):
            return page(NOT_LIST, note="article page (ArticleTitle/PubDate meta or long body text)")

        json_dated = sum(1 for i in json_items if i.date)
        # Script data wins when the DOM has no convincing list of its own (jiangxi: none at
        # all); a strong static list is not overruled by some widget's JSON.
        dom_strong = best is not None and not best.penalized and best.listish and best.dated >= 5
        if json_items and not dom_strong and (best is None or best.penalized or json_dated > best.dated):
            return page(LIST, json_items, "items read from inline script data")
        if best is not None and not best.penalized:
            hole = _script_filled_hole(self.doc, self.script_text, best)
            if hole is not None:
                return page(UNVERIFIABLE, note=f"main list <{hole.tag} {_attr_text(hole)}> is filled by script; "
                                               f"only a small static list ({best.dated} dated) is readable")
            return page(LIST, [_item(r) for r in best.records])

        # Nothing dated, or only a sidebar/热点 box: what the main area says comes first.
        if undated:
            g = max(undated, key=lambda g: g.score)
            return page(LIST, [_item(r) for r in g.records], "items carry no dates")
        state = _no_list_state(self.doc, self.script_text, self.raw, self.hanweb_records, best)
        if state is not None:
            return page(state[0], note=state[1])
        if best is not None:
            return page(LIST, [_item(r) for r in best.records], "only a side box carries dates")
        return page(NOT_LIST, note="no list found")
