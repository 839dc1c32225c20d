"""The spider's browser steps: a page the static path could not read is asked again, rendered.

Two kinds of page go to the browser (crawler/browser.py), and nothing else:
* a column list its script fills that no data call could read (spiders/script_lists.py);
* an anti-bot challenge (extract/readable.py says blocked): the challenge's own script sets its
  cookie and reloads, as in a visitor's browser. The cookies it set are handed to the plain
  crawl (Scrapy's cookie jar), so the unit's other pages are read statically again.

The rendered response goes back to the same callback, with its final status, and through the
same extractors; what it still cannot show stays blocked or unverifiable.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.browser import rendered_outcome, render_meta
from crawler.request import Request


class RenderSteps:
    """Mixed into DisclosureSpider: the browser as the fallback of the static path."""

    browser: bool = False            # set by the spider: crawl.browser and Chromium present
    browser_timeout: float = 30.0

    def _can_render(self, meta: dict) -> bool:
        return self.browser and not meta.get("rendered")

    def _render_request(self, request: scrapy.Request, callback: Callable, *, facts: dict | None = None,
                        listed: tuple | None = None) -> scrapy.Request:
        """`request` again, in the browser (no validators: a rendered page is read in full).

        What the static path saw is kept for when the browser fails too (a crash, a page that
        never stops reloading, its time limit): ``facts``, the item it would have recorded, or
        ``listed``, the arguments of the list it read (url, page, status, last_modified). Plain
        data, never a closure: a request may be queued elsewhere (a distributed crawl).
        """
        meta = {k: v for k, v in request.meta.items() if not k.startswith(("download_", "playwright", "_"))
                and k not in ("depth", "retry_times", "redirect_times", "redirect_urls", "redirect_reasons")}
        self.pending[meta["unit"]] += 1
        self.crawler.stats.inc_value("govfresh/browser/pages")
        return Request(request.url, callback=callback, errback=self.render_failed, dont_filter=True,
                       meta={**meta, **render_meta(self.browser_timeout),
                             "static_facts": facts, "static_listed": listed})

    def render_failed(self, failure: Failure) -> Iterator[Any]:
        """The browser could not show the page either: the static path's facts stand."""
        meta = failure.request.meta
        self._answered(meta)
        self.crawler.stats.inc_value("govfresh/browser/failed")
        if meta.get("static_facts") is not None:
            yield meta["static_facts"]
        elif meta.get("static_listed") is not None:
            plain = {k: v for k, v in meta.items() if k != "rendered"}
            yield from self._listed(plain, *meta["static_listed"])

    def _as_rendered(self, response: Response) -> Response:
        """A rendered response with the final document's status; its cookies go to the plain crawl."""
        if not response.meta.get("rendered"):
            return response
        outcome = rendered_outcome(response.meta)
        cookies = outcome.get("cookies") or []
        if cookies:
            self.passed_cookies[response.meta["unit"]] = {c["name"]: c["value"] for c in cookies}
        status = outcome.get("status") or response.status
        return response.replace(status=status) if status != response.status else response

    def _with_cookies(self, unit: str) -> dict[str, Any]:
        """Cookie arguments for a unit's plain requests: those a passed challenge set.

        On every request of the unit, not only the next: requests already waiting are sent in
        any order, and one sent before the cookie reached Scrapy's jar would meet the challenge again.
        """
        cookies = self.passed_cookies.get(unit)
        return {"cookies": cookies} if cookies else {}
