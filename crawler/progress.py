"""A progress bar for crawls run in a terminal; under cron the crawl stays quiet.

A Scrapy extension: it listens to the engine's signals and never touches the
spider, so the crawl is the same with or without it.
"""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from scrapy import signals
from scrapy.exceptions import NotConfigured


class CrawlProgress:
    def __init__(self, total_units: int):
        self.progress = Progress(TextColumn("[bold]抓取[/bold] {task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("页面 {task.fields[pages]}"),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.task = self.progress.add_task("单位", total=total_units, pages=0)
        self.pages = 0

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("GOVFRESH_PROGRESS"):
            raise NotConfigured
        ext = cls(len(crawler.settings.getlist("GOVFRESH_UNITS")))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item, signal=signals.item_scraped)
        crawler.signals.connect(ext.response, signal=signals.response_received)
        return ext

    def opened(self, spider=None):
        self.progress.start()

    def closed(self, spider=None, reason=None):
        self.progress.stop()

    def item(self, item, response=None, spider=None):
        if item.get("type") == "unit":  # one per unit, when its disclosure page is done
            self.progress.advance(self.task)

    def response(self, response, request=None, spider=None):
        self.pages += 1
        self.progress.update(self.task, pages=self.pages)
