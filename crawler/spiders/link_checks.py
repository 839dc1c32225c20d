"""The spider's dead-link checks of a disclosure page's own links.

A link shown by several units (a portal's header and footer) is checked once per crawl and
its result shared; checks go in batches per host when Scrapy would add nothing per request
(crawler/batches.py). A link whose check says nothing about it (a challenge answered, a
redirect off the site, past `max_links_checked`) is recorded not checked: neither dead nor fine.
"""
from __future__ import annotations

from typing import Any, Iterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import batches
from crawler.bundle import bundled
from crawler.extract.readable import UNREACHABLE
from crawler.failures import describe_failure

# Link-check results kept for other units of the same crawl (a county's shared header and
# footer links); bounded, so memory stays flat on 100,000-page crawls.
MAX_LINK_RESULTS = 4096


class LinkCheckSteps:
    """Mixed into DisclosureSpider: it provides _request, _answered, scopes, pending and the
    link_results / links_waiting / to_check state."""

    def _link_checks(self, unit: str, links: list, columns: set[str], page_url: str,
                     page_status: int) -> Iterator[Any]:
        """Dead-link check of the disclosure page's own links (columns are checked as columns)."""
        scope = self.scopes[unit]
        checked = 0
        for link in links:
            if link.url in columns or not scope.allows(link.url):
                continue
            checked += 1
            if checked > self.max_links_checked:
                yield from self._not_checked(unit, link.url, link.text, checked)
            elif link.url == page_url:
                # A link to the page itself (breadcrumb, menu): it just answered.
                yield self._link_item(unit, link.url, link.text, page_status, None)
            else:
                yield from self._link_check(unit, link.url, link.text)
        yield from self._check_requests(unit)

    def _link_check(self, unit: str, url: str, text: str) -> Iterator[Any]:
        """Check a link once per crawl for all units that show it (a county portal's header and
        footer links appear on every unit's page): a result is shared, a check in flight waited for,
        a new check left for `_check_requests`. Units share only within the same scope, so a
        redirect is judged as for each of them."""
        origins = self.scopes[unit].origins
        known = self.link_results.get(url)
        if known is not None and known[0] == origins:
            if known[1] is None:      # not checked (a challenge answered): not dead, not fixed
                yield self._link_item(unit, url, text, None, None, checked=False)
            else:
                yield self._link_item(unit, known[1][0], text, known[1][1], known[1][2])
            return
        waiting = self.links_waiting.get(url)
        if waiting is not None and waiting[0] == origins:
            waiting[1].append((unit, text))
            self.pending[unit] += 1   # answered with the check in flight (a deadline counts it)
            return
        if waiting is None:
            self.links_waiting[url] = (origins, [(unit, text)])
        self.to_check.setdefault(unit, []).append((url, text))   # sent by _check_requests

    def _check_requests(self, unit: str) -> Iterator[scrapy.Request]:
        """The checks `_link_check` left to make for `unit`: in batches (crawler/batches.py) when
        Scrapy would add nothing per request, else one HEAD request each."""
        todo = self.to_check.pop(unit, [])
        if not self._batching():
            for url, text in todo:
                yield self._request(unit, url, self.link_checked, self.link_failed, method="HEAD",
                                    link_text=text, link_url=url)
            return
        for batch in batches.batches(todo, self.settings.getint("GOVFRESH_LINK_BATCH")):
            yield self._request(unit, batch[0][0], self.links_checked, self.links_failed, method="HEAD",
                                **{batches.BATCH: batch})

    def _batching(self) -> bool:
        settings = getattr(self, "settings", None)
        return settings is not None and settings.getint("GOVFRESH_LINK_BATCH") > 0 \
            and not settings.getbool("ROBOTSTXT_OBEY") and not settings.getfloat("DOWNLOAD_DELAY") \
            and not settings.getbool("AUTOTHROTTLE_ENABLED")

    @staticmethod
    def _link_item(unit: str, url: str, text: str, status: int | None, error: str | None,
                   checked: bool = True) -> dict:
        return {"type": "link", "unit": unit, "url": url, "text": text, "http_status": status, "error": error,
                "checked": checked}

    def _not_checked(self, unit: str, url: str, text: str, nth: int) -> Iterator[dict]:
        """A link shown but left unchecked (past max_links_checked): recorded as such, so a dead
        link it showed before is neither dead nor fixed this week. Bounded like the checks."""
        if nth <= 2 * self.max_links_checked:
            yield self._link_item(unit, url, text, None, None, checked=False)

    def _link_done(self, meta: dict, outcome: tuple | None) -> Iterator[dict]:
        """One check's outcome ((url, status, error), or None: nothing to record), for the unit
        that asked and every unit that waited for it."""
        origins = self.scopes[meta["unit"]].origins
        key = meta.get("link_url")
        units = [(meta["unit"], meta["link_text"])]
        waiting = self.links_waiting.get(key)
        if waiting is not None and waiting[0] == origins:
            del self.links_waiting[key]
            units = waiting[1]
            for unit, _ in units[1:]:
                self.pending[unit] -= 1
        self.link_results[key] = (origins, outcome)
        if len(self.link_results) > MAX_LINK_RESULTS:   # bounded: the oldest results go first
            self.link_results.popitem(last=False)
        for unit, text in units:
            if outcome is None:       # not checked (a challenge answered): not dead, not fixed
                yield self._link_item(unit, key, text, None, None, checked=False)
            else:
                yield self._link_item(unit, outcome[0], text, outcome[1], outcome[2])

    def link_checked(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        self._answered(meta)
        # Some servers refuse HEAD; ask again with GET before calling the link dead.
        if response.request.method == "HEAD" and response.status in (405, 501, 403):
            self.pending[meta["unit"]] += 1
            yield response.request.replace(method="GET")
            return
        if response.status == 412:
            # An anti-bot challenge says nothing about the link: not checked, not dead.
            yield from self._link_done(meta, None)
            return
        yield from self._link_done(meta, (response.request.url, response.status, None))

    def links_checked(self, response: Response) -> Iterator[dict]:
        """A batch's checks (crawler/batches.py), each judged as `link_checked`/`link_failed` would."""
        self._answered(response.meta)
        yield from self._link_outcomes(response.meta)

    def _link_outcomes(self, meta: dict) -> Iterator[dict]:
        """The outcomes of the checks a batch carried (its own, or riding with a batch of asks)."""
        def outcomes() -> Iterator[dict]:
            for (url, text), (final_url, status, error) in zip(meta[batches.BATCH], meta.get(batches.OUTCOMES, [])):
                one = {"unit": meta["unit"], "link_url": url, "link_text": text}
                if error is not None:
                    yield from self._link_error(one, final_url, Failure(error))
                elif status == 412:
                    yield from self._link_done(one, None)
                else:
                    yield from self._link_done(one, (final_url, status, None))
        yield from bundled(outcomes())   # one item for the batch's links (crawler/bundle.py)

    def links_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        self._answered(meta)
        for url, text in meta[batches.BATCH]:
            yield from self._link_error({"unit": meta["unit"], "link_url": url, "link_text": text},
                                        url, failure)

    def link_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        self._answered(meta)
        yield from self._link_error(meta, failure.request.url, failure)

    def _link_error(self, meta: dict, url: str, failure: Failure) -> Iterator[dict]:
        verdict = describe_failure(failure)
        if verdict.state != UNREACHABLE:
            # Redirected off the site, too big…: the link works, it was just not followed.
            yield from self._link_done(meta, None)
            return
        yield from self._link_done(meta, (url, None, verdict.reason))
