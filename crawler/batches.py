"""Requests in batches: one Scrapy request carries many of one host (of one unit, or the units'
disclosure pages).

Through Scrapy's engine every request pays the whole per-request machinery (scheduler,
~15 middlewares, signals, a callback's output handling: ~2 ms of CPU), as much as reading
a list page. Two kinds of request can do without most of it:

* a dead-link check (HEAD): `batches()` groups a unit's links by host, at most BATCH_SIZE
  per request (meta BATCH);
* a page's GET, conditional on a re-crawl (with the validators the last crawl kept) or not
  (meta ASKS): an answer of 304 says the page did not change; a page that answers otherwise
  is read as the engine would have read it — the answer passes the same downloader
  middlewares (decompression, decoding, redirects, retries, cookies) and, when a Response
  comes out, goes to the page's callback (meta READ). A page whose answer the middlewares
  turn into another request (a redirect, a retry), or that fails, ends the batch: it and the
  pages after it are asked for by their own requests, as if no batch had been, so a batch
  only ever saves work, never decides a fact. A batch reads at most READ_BYTES of bodies
  (the rest are asked alone), so memory stays bounded however large a hostile host's pages.

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

from inspect import iscoroutinefunction
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response
from scrapy.utils.misc import load_object
from w3lib.url import safe_url_string

from crawler.request import Request, copied
from crawler.scope import host, why_not

BATCH = "link_batch"          # request meta: [(url, text), ...] to check; the request's own URL is the first
OUTCOMES = "link_outcomes"    # response meta: per link, (final url, status or None, exception or None)
ASKS = "conditional_batch"    # request meta: [(url, {validator headers}), ...]: GETs, conditional or not
UNCHANGED = "unchanged"       # response meta: per page asked, True when it answered 304
READ = "read"                 # response meta: {index in ASKS: the page's Response, as the middlewares left it}
RETRIED = "retried"           # response meta: {index in ASKS: the retry_times its answer left it with}
READ_BYTES = 4 * 1024 * 1024
BATCH_SIZE = 20
REFUSES_HEAD = (405, 501, 403)
_REDIRECTS = (301, 302, 303, 307, 308)
# What the batch request's middlewares set that each check needs too.
_CARRIED_META = ("download_timeout", "proxy", "bindaddress", "download_maxsize", "download_warnsize",
                 "download_fail_on_dataloss", "scope")


class Weight(bytes):
    """The empty body of a batch's answer that weighs what the pages it read weigh.

    Scrapy's scraper stops taking new responses while those it holds weigh more than
    SCRAPER_SLOT_MAX_ACTIVE_SIZE, weighing each by len(response.body): an answer that
    weighed nothing would let a hostile host's batches of large pages pile up unbounded."""

    def __new__(cls, size: int) -> "Weight":
        weight = super().__new__(cls)
        weight.size = size
        return weight

    def __len__(self) -> int:
        return self.size


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
        by_host.setdefault(host(url), []).append((url, other))
    return [group[i:i + size] for group in by_host.values() for i in range(0, len(group), size)]


def _one_of(batch: Request, url: str, meta: dict, method: str = "GET") -> Request:
    """One page's or link's request inside `batch`: a copy of `meta` and of the batch's headers."""
    request = Request(url, method=method, meta=meta, dont_filter=True)
    request.headers = copied(batch.headers)
    return request


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
        if ASKS not in request.meta and BATCH not in request.meta:
            return await super().download_request(request, *args)
        held = 0
        if ASKS in request.meta:
            request.meta[UNCHANGED] = await self._ask(request)
            held = sum(len(page.body) for page in request.meta[READ].values())
        if BATCH in request.meta:   # alone, or a unit's link checks riding with its pages' asks
            request.meta[OUTCOMES] = await self._checks(request)
        return Response(request.url, status=200, request=request, body=Weight(held))

    async def _checks(self, request: Request) -> list[tuple[str, int | None, Exception | None]]:
        outcomes = []
        for url, _ in request.meta[BATCH]:
            if self._closing:   # the crawl is ending: the checks not made are not recorded
                break
            outcomes.append(await self._check(request, url))
        return outcomes

    async def close(self) -> None:
        self._closing = True
        await super().close()

    async def _ask(self, batch: Request) -> list[bool]:
        """Per page of the batch, whether it answered 304; the pages read are put in the batch's
        meta READ. The first page whose answer is not a Response once through the downloader
        middlewares (a redirect, a retry, a failure) ends the batch: it and the rest are asked
        for by their own requests, which retry and follow as Scrapy does; a page the retry
        middleware was retrying carries its count of tries (meta RETRIED), so a page that
        hangs is tried no more often than the engine would try it."""
        meta = {k: batch.meta[k] for k in _CARRIED_META if k in batch.meta}
        unchanged: list[bool] = []
        read: dict[int, Response] = batch.meta.setdefault(READ, {})
        room = READ_BYTES
        for i, (url, validators) in enumerate(batch.meta[ASKS]):
            if self._closing or room <= 0 or why_not(url, meta.get("scope")) is not None:
                break
            request = _one_of(batch, url, meta)
            request.headers.update(validators)
            answer = await self._through_middlewares(request)
            if answer == 304:
                unchanged.append(True)
                continue
            if not isinstance(answer, Response):
                if isinstance(answer, Request) and answer.meta.get("retry_times"):
                    batch.meta.setdefault(RETRIED, {})[i] = answer.meta["retry_times"]
                break
            unchanged.append(False)
            read[i] = answer
            room -= len(answer.body)
        return unchanged

    async def _through_middlewares(self, request: Request) -> int | Response | Request | None:
        """304, or what the engine's downloader middlewares (Scrapy's own chain) make of the
        answer or of the failure: a Response to read, a Request (a redirect, a retry), or None
        when the failure stands."""
        mw = self._crawler.engine.downloader.middleware
        if not iscoroutinefunction(getattr(mw, "_process_response", None)):
            return None   # a Scrapy whose chain cannot be awaited: the page is asked for alone
        try:
            answer = await self.answer_of(request)
            return answer if answer == 304 else await mw._process_response(answer, request)
        except Exception as exc:
            try:
                return await mw._process_exception(exc, request)
            except Exception:
                return None

    async def _check(self, batch: Request, url: str) -> tuple[str, int | None, Exception | None]:
        """One link: (the URL finally asked, its status or None, the exception that ended it or None)."""
        meta = {k: batch.meta[k] for k in _CARRIED_META if k in batch.meta}
        first_host = host(url)
        method, tries, redirects, left_host = "HEAD", 0, 0, False
        while True:
            reason = why_not(url, meta.get("scope"))
            if reason is not None:
                return url, None, OffScopeHop(reason)
            # The batch's cookies are its host's: once a hop leaves it, they stay behind (Scrapy's
            # redirect does the same).
            left_host = left_host or host(url) != first_host
            try:
                request = _one_of(batch, url, meta, method)
                if left_host:
                    request.headers.pop(b"Cookie", None)
                status, location = await self.status_of(request)
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
