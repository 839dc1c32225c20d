"""What the crawler saw, as plain values the rules judge, built from the store's rows.

"Was this page read?" is decided here, once (`was_read`), and every rule and the
ledger ask it: a finding that depends on a page's content (stale, empty, guide,
annual report) is only made from a page that was read. A challenge, a redirect
not followed, a binary or undecodable body, a page over its CPU budget, a unit
the crawl's deadline did not reach: none of these says anything about content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store import Store


# A unit's disclosure page, as the crawler recorded it (crawler/extract/readable.py).
READ = "read"
UNREACHABLE = "unreachable"       # no answer, or an HTTP error: the site is down for visitors
BLOCKED = "blocked"               # an anti-bot challenge: up, but holding us back
UNVERIFIABLE = "unverifiable"     # answered, but nothing readable (binary, off-site redirect…)
NOT_CHECKED = "not_checked"       # the crawl's deadline came first

# Column states whose page was read as HTML: what the rules may judge by content
# (crawler/extract/types.py); the others are unreachable and unverifiable.
READ_STATES = frozenset({"list", "empty", "not_list"})
# HTTP answers that say a column page does not exist: nothing unread hides behind them.
_GONE = frozenset({404, 410})


def was_read(state: str | None) -> bool:
    """The one answer to "was this page read?", for a unit's or a column's recorded state."""
    return state == READ or state in READ_STATES


@dataclass(frozen=True)
class ColumnFacts:
    """One column (栏目) as observed in the latest crawl."""
    name: str
    url: str
    state: str                      # list | empty | unverifiable | not_list | unreachable
    newest_date: date | None = None
    newest_title: str | None = None
    newest_url: str | None = None
    item_count: int = 0
    date_source: str | None = None  # list | detail | last_modified | browser
    list_source: str | None = None  # how the list was read: static | browser | a data call's kind (json_api…)
    http_status: int | None = None
    error: str | None = None
    meta_name: str | None = None    # the page's own ColumnName meta
    report_years: frozenset[int] = frozenset()  # years of the annual reports among its items

    @property
    def read(self) -> bool:
        """The column's page was read: its content may be judged (not unreachable, not unverifiable)."""
        return was_read(self.state)

    @property
    def unknown(self) -> bool:
        """Not read, and not known to be missing either: it may hold anything (fresh items too)."""
        return not self.read and self.http_status not in _GONE


@dataclass(frozen=True)
class LinkFacts:
    """A link checked on a unit's disclosure page."""
    url: str
    text: str
    http_status: int | None
    error: str | None = None
    checked: bool = True      # False: shown, but this crawl did not check it (neither dead nor fine)

    @property
    def broken(self) -> bool:
        return self.checked and (self.error is not None or self.http_status is None or self.http_status >= 400)


@dataclass(frozen=True)
class ReportPage:
    """An annual report's detail page as fetched: its year (from the list title), address, raw HTML."""
    year: int | None
    url: str
    title: str
    html: str


@dataclass(frozen=True)
class UnitFacts:
    """Everything one crawl recorded about one unit."""
    name: str
    kind: str                       # department | town | government
    url: str
    crawled_at: str | None          # ISO timestamp of the fetch; None when never crawled
    reachable: bool
    http_status: int | None = None
    error: str | None = None
    columns: tuple[ColumnFacts, ...] = ()
    links: tuple[LinkFacts, ...] = ()
    guide_text: str | None = None   # None: no guide page was found
    guide_url: str | None = None
    homepage_newest: date | None = None  # newest dated item on the disclosure page itself
    blocked: bool = False           # an anti-bot challenge answered instead of the page
    probes_total: int = 0           # availability probes in the judged window
    probes_failed: int = 0
    reports: tuple[ReportPage, ...] = ()  # newest year first (the spider fetches the newest two)
    extra: dict = field(default_factory=dict)
    state: str | None = None        # see READ…NOT_CHECKED; None in databases older than the field
    complete: bool = True           # False: the crawl's deadline cut the walk of this unit short

    @property
    def page_state(self) -> str:
        """The disclosure page's state (older databases recorded only reachable/blocked)."""
        if self.state:
            return self.state
        return BLOCKED if self.blocked else READ if self.reachable else UNREACHABLE

    @property
    def read(self) -> bool:
        """The disclosure page was read: findings about its content may be made."""
        return was_read(self.page_state)

    @property
    def all_columns_read(self) -> bool:
        """Every column was read (or is known to be gone), and the walk was not cut short."""
        return self.complete and not any(c.unknown for c in self.columns)


# ---- from the store's rows ------------------------------------------------------------------

def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def run_facts(store: "Store", run: dict, as_of: date | None = None) -> list[UnitFacts]:
    """One UnitFacts per unit checked in a finished run; probes counted for the week ending as_of."""
    rid = run["id"]
    years: dict[int, set[int]] = {}
    for item in store.run_items(rid):
        if item["report_year"]:
            years.setdefault(item["column"], set()).add(item["report_year"])
    columns: dict[int, list[ColumnFacts]] = {}
    for row in store.run_columns(rid):
        columns.setdefault(row["unit"], []).append(ColumnFacts(
            name=row["name"], url=row["url"], state=row["state"],
            newest_date=_date(row["newest_date"]), newest_title=row["newest_title"],
            newest_url=row["newest_url"], item_count=row["item_count"] or 0,
            date_source=row["date_source"], list_source=row.get("list_source"),
            http_status=row["http_status"], error=row["error"],
            meta_name=row["meta_name"], report_years=frozenset(years.get(row["column_id"], ()))))
    links: dict[int, list[LinkFacts]] = {}
    for row in store.run_links(rid):
        links.setdefault(row["unit"], []).append(
            LinkFacts(url=row["url"], text=row["text"] or "", http_status=row["http_status"], error=row["error"],
                      checked=row.get("checked") != 0))
    guides: dict[int, dict] = {}
    for row in store.run_pages(rid, "guide"):
        guides.setdefault(row["unit"], row)
    # Annual report pages: `text` holds the raw HTML, `title` the list title with its year.
    reports: dict[int, list[ReportPage]] = {}
    for row in store.run_pages(rid, "report"):
        reports.setdefault(row["unit"], []).append(ReportPage(
            year=row["year"], url=row["url"], title=row["title"] or "", html=row["text"] or ""))
    facts = []
    for u in store.run_units(rid):
        guide = guides.get(u["id"])
        facts.append(UnitFacts(
            name=u["name"], kind=u["kind"], url=u["url"], crawled_at=u["fetched_at"],
            reachable=bool(u["reachable"]), http_status=u["http_status"], error=u["error"],
            columns=tuple(columns.get(u["id"], ())), links=tuple(links.get(u["id"], ())),
            guide_text=guide["text"] if guide else None, guide_url=guide["url"] if guide else None,
            homepage_newest=_date(u["newest_date"]), blocked=bool(u["blocked"]),
            state=u["state"], complete=u["complete"] != 0,
            **store.probe_counts(u["id"], as_of),
            reports=tuple(sorted(reports.get(u["id"], ()), key=lambda p: p.year or 0, reverse=True))))
    return facts


def latest_facts(store: "Store", as_of: date) -> tuple[dict | None, list[UnitFacts]]:
    """The newest finished crawl on or before as_of and its facts; (None, []) when there is none."""
    run = store.latest_run("crawl", as_of)
    return (run, run_facts(store, run, as_of)) if run else (None, [])
