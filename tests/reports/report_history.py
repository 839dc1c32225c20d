"""Small findings ledgers for the history and site tests, built from Entry objects.
(Not a conftest: imported by name.)"""
from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

from rules.ledger import Entry, identity

AS_OF = date(2026, 11, 27)      # a Friday; the weeks end on 11-20, 11-13, 11-06, 10-30 …


def entry(unit: str, rule: str = "column_stale", target: str = "t", first_seen: date = AS_OF,
          rectified_at: date | None = None, severity: str = "veto", column: str | None = "工作动态",
          deadline_days: int = 14, message: str | None = None) -> Entry:
    return Entry(identity=identity(unit, rule, target), unit=unit, rule=rule, target=target,
                 severity=severity, message=message if message is not None else f"{column or ''}：{rule}",
                 column=column, url=None, element=None, first_seen=first_seen,
                 last_seen=rectified_at or AS_OF, deadline=first_seen + timedelta(days=deadline_days),
                 rectified_at=rectified_at)


def week(n: int) -> date:
    """The end of the week n weeks before AS_OF's (week(0) == AS_OF)."""
    return AS_OF - timedelta(days=7 * n)


def five_weeks() -> list[Entry]:
    """Two units over five weeks (ends 10-30 … 11-27):

        甲局 a  column_stale  veto       first 10-30, still open
        甲局 b  column_empty  deduction  first 11-06, rectified 11-20
        乙局 c  dead_link     deduction  first 11-13, rectified 11-27
        乙局 d  column_stale  veto       first 11-27, open
    """
    return [entry("甲局", "column_stale", "a", week(4)),
            entry("甲局", "column_empty", "b", week(3), week(1), "deduction", "人事信息"),
            entry("乙局", "dead_link", "c", week(2), week(0), "deduction", "通知公告"),
            entry("乙局", "column_stale", "d", week(0))]


VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _Balance(HTMLParser):
    """Every element opened is closed, in order (a cheap well-formedness check)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        pass   # <rect .../> in SVG: opened and closed

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def assert_well_formed(html: str) -> None:
    """Tags balanced, lxml parses the page, and any <svg> is well-formed XML on its own."""
    import lxml.etree
    import lxml.html

    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"unclosed: {checker.stack[:5]}"
    doc = lxml.html.document_fromstring(html.encode("utf-8"))
    assert doc.find("body") is not None
    start = html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        svg = lxml.etree.fromstring(html[start:end].encode("utf-8"))   # raises on an unclosed element
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        start = html.find("<svg", end)
