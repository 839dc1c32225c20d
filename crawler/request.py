"""The crawl's Scrapy Request: the same request, made without re-quoting a URL already safe.

Every Request Scrapy makes runs its URL through w3lib's `safe_url_string` (~6 µs). The crawl's
URLs mostly come out of an earlier request or the store, already quoted, and a re-crawl makes a
Request for every page and link it asks (5-6% of a nothing-changed day went to re-quoting them).
A URL of the plain shape below is one `safe_url_string` hands back unchanged
(tests/crawler/test_request.py holds the two to the same answer); any other URL, and every
redirect's, goes through `safe_url_string` as before. Scrapy's `replace()` and its queues keep
the class, so a redirect or a retry of such a request takes the same path.
"""
from __future__ import annotations

import re

import scrapy
from scrapy.http import Headers

# http(s), a lower-case ASCII host, a port without leading zeros, then a path and a query of
# characters safe_url_string keeps as they are; no user info, no fragment, no quote mark.
_PLAIN = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::(?P<port>[1-9][0-9]{0,4}))?"
                    r"(?:/[A-Za-z0-9\-._~!$&()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]+)?)?")


class Request(scrapy.Request):
    """scrapy.Request, but a URL already safe is taken as it is."""

    def _set_url(self, url: str) -> None:
        plain = _PLAIN.fullmatch(url) if isinstance(url, str) and url.isascii() else None
        if plain and (plain["port"] is None or int(plain["port"]) <= 65535):
            self._url = url
        else:
            super()._set_url(url)


def copied(headers: Headers) -> Headers:
    """A copy of Scrapy Headers whose keys and values are already normalised, taken as they are
    (Headers.copy normalises every one of them again)."""
    copy = Headers(encoding=headers.encoding)
    dict.update(copy, {key: list(values) for key, values in dict.items(headers)})
    return copy
