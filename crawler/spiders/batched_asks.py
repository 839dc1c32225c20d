"""The spider's re-crawl asks in batches: whether the pages an unchanged page leads to changed.

Their conditional GETs go as one Scrapy request per host (crawler/batches.py); a page that
answers 304 goes to its callback as a 304 would, any other answer is asked again by its own
request, so a batch never decides a fact.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import batches
from crawler.bundle import bundled


class BatchedAskSteps:
    """Mixed into DisclosureSpider: it provides _request, _answered and settings."""

    def _asked_in_batches(self, unit: str, outputs: Iterable[Any]) -> Iterator[Any]:
        """`outputs` of an unchanged page's walk, its conditional requests (columns, guide, reports
        the last crawl reached) asked in batches per host (crawler/batches.py), its facts in one
        item (crawler/bundle.py); the rest as they are."""
        if not self._batching():
            yield from bundled(outputs)
            return
        asks: list[scrapy.Request] = []
        for out in bundled(outputs):
            if isinstance(out, scrapy.Request) and out.method == "GET" and not out.body \
                    and not out.meta.get("ask_alone") \
                    and (b"If-None-Match" in out.headers or b"If-Modified-Since" in out.headers):
                asks.append(out)
            else:
                yield out
        for group in batches.batches(((r.url, r) for r in asks), self.settings.getint("GOVFRESH_LINK_BATCH")):
            if len(group) == 1:
                yield group[0][1]   # alone, a batch saves nothing
                continue
            yield self._request(unit, group[0][0], self.asked, self.asks_failed, **{
                batches.ASKS: [(r.url, {k: v for k, v in r.headers.items()
                                        if k in (b"If-None-Match", b"If-Modified-Since")}) for _, r in group],
                "asked": [self._plain(r) for _, r in group]})

    def _plain(self, request: scrapy.Request) -> dict:
        """What rebuilds one of the spider's own GETs, callbacks by name: a batch may be queued on
        another machine. (Scrapy's to_dict looks the callback up among all the spider's members.)"""
        return {"url": request.url, "callback": request.callback.__name__,
                "errback": request.errback.__name__ if request.errback else None,
                "headers": dict(request.headers), "cookies": request.cookies, "meta": request.meta}

    def _rebuilt(self, plain: dict) -> scrapy.Request:
        return scrapy.Request(plain["url"], callback=getattr(self, plain["callback"]),
                              errback=getattr(self, plain["errback"]) if plain["errback"] else None,
                              headers=plain["headers"], cookies=plain["cookies"], meta=plain["meta"],
                              dont_filter=True)

    def asked(self, response: Response) -> Iterator[Any]:
        """A batch of conditional requests answered: a page that answered 304 goes to its callback as
        a 304 would; any other is asked for by its own request."""
        meta = response.meta
        self._answered(meta)
        unchanged = meta.get(batches.UNCHANGED, [])

        def outputs() -> Iterator[Any]:
            for i, plain in enumerate(meta["asked"]):
                request = self._rebuilt(plain)
                if i < len(unchanged) and unchanged[i]:
                    yield from request.callback(Response(request.url, status=304, request=request)) or ()
                else:
                    request.meta["ask_alone"] = True   # never batched again: it answers for itself
                    yield request
        yield from self._asked_in_batches(meta["unit"], outputs())

    def asks_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        meta = failure.request.meta
        self._answered(meta)
        for plain in meta["asked"]:
            request = self._rebuilt(plain)
            request.meta["ask_alone"] = True
            yield request
