"""Scrapy's per-page DEBUG messages are made only when LOG_LEVEL shows them."""
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.quietlog import QuietLogFormatter


def formatter(level):
    return QuietLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))


def test_no_per_page_messages_are_made_above_debug():
    request = Request("http://127.0.0.1/a")
    quiet = formatter("WARNING")
    assert quiet.crawled(request, Response(request.url, request=request), None) is None
    assert quiet.scraped({"type": "link"}, Response(request.url, request=request), None) is None


def test_at_debug_they_are_made_as_scrapy_makes_them():
    request = Request("http://127.0.0.1/a")
    loud = formatter("DEBUG")
    assert loud.crawled(request, Response(request.url, request=request), None)["args"]["status"] == 200
    assert loud.scraped({"type": "link"}, Response(request.url, request=request), None)["args"]["item"] == {"type": "link"}
