"""Downloader middlewares: the scope guard, text decoding that cannot fail, redirects by page."""
from __future__ import annotations

from urllib.parse import urljoin

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, TextResponse
from w3lib.encoding import http_content_type_encoding, read_bom

from crawler.extract.encoding import detect
from crawler.extract.readable import page_redirect
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
            encoding = detect(response.body, content_type)
            if _read_as(response, content_type) == encoding:
                return response   # Scrapy reads it so already: a copy would change nothing
            return response.replace(encoding=encoding)
        return response


def _read_as(response: TextResponse, content_type: str) -> str | None:
    """The encoding Scrapy reads `response` with, when its BOM or its Content-Type decides it;
    None otherwise (Scrapy would then guess from the whole body: not worth asking)."""
    if read_bom(response.body)[0] is None and http_content_type_encoding(content_type) is None:
        return None
    return response.encoding


# Scrapy's meta refresh decodes the whole page (response.text) to look for a <meta> whose
# attributes say "refresh" in its first 4096 characters; most pages say it nowhere. In UTF-8
# and GB18030 an ASCII letter of the text is that byte of the body, and a character takes 1 to
# 4 bytes (after a BOM of 3): the bytes that hold those characters are enough to rule it out.
_ASCII_KEPT = frozenset({"utf-8", "gb18030"})
_REFRESH_BYTES = 3 + 4 * 4096


def _may_refresh(response) -> bool:
    """False when Scrapy's meta refresh cannot find a refresh on this page (it would return it as is)."""
    if not isinstance(response, HtmlResponse) or response.encoding not in _ASCII_KEPT:
        return True
    return b"refresh" in response.body[:_REFRESH_BYTES].lower()


class PageRedirectMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta refresh, and the other ways a page that shows nothing sends a visitor on:
    a script assigning a literal address (`location.href="xxgk/index.html"`), a lone frame.

    Followed as a redirect: the scope guard sees the new request (off the unit's site it is
    not followed, and the page is recorded unverifiable), REDIRECT_MAX_TIMES bounds loops.
    A page that points at itself, or anywhere not http(s), is left for readable.py to judge.
    """

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response) if _may_refresh(response) else response
        if result is not response or request.meta.get("dont_redirect") or request.method == "HEAD" \
                or request.meta.get("playwright") or response.status != 200 \
                or not isinstance(response, HtmlResponse):
            return result
        target = page_redirect(response.body)
        if target is None:
            return response
        url = urljoin(response.url, target)
        if url.split("#")[0] == response.url.split("#")[0]:
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if not redirected.url.startswith(("http://", "https://")):
            return response
        return self._redirect(redirected, request, "page redirect")


class UnitSettledMiddleware:
    """Tell the spider when a callback's whole output is out, so a finished unit's state can go.

    A spider middleware: its output has been produced in full (every request it made counted
    as pending) only once the iterable ends, not when the callback starts.
    """

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _settle(self, response) -> None:
        unit = response.meta.get("unit") if response is not None else None
        spider = getattr(self.crawler, "spider", None)
        if unit is not None and hasattr(spider, "settle"):
            spider.settle(unit)

    def process_spider_output(self, response, result, spider=None):
        yield from result
        self._settle(response)

    async def process_spider_output_async(self, response, result, spider=None):
        async for out in result:
            yield out
        self._settle(response)
