"""A page's candidate lists, built the way crawler/extract/listpage.py builds them before it
decides, for the direct tests of records.py, zones.py and liststate.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crawler.extract.dom import Element, Texts, parse_html, text_of
from crawler.extract.records import _count, _fill, _Group, _group_records, _score, _title_anchors
from crawler.extract.zones import _zone


def page(body: str, head: str = "") -> str:
    """A minimal UTF-8 page around ``body``."""
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


@dataclass
class Candidates:
    doc: Element
    groups: list[_Group]

    @property
    def script_text(self) -> str:
        return "\n".join(text_of(s) for s in self.doc.iter("script"))

    @property
    def best(self) -> _Group | None:
        """The highest-scoring dated list that is neither dropped nor a list of one."""
        dated = [g for g in self.groups if not g.excluded and g.dated and not g.lone]
        return max(dated, key=lambda g: g.score, default=None)


def candidate_lists(html: str, url: str, crawl_date: date, *, zones: bool = True, dates: bool = True) -> Candidates:
    """Title anchors lifted to records and grouped; then, as asked, zoned (chrome dropped, side
    boxes penalised) and filled (titles, dates, pins) and scored — in listpage's order."""
    doc = parse_html(html)
    texts = Texts(doc)
    anchors = _title_anchors(doc, texts)
    counts = _count(anchors)
    groups = _group_records(anchors, counts, texts)
    for g in groups:
        if zones:
            _zone(g, counts, len(anchors), texts)
        if dates and not g.excluded:
            _fill(g, url, crawl_date, texts)
            _score(g)
    return Candidates(doc, groups)
