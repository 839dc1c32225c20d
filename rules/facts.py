"""What the crawler saw, as plain values the rules judge. No I/O here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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
    date_source: str | None = None  # list | detail | last_modified
    http_status: int | None = None
    error: str | None = None
    meta_name: str | None = None    # the page's own ColumnName meta
    item_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkFacts:
    """A link checked on a unit's disclosure page."""
    url: str
    text: str
    http_status: int | None
    error: str | None = None

    @property
    def broken(self) -> bool:
        return self.error is not None or self.http_status is None or self.http_status >= 400


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
