"""Scrapy's per-response and per-item DEBUG messages, made only when they would be shown.

Scrapy builds a log record for every response ("Crawled (200) …") and every item
("Scraped from …") and leaves it to the handler to drop at LOG_LEVEL: two records per
page on a 100,000-page crawl that nobody sees. Below DEBUG they are not made at all.
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    def __init__(self, shown: bool = False):
        self.shown = shown

    @classmethod
    def from_crawler(cls, crawler: Any) -> "QuietLogFormatter":
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        level = logging.getLevelName(level) if isinstance(level, str) else level
        return cls(shown=isinstance(level, int) and level <= logging.DEBUG)

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.shown else None

    def scraped(self, item, response, spider):
        return super().scraped(item, response, spider) if self.shown else None
