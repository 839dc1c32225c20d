"""The crawl's download handler: batches, the browser for the pages that need it, and HTTP.

`HTTPHandler` is the one handler Scrapy is given (settings.DOWNLOAD_HANDLERS). A request
carrying a batch of link checks or conditional asks is answered by crawler/batches.py; one
marked for the browser (meta 'playwright', crawler/spiders/rendered.py) goes to
scrapy-playwright's handler, made by crawler/browser.py with the first such page; every
other request goes over HTTP as below.

Scrapy ships two HTTP/1.1 download handlers. Twisted's (HTTP11DownloadHandler, the default)
parses HTTP in Python: 12-19% of a crawl's CPU samples were in it; with the aiohttp one,
which parses in C (llhttp), 8% are, every fact identical (bench/RESULTS.md). But llhttp is strict where county servers are sloppy, and
Twisted is lenient: a header in GBK (a Location to a Chinese path, a file name), a header
line without a colon, Content-Length twice, a HEAD answered with a body, a TLS setup
OpenSSL's defaults refuse. A page govfresh read before must not turn unreachable because
the client changed, so whatever aiohttp cannot take is asked again through Twisted's
handler, and only its answer counts: aiohttp only ever saves work. Answers that are the
same whichever client asks (a timeout, a refused connection, an unknown host, a body
cut short, a page over the size limit) are not asked twice.
"""
from __future__ import annotations

import logging
from typing import Any

import aiohttp
from scrapy import Request
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, ResponseDataLossError)
from scrapy.http import Headers, Response

from crawler.batches import LinkBatchMixin

try:
    from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler
except ImportError:   # a Scrapy without it (< 2.19) or that moved it: Twisted's client alone, as before
    AiohttpDownloadHandler = None

logger = logging.getLogger(__name__)

# The client made no difference to these: asking again through Twisted would only wait twice.
SETTLED = (DownloadTimeoutError, CannotResolveHostError, ResponseDataLossError, DownloadCancelledError)
FALLBACKS_STAT = "govfresh/http_client/twisted_fallback"


class TwoClientHandler:
    """aiohttp for every request; Twisted's HTTP/1.1 handler for a request aiohttp could not take."""

    # aiohttp's session needs the running event loop: made with the first request.
    lazy = True

    def __init__(self, crawler: Any):
        self._crawler = crawler
        self._lenient: Any = None   # Twisted's, made when first needed (its import alone is ~0.1 s)
        self._fast = _Aiohttp(crawler) if AiohttpDownloadHandler is not None else None
        self._stats = crawler.stats

    def _twisted(self) -> Any:
        if self._lenient is None:
            from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
            self._lenient = HTTP11DownloadHandler(self._crawler)
        return self._lenient

    @classmethod
    def from_crawler(cls, crawler: Any) -> "TwoClientHandler":
        return cls(crawler)

    async def download_request(self, request: Request, *args: Any) -> Response:
        return await self._answer(request, whole=True)

    async def status_of(self, request: Request) -> tuple[int, bytes | None]:
        """The status and Location header of a request whose body nobody reads (a batch's
        link check or conditional ask, crawler/batches.py)."""
        answer = await self._answer(request, whole=False)
        if isinstance(answer, Response):
            return answer.status, answer.headers.get(b"Location")
        return answer

    async def answer_of(self, request: Request) -> int | Response:
        """A GET's answer: 304 when it answered Not Modified (nothing to read), else the whole
        Response, read as download_request reads it."""
        answer = await self._answer(request, whole=False)
        if isinstance(answer, Response):
            return 304 if answer.status == 304 else answer
        return answer[0]   # (status, Location): a GET gets one only for a 304

    async def _answer(self, request: Request, whole: bool) -> Any:
        if self._fast is None:
            return await self._twisted().download_request(request)
        try:
            return await (self._fast.download_request(request) if whole else self._fast.status_of(request))
        except SETTLED:
            raise
        except DownloadConnectionRefusedError as exc:
            # aiohttp names a failed TLS handshake a refused connection; Twisted's OpenSSL
            # settings (Scrapy's ciphers) may still get through.
            if not isinstance(exc.__cause__, aiohttp.ClientSSLError):
                raise
            why: BaseException = exc.__cause__
        except Exception as exc:   # a parser's refusal, a header not in UTF-8, a dropped connection
            why = exc
        self._stats.inc_value(FALLBACKS_STAT)
        logger.debug("asking %s again through Twisted's client: %r", request.url, why)
        return await self._twisted().download_request(request)

    async def close(self) -> None:
        if self._fast is not None:
            await self._fast.close()
        if self._lenient is not None:
            await self._lenient.close()


