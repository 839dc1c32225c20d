"""The spider's page requests in batches: one Scrapy request per unit and host for many GETs.

A walk's GETs (columns, list pages, articles, guides, reports; conditional on a re-crawl)
go as batches (crawler/batches.py). A page that answers 304 goes to its callback as a 304
would; a page read in the batch goes to its callback with its Response, as the engine would
have handed it over; any other page is asked for again by its own request, so a batch never
decides a fact.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable, Iterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import batches
from crawler.bundle import bundled
from crawler.previous import UNITS_AT_ONCE
from crawler.request import Request
from crawler.scope import host


LOG = logging.getLogger(__name__)
_VALIDATORS = (b"If-None-Match", b"If-Modified-Since")


def _batchable(out: Any) -> bool:
    """A GET that a batch may ask: no body, no header of its own but validators, not for the
    browser, not one asked alone (it answers for itself)."""
    return isinstance(out, scrapy.Request) and out.method == "GET" and not out.body \
        and out.callback is not None and not out.meta.get("ask_alone") and not out.meta.get("playwright") \
        and all(k in _VALIDATORS for k in out.headers)


def _is_ask(out: Any) -> bool:
    """A conditional GET that a batch may ask."""
    return _batchable(out) and any(k in out.headers for k in _VALIDATORS)


def _asks(requests: Iterable[scrapy.Request]) -> list[tuple[str, dict]]:
    """A batch's ASKS (crawler/batches.py): each page's URL and the validators it carries."""
    return [(r.url, {k: v for k, v in r.headers.items() if k in _VALIDATORS}) for r in requests]


def plain(request: scrapy.Request) -> dict:
    """What rebuilds one of the spider's own GETs, callbacks by name (Scrapy's to_dict looks the
    callback up among all the spider's members)."""
    return {"url": request.url, "callback": request.callback.__name__,
            "errback": request.errback.__name__ if request.errback else None,
            "headers": dict(request.headers), "cookies": request.cookies, "meta": request.meta}


class Pages(list):
    """The requests a batch carries. In one process, the requests themselves; pickled (a
    distributed crawl queues a batch in Redis, and another machine may answer it), their plain
    form, rebuilt there by the spider (`_request_of`)."""

    def __reduce__(self) -> tuple:
        return list, ([plain(r) if isinstance(r, scrapy.Request) else r for r in self],)


