"""Downloader middlewares: the guard that keeps the crawl on the configured hosts."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest


class UnitHostsMiddleware:
    """Drop any request (redirects included) off its unit's hosts or off http(s).

    Crawled pages are untrusted: a link or a redirect must never take the
    crawler to another host, an intranet address or a file:// URL.
    """

    def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise IgnoreRequest(f"不支持的协议 {parts.scheme}")
        allowed = request.meta.get("allowed_hosts")
        if allowed is not None and parts.hostname not in allowed:
            raise IgnoreRequest(f"{parts.hostname} 不在该单位的站点范围内")
        return None
