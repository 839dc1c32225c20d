"""Requests in batches: one Scrapy request carries many small ones of one unit on one host.

Through Scrapy's engine every request pays the whole per-request machinery (scheduler,
~15 middlewares, signals, a callback's output handling: ~2 ms of CPU), as much as a list
page. Two kinds of request need none of it, because their answer is a status code:

* a dead-link check (HEAD): `batches()` groups a unit's links by host, at most BATCH_SIZE
  per request (meta BATCH);
* on a re-crawl, asking whether a page changed (a conditional GET with the validators the
  last crawl kept): most pages of an unchanged week answer 304 (meta ASKS). A page that
  answers anything else — changed, moved, failed, refused — is then asked for by its own
  request, as if no batch had been (a changed page is fetched twice, the first answer
  unread: Scrapy's middlewares must see the one that is read): a batch only ever saves
  work, never decides a fact.

Scrapy schedules a batch, its middlewares (the scope guard, cookies, user agent, proxy,
timeout) and its per-host downloader slot handle it once, and the download handler below
makes the requests one after another with Scrapy's own HTTP handler (the same connection
pool, TLS settings, timeout and size limit). A batch holds one host's requests and runs
inside one of the host's slots, so a host never sees more than `concurrency_per_host`
requests at once. What the engine's middlewares did for a link check is kept here with the
same settings: redirects are followed (REDIRECT_MAX_TIMES) and every hop asks the unit's
scope first (crawler/scope.py: an off-scope hop is not followed, as OutOfScope says);
transient failures and RETRY_HTTP_CODES are tried again (RETRY_TIMES); a server that
refuses HEAD (405, 501, 403) is asked again with GET. The spider sends batches only when
Scrapy would add nothing per request: no robots.txt to obey, no delay between requests.
"""
from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.utils.misc import load_object
from w3lib.url import safe_url_string

from crawler.scope import why_not

BATCH = "link_batch"          # request meta: [(url, text), ...] to check; the request's own URL is the first
OUTCOMES = "link_outcomes"    # response meta: per link, (final url, status or None, exception or None)
ASKS = "conditional_batch"    # request meta: [(url, {validator headers}), ...] to ask whether they changed
UNCHANGED = "unchanged"       # response meta: per page asked, True when it answered 304
BATCH_SIZE = 20
REFUSES_HEAD = (405, 501, 403)
_REDIRECTS = (301, 302, 303, 307, 308)
# What the batch request's middlewares set that each check needs too.
_CARRIED_META = ("download_timeout", "proxy", "bindaddress", "download_maxsize", "download_warnsize",
                 "download_fail_on_dataloss", "scope")


class OffScopeHop(Exception):
    """A redirect pointing off the unit's scope: not followed (crawler.middlewares.OutOfScope's twin)."""


class TooManyRedirects(Exception):
    """More redirects than REDIRECT_MAX_TIMES (Scrapy's wording, which describe_failure reads)."""

    def __init__(self) -> None:
        super().__init__("max redirections reached")


def batches(pairs: Iterable[tuple[str, Any]], size: int = BATCH_SIZE) -> list[list[tuple[str, Any]]]:
    """(url, anything) pairs grouped by host (a downloader slot is per host), at most `size` per batch."""
    by_host: dict[str, list[tuple[str, Any]]] = {}
    for url, other in pairs:
        by_host.setdefault((urlsplit(url).hostname or "").lower(), []).append((url, other))
    return [group[i:i + size] for group in by_host.values() for i in range(0, len(group), size)]


class LinkBatchMixin:
    """For an HTTP download handler: a request carrying BATCH is answered by checking its links,
    one carrying ASKS by asking whether its pages changed."""

    def __init__(self, crawler: Any, *args: Any, **kwargs: Any):
        super().__init__(crawler, *args, **kwargs)
        s = crawler.settings
        self._retry_times = s.getint("RETRY_TIMES") if s.getbool("RETRY_ENABLED") else 0
        self._retry_codes = frozenset(int(c) for c in s.getlist("RETRY_HTTP_CODES"))
        self._retry_errors = tuple(load_object(e) if isinstance(e, str) else e
                                   for e in s.getlist("RETRY_EXCEPTIONS"))
        self._max_redirects = s.getint("REDIRECT_MAX_TIMES") if s.getbool("REDIRECT_ENABLED") else 0
        self._closing = False

    async def download_request(self, request: Request, *args: Any) -> Response:
        if ASKS in request.meta:
            request.meta[UNCHANGED] = await self._ask(request)
            return Response(request.url, status=200, request=request)
        batch = request.meta.get(BATCH)
        if batch is None:
            return await super().download_request(request, *args)
        outcomes = []
        for url, _ in batch:
            if self._closing:   # the crawl is ending: the checks not made are not recorded
                break
            outcomes.append(await self._check(request, url))
        request.meta[OUTCOMES] = outcomes
        return Response(request.url, status=200, request=request)

    async def close(self) -> None:
        self._closing = True
        await super().close()

    async def _ask(self, batch: Request) -> list[bool]:
        """Per page of the batch, whether it answered 304; the first page that answers otherwise
        than 304 or 200 (a failure, a redirect, a refusal) ends the batch: the rest are asked
        for by their own requests, which retry and follow as Scrapy does."""
        meta = {k: batch.meta[k] for k in _CARRIED_META if k in batch.meta}
        unchanged: list[bool] = []
        for url, validators in batch.meta[ASKS]:
            if self._closing or why_not(url, meta.get("scope")) is not None:
                break
            headers = batch.headers.copy()
            headers.update(validators)
            try:
                status, _ = await self.status_of(Request(url, headers=headers, meta=dict(meta),
                                                         dont_filter=True))
            except Exception:
                break
            unchanged.append(status == 304)
            if status not in (200, 304):
                break
        return unchanged

    async def _check(self, batch: Request, url: str) -> tuple[str, int | None, Exception | None]:
        """One link: (the URL finally asked, its status or None, the exception that ended it or None)."""
        meta = {k: batch.meta[k] for k in _CARRIED_META if k in batch.meta}
        headers = batch.headers.copy()
        host = urlsplit(url).hostname
        method, tries, redirects = "HEAD", 0, 0
        while True:
            reason = why_not(url, meta.get("scope"))
            if reason is not None:
                return url, None, OffScopeHop(reason)
            if urlsplit(url).hostname != host:
                headers.pop(b"Cookie", None)   # the batch's cookies are its host's (Scrapy's redirect does the same)
            try:
                status, location = await self.status_of(Request(url, method=method, headers=headers,
                                                                meta=dict(meta), dont_filter=True))
            except self._retry_errors as exc:
                if tries < self._retry_times:
                    tries += 1
                    continue
                return url, None, exc
            except Exception as exc:
                return url, None, exc
            if status in _REDIRECTS and location and self._max_redirects:
                target = urljoin(url, safe_url_string(location))
                if location.startswith(b"//"):
                    target = f"{urlsplit(url).scheme}:{safe_url_string(location)}"
                if urlsplit(target).scheme.lower() in ("http", "https"):
                    redirects += 1
                    if redirects > self._max_redirects:
                        return url, None, TooManyRedirects()
                    url = target
                    continue
                # Scrapy hands a redirect to another scheme back as the answer itself.
            if status in self._retry_codes and tries < self._retry_times:
                tries += 1
                continue
            if method == "HEAD" and status in REFUSES_HEAD:
                method = "GET"   # some servers refuse HEAD: ask again before calling the link dead
                continue
            return url, status, None
