"""Downloader middlewares: the scope guard, and text decoding that cannot fail."""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse

from crawler.extract.encoding import detect
from crawler.scope import why_not


class OutOfScope(IgnoreRequest):
    """A request (a redirect, a link) that leaves the unit's scope: not followed, and not an outage."""


class UnitScopeMiddleware:
    """Drop any request off its unit's scope (scheme + host + port) or off http(s).

    Every request passes here: the spider's own, each redirect (Scrapy schedules
    a redirect as a new request), robots.txt and link checks. A request that
    carries no unit (robots.txt) must stay within the scope of some unit.
    """

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        scope = request.meta.get("scope")
        if scope is None:
            spider = spider or getattr(self.crawler, "spider", None)
            scope = getattr(spider, "any_scope", None)
        reason = why_not(request.url, scope)
        if reason is not None:
            raise OutOfScope(reason)
        return None


class SafeEncodingMiddleware:
    """Give every text response an encoding that decodes (crawler/extract/encoding.py).

    Scrapy decodes a response itself when a middleware reads `response.text`
    (the meta-refresh redirect does), trusting the declared charset: a page
    declared `charset=rot13`, `base64` or `idna` made that raise, and the unit
    looked unreachable although it answered 200.
    """

    def process_response(self, request, response, spider=None):
        if isinstance(response, TextResponse):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            return response.replace(encoding=detect(response.body, content_type))
        return response
