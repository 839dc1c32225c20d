"""The spider's re-crawl asks in batches: whether the pages an unchanged page leads to changed.

Their conditional GETs go as one Scrapy request per host (crawler/batches.py); a page that
answers 304 goes to its callback as a 304 would, any other answer is asked again by its own
request, so a batch never decides a fact.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import batches
from crawler.bundle import bundled


_VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


def _is_ask(out: Any) -> bool:
    """A conditional GET that a batch may ask (one asked alone answers for itself)."""
    return isinstance(out, scrapy.Request) and out.method == "GET" and not out.body \
        and not out.meta.get("ask_alone") and any(k in out.headers for k in _VALIDATORS)


class BatchedAskSteps:
    """Mixed into DisclosureSpider: it provides _request, _answered, previous, scopes and settings."""

    def _asked_in_batches(self, unit: str, outputs: Iterable[Any]) -> Iterator[Any]:
        """`outputs` of an unchanged page's walk, its conditional requests (columns, guide, reports
        the last crawl reached) asked in batches per host (crawler/batches.py), its facts in one
        item (crawler/bundle.py); the rest as they are."""
        if not self._batching():
            yield from bundled(outputs)
            return
        asks: list[scrapy.Request] = []
        for out in bundled(outputs):
            if _is_ask(out):
                asks.append(out)
            else:
                yield out
        size = self.settings.getint("GOVFRESH_LINK_BATCH")
        for group in batches.batches(((r.url, r) for r in asks), size):
            ahead = self._asks_ahead(unit, [r for _, r in group], size)
            if len(group) == 1 and not ahead:
                yield group[0][1]   # alone, a batch saves nothing
                continue
            yield self._request(unit, group[0][0], self.asked, self.asks_failed, **{
                batches.ASKS: [(r.url, {k: v for k, v in r.headers.items() if k in _VALIDATORS})
                               for _, r in group] + ahead,
                "asked": [self._plain(r) for _, r in group]})

    def _asks_ahead(self, unit: str, group: list[scrapy.Request], size: int) -> list[tuple[str, dict]]:
        """Pages on the group's host that the group's columns led to last time (sub-columns, the
        guide, reports), with their validators: asked in the same batch, their answers are known
        when a column answers 304 and its walk asks for them (`asked`), one batch sooner.
        At most `size` of them; an answer not used (the column changed) is simply not read."""
        host = urlsplit(group[0].url).hostname
        seen = {r.url for r in group}
        frontier = [(r.url, r.meta.get("depth", 1)) for r in group if r.callback == self.parse_column]
        ahead: list[tuple[str, dict]] = []
        while frontier and len(ahead) < size:
            url, depth = frontier.pop(0)
            columns, pages = self.previous.found_on(unit, url)
            below = [(c["url"], depth + 1) for c in columns] if depth < self.max_column_depth else []
            for child, child_depth in below + [(p["url"], None) for p in pages if p["url"] != url]:
                if child in seen or urlsplit(child).hostname != host or not self.scopes[unit].allows(child):
                    continue
                validators = self.previous.validators(unit, child)
                if validators and len(ahead) < size:
                    seen.add(child)
                    ahead.append((child, validators))
                    if child_depth is not None:
                        frontier.append((child, child_depth))
        return ahead

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
        a 304 would; any other is asked for by its own request. Pages asked ahead (`_asks_ahead`)
        that the walk asks for again get the answer the batch had for them."""
        meta = response.meta
        self._answered(meta)
        unchanged = meta.get(batches.UNCHANGED, [])
        n = len(meta["asked"])
        known = {url: answer for (url, _), answer in zip(meta[batches.ASKS][n:], unchanged[n:])}

        def outputs() -> Iterator[Any]:
            for i, plain in enumerate(meta["asked"]):
                request = self._rebuilt(plain)
                if i < len(unchanged) and unchanged[i]:
                    yield from self._known(request.callback(Response(request.url, status=304, request=request)) or (),
                                           known)
                else:
                    request.meta["ask_alone"] = True   # never batched again: it answers for itself
                    yield request
        yield from self._asked_in_batches(meta["unit"], outputs())

    def _known(self, outputs: Iterable[Any], known: dict[str, bool]) -> Iterator[Any]:
        """`outputs`, with the asks whose answer a batch already has answered: a 304 goes to its
        callback at once, any other answer makes the page one asked alone."""
        for out in outputs:
            if _is_ask(out) and out.url in known:
                if known.pop(out.url):
                    yield from self._known(out.callback(Response(out.url, status=304, request=out)) or (), known)
                    continue
                out.meta["ask_alone"] = True
            yield out

    def asks_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        meta = failure.request.meta
        self._answered(meta)
        for plain in meta["asked"]:
            request = self._rebuilt(plain)
            request.meta["ask_alone"] = True
            yield request
