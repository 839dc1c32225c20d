"""A progress bar for crawls run in a terminal; under cron the crawl stays quiet.

A Scrapy extension: it listens to the engine's signals and never touches the spider, so
the crawl is the same with or without it. It counts pages (every request that left the
downloader: fetched, 304, failed; a batch as the pages it carries) against the pages known
so far, and estimates the pages of the units not yet opened from the units already opened,
so the bar and the remaining time move with the pages, not only when a unit's disclosure
page is done:

    抓取 单位 12/23 ━━━━━━━━━━╸━━━━━━━━━ 页面 340/652 排队 31 0:00:12 剩余 0:00:11
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import batches
from crawler.bundle import facts_of

if TYPE_CHECKING:
    from rich.console import Console


def pages_in(request) -> int:
    """The pages a request asks for: a batch's pages and links (crawler/batches.py), or its own."""
    meta = request.meta if request is not None else {}
    return len(meta.get(batches.ASKS) or ()) + len(meta.get(batches.BATCH) or ()) or 1


class PageEstimate:
    """Pages done and queued, and the whole crawl's pages estimated from the units opened."""

    def __init__(self, total_units: int):
        self.total_units = total_units
        self.units_opened = 0
        self.scheduled = 0
        self.done = 0

    @property
    def queued(self) -> int:
        return max(0, self.scheduled - self.done)

    @property
    def expected_total(self) -> int:
        """Pages known so far, plus the units not yet opened at the opened units' average."""
        if not self.units_opened:
            return max(self.scheduled, self.total_units)
        per_unit = self.scheduled / self.units_opened
        return max(self.scheduled, round(self.scheduled + (self.total_units - self.units_opened) * per_unit))


class CrawlProgress:
    def __init__(self, total_units: int, console: Console | None = None):
        # rich is imported only where a bar is shown (a terminal): cron's crawls skip its ~25 ms.
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.estimate = PageEstimate(total_units)
        self.progress = Progress(TextColumn("[bold]抓取[/bold] 单位 {task.fields[units]}/{task.fields[total_units]}"),
                                 BarColumn(), TextColumn("页面 {task.completed:.0f}/{task.total:.0f}"),
                                 TextColumn("排队 {task.fields[queued]}"), TimeElapsedColumn(),
                                 TextColumn("剩余"), TimeRemainingColumn(),
                                 console=console or Console(stderr=True), transient=False)
        self.task = self.progress.add_task("页面", total=total_units, units=0, total_units=total_units, queued=0)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GOVFRESH_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.settings.getint("GOVFRESH_UNIT_COUNT"))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        crawler.signals.connect(ext.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(ext.left, signal=signals.request_left_downloader)
        return ext

    def opened(self, spider=None):
        self.progress.start()

    def closed(self, spider=None, reason=None):
        # Requests dropped before the downloader (off the unit's hosts) never "leave" it: at the
        # end, what was done is the whole.
        self.estimate.scheduled = self.estimate.done
        self.estimate.total_units = self.estimate.units_opened
        self._show()
        self.progress.stop()

    def item(self, item, response=None, spider=None):
        # one per unit, when its disclosure page is done
        opened = sum(fact.get("type") in ("unit", "unit_unchanged") for fact in facts_of(item))
        if opened:
            self.estimate.units_opened += opened
            self._show()

    def scheduled(self, request=None, spider=None):
        self.estimate.scheduled += pages_in(request)
        self._show()

    def left(self, request=None, spider=None):
        self.estimate.done += pages_in(request)
        self._show()

    def _show(self) -> None:
        e = self.estimate
        self.progress.update(self.task, completed=e.done, total=e.expected_total, units=e.units_opened,
                             queued=e.queued)