class BatchedAskSteps:
    """Mixed into DisclosureSpider: it provides _request, _answered, previous, scopes and settings."""

    def _asked_in_batches(self, unit: str, outputs: Iterable[Any]) -> Iterator[Any]:
        """`outputs` of a page's walk, its GETs (columns, guide, reports, articles; conditional when
        the last crawl reached them) asked in batches per host (crawler/batches.py), its facts in
        one item (crawler/bundle.py); the rest as they are. A batch of link checks on a host the
        pages are asked on rides in the same request: one pass through the engine, not two."""
        if not self._batching():
            yield from bundled(outputs)
            return
        asks: list[scrapy.Request] = []
        checks: dict[str, scrapy.Request] = {}
        for out in bundled(outputs):
            if _batchable(out):
                asks.append(out)
            elif self._rides(out, unit) and host(out.url) not in checks:
                checks[host(out.url)] = out
            else:
                yield out
        size = self.settings.getint("GOVFRESH_LINK_BATCH")
        for group in batches.batches(((r.url, r) for r in asks), size):
            ahead = self._asks_ahead(unit, [r for _, r in group], size)
            check = checks.pop(host(group[0][0]), None)
            if len(group) == 1 and not ahead and check is None:
                yield group[0][1]   # alone, a batch saves nothing
                continue
            carried = {}
            if check is not None:
                self._answered(check.meta)   # its checks are this request's now
                carried = {batches.BATCH: check.meta[batches.BATCH]}
            yield self._request(unit, group[0][0], self.asked, self.asks_failed, **{
                batches.ASKS: _asks(r for _, r in group) + ahead,
                "asked": Pages(r for _, r in group), **carried})
        yield from checks.values()

    def _rides(self, out: Any, unit: str) -> bool:
        """A batch of the unit's link checks (crawler/spiders/link_checks.py)."""
        return isinstance(out, scrapy.Request) and batches.BATCH in out.meta \
            and out.callback == self.links_checked and out.meta.get("unit") == unit

    def _asks_ahead(self, unit: str, group: list[scrapy.Request], size: int) -> list[tuple[str, dict]]:
        """Pages on the group's host that the group's columns led to last time (sub-columns, the
        guide, reports), with their validators: asked in the same batch, their answers are known
        when a column answers 304 and its walk asks for them (`asked`), one batch sooner.
        At most `size` of them; an answer not used (the column changed) is simply not read."""
        group_host = host(group[0].url)
        seen = {r.url for r in group}
        frontier = [(r.url, r.meta.get("depth", 1)) for r in group if r.callback == self.parse_column]
        ahead: list[tuple[str, dict]] = []
        while frontier and len(ahead) < size:
            url, depth = frontier.pop(0)
            columns, pages = self.previous.found_on(unit, url)
            below = [(c["url"], depth + 1) for c in columns] if depth < self.max_column_depth else []
            for child, child_depth in below + [(p["url"], None) for p in pages if p["url"] != url]:
                if child in seen or host(child) != group_host or not self.scopes[unit].allows(child):
                    continue
                validators = self.previous.validators(unit, child)
                if validators and len(ahead) < size:
                    seen.add(child)
                    ahead.append((child, validators))
                    if child_depth is not None:
                        frontier.append((child, child_depth))
        return ahead

    def _request_of(self, page: scrapy.Request | dict) -> scrapy.Request:
        """A page a batch carried: its request, or rebuilt from its plain form (`Pages`)."""
        if isinstance(page, scrapy.Request):
            return page
        return Request(page["url"], callback=getattr(self, page["callback"]),
                       errback=getattr(self, page["errback"]) if page["errback"] else None,
                       headers=page["headers"], cookies=page["cookies"], meta=page["meta"],
                       dont_filter=True)

    def asked(self, response: Response) -> Iterator[Any]:
        """A batch answered: a page that answered 304 goes to its callback as a 304 would, a page
        read goes to its callback with its Response; any other is asked for by its own request.
        Pages asked ahead (`_asks_ahead`) that the walk asks for again get the answer the batch
        had for them."""
        meta = response.meta
        self._answered(meta)
        unchanged, read = meta.get(batches.UNCHANGED, []), meta.get(batches.READ, {})
        n = len(meta["asked"])
        known = {url: read.get(n + k, answer)
                 for k, ((url, _), answer) in enumerate(zip(meta[batches.ASKS][n:], unchanged[n:]))}

        def outputs() -> Iterator[Any]:
            for request, output in self._answers(meta):
                if output is None:
                    yield request
                else:
                    yield from self._known(self._own(request, output), known)
            if batches.BATCH in meta:
                yield from self._link_outcomes(meta)
        yield from self._asked_in_batches(meta["unit"], outputs())

    def _answers(self, meta: dict) -> Iterator[tuple[scrapy.Request, Iterable[Any] | None]]:
        """Per page a batch asked for: its request, and its callback's output when the batch
        answered it (a 304, a page read), or None: the request is then one asked alone."""
        unchanged = meta.get(batches.UNCHANGED, [])
        read, retried = meta.get(batches.READ, {}), meta.get(batches.RETRIED, {})
        for i, page in enumerate(meta["asked"]):
            request = self._request_of(page)
            if i < len(unchanged) and unchanged[i]:
                yield request, request.callback(Response(request.url, status=304, request=request)) or ()
            elif i in read:
                yield request, self._read(request, read[i])
            else:
                request.meta["ask_alone"] = True   # never batched again: it answers for itself
                if i in retried:
                    request.meta["retry_times"] = retried[i]   # the batch's try counts
                yield request, None

    # ---- the units' disclosure pages, several units per batch --------------------

    def _disclosure_batches(self, requests: Iterable[scrapy.Request], window: int = UNITS_AT_ONCE) -> Iterator[scrapy.Request]:
        """The units' first requests (their disclosure pages), in batches per host across units:
        a county's units often share one host. Taken `window` units at a time, so a province's
        units are not all held at once."""
        if not self._batching():
            yield from requests
            return
        size = self.settings.getint("GOVFRESH_LINK_BATCH")
        requests = iter(requests)
        while chunk := [r for _, r in zip(range(window), requests)]:
            for group in batches.batches(((r.url, r) for r in chunk), size):
                if len(group) == 1:
                    yield group[0][1]
                    continue
                yield Request(group[0][0], callback=self.units_asked, errback=self.units_asks_failed,
                              dont_filter=True, meta={
                                  "scope": self.any_scope, "asked": Pages(r for _, r in group),
                                  batches.ASKS: _asks(r for _, r in group)})

    def units_asked(self, response: Response) -> Iterator[Any]:
        """A batch of disclosure pages answered: each unit's answer to its callback, each unit
        settled once its output is out (the batch itself belongs to no unit)."""
        for request, output in self._answers(response.meta):
            if output is None:
                yield request
            else:
                yield from self._own(request, output)
                self.settle(request.meta["unit"])

    @staticmethod
    def _own(request: scrapy.Request, output: Iterable[Any]) -> Iterator[Any]:
        """One page's callback output: a callback that fails ends its own page's output only, as
        it would have answering its own request, never the other pages (units) of the batch."""
        try:
            yield from output
        except Exception:
            LOG.error("Spider error processing %s (in a batch)", request.url, exc_info=True)

    def units_asks_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        yield from self._alone(failure.request.meta)

    @staticmethod
    def _read(request: scrapy.Request, response: Response) -> Iterable[Any]:
        """The callback's output for a page the batch read: its Response, answering `request`."""
        response.request = request
        return request.callback(response) or ()

    def _known(self, outputs: Iterable[Any], known: dict[str, bool | Response]) -> Iterator[Any]:
        """`outputs`, with the asks whose answer a batch already has answered: a 304 or a page read
        goes to its callback at once, any other answer makes the page one asked alone."""
        for out in outputs:
            if _is_ask(out) and out.url in known:
                answer = known.pop(out.url)
                if answer is True:
                    yield from self._known(self._own(out, out.callback(Response(out.url, status=304, request=out))
                                                     or ()), known)
                    continue
                if isinstance(answer, Response):
                    yield from self._known(self._own(out, self._read(out, answer)), known)
                    continue
                out.meta["ask_alone"] = True
            yield out

    def asks_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        meta = failure.request.meta
        self._answered(meta)
        yield from self._alone(meta)
        if batches.BATCH in meta:   # the link checks it carried, in their own batch as before
            yield self._request(meta["unit"], meta[batches.BATCH][0][0], self.links_checked, self.links_failed,
                                method="HEAD", **{batches.BATCH: meta[batches.BATCH]})

    def _alone(self, meta: dict) -> Iterator[scrapy.Request]:
        """Every page of a batch that failed as a whole, each asked for by its own request."""
        for page in meta["asked"]:
            request = self._request_of(page)
            request.meta["ask_alone"] = True
            yield request