if AiohttpDownloadHandler is not None:
    class _Aiohttp(AiohttpDownloadHandler):
        # Scrapy marks its aiohttp handler experimental and says so at every start; govfresh
        # takes it with the fallback above, tested by tests/crawler/test_download.py.
        experimental = False
        # No pool caps of aiohttp's own: Scrapy's downloader slots already bound requests per
        # host and in all (concurrency_per_host, concurrency), as with Twisted's client. aiohttp's
        # caps count a connection until aiohttp has let it go, so on a county with pages that hang
        # or drip past the timeout, a page asked next waited for a place, timed out itself, and a
        # healthy unit was recorded unreachable (tests/crawler/test_faults.py, ~1 run in 12).
        _pool_size_total = _pool_size_per_host = property(lambda self: 0, lambda self, value: None)

        def __init__(self, crawler: Any):
            super().__init__(crawler)
            self._session = _NoEmptyBody(self._session)

        @staticmethod
        def _extract_headers(response: Any) -> Headers:
            """The answer's headers as Scrapy reads them, made from aiohttp's raw bytes: Scrapy
            decodes each name and value aiohttp decoded and encodes it again (~1% of a crawl).
            An answer with a header not in ASCII is left to Scrapy's reading, which refuses a
            value not in UTF-8 (Twisted's client is then asked)."""
            headers = Headers()
            for name, value in response.raw_headers:
                if not (name.isascii() and value.isascii()):
                    return AiohttpDownloadHandler._extract_headers(response)
                dict.setdefault(headers, name.title(), []).append(value)
            return headers

        @staticmethod
        def _request_headers(request: Request) -> Headers:
            """The headers sent, without Proxy-Authorization (sent to the proxy, not the site):
            copied only when there is one to drop (Scrapy copies them for every request)."""
            headers = request.headers
            if b"Proxy-Authorization" in headers:
                headers = headers.copy()
                headers.pop(b"Proxy-Authorization")
            return headers

        async def status_of(self, request: Request) -> tuple[int, bytes | None] | Response:
            """(status, Location) when no body comes (HEAD, 304): Scrapy's Response, its
            headers and the body's reading cost more than the exchange itself (~40% of a
            re-crawl's batched asks). Otherwise the whole Response, read as download_request
            reads it (size limit, data loss), so a batch decides as the engine would."""
            timeout = request.meta.get("download_timeout", self._DEFAULT_CONNECT_TIMEOUT)
            maxsize = request.meta.get("download_maxsize", self._default_maxsize)
            async with self._make_request(request, timeout) as response:
                length = response.content_length
                if (request.method == "HEAD" or response.status == 304) and not (maxsize and length
                                                                                and length > maxsize):
                    # Scrapy's Headers keep a repeated header's last value and refuse one not
                    # in UTF-8 (then Twisted's client is asked): the same here.
                    locations = response.headers.getall("Location", ())
                    return response.status, locations[-1].encode() if locations else None
                return await self._read_response(response, request)


class _NoEmptyBody:
    """aiohttp's session, handed no body where a request has an empty one. Scrapy hands it b"",
    and aiohttp then makes a payload and sends `Content-Length: 0` with every GET and HEAD (~50 of
    the ~280 µs of CPU a GET costs on loopback); Twisted's client sends a length only with a
    POST, and so does aiohttp given None."""

    def __init__(self, session: aiohttp.ClientSession):
        self._session = session

    def request(self, method: str, url: Any, *, data: bytes | None = None, **kwargs: Any) -> Any:
        return self._session.request(method, url, data=data or None, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class HTTPHandler(LinkBatchMixin, TwoClientHandler):
    """Scrapy's download handler for http and https (see the module's docstring)."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        self._browser_on = crawler.settings.getbool("GOVFRESH_BROWSER")   # crawl.browser, and Chromium found
        self._browser: Any = None

    async def download_request(self, request: Request, *args: Any) -> Response:
        if request.meta.get("playwright") and self._browser_on:
            if self._browser is None:
                from crawler import browser
                self._browser = browser.handler(self._crawler)
            return await self._browser.download_request(request)
        return await super().download_request(request, *args)

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        await super().close()
