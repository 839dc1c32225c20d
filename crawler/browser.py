"""A real browser for the pages only a browser can read: Debian's Chromium through scrapy-playwright.

Used only where the static path leaves a page unread: a list its script fills that no data
call could read (spiders/script_lists.py), and an anti-bot challenge (a 200 or 412 whose script
computes a cookie and reloads, 云锁/安全狗/瑞数 style) that a visitor's browser passes by
running that script. The rendered DOM then goes through the same extractors.

What keeps it polite and offline:
* the system's Chromium (`crawl.browser_path`, default /usr/bin/chromium); nothing is
  downloaded, and without it the crawl says so once and reads statically as before;
* every request the page makes off the unit's scope is aborted (``guard_page``), service
  workers are blocked, and Chromium's own background traffic (updates, sync, Google
  services) is switched off by its flags; Playwright gives each launch a fresh profile;
* at most ``crawl.browser_pages`` pages at once (their own download slot), each within
  ``crawl.browser_timeout`` seconds, each renderer's JavaScript heap within
  ``crawl.browser_memory_mb``; a challenge gets at most ``MAX_RELOADS`` reloads;
* the browser identifies itself with govfresh's User-Agent, like every other request, and
  shows pages in the office's time zone (dates a script renders read as a local visitor sees them).

Playwright's driver starts with the first page that needs it: a crawl that never needs the
browser pays nothing for it.
"""
from __future__ import annotations

import asyncio
import functools
import os
import shutil
from contextlib import suppress
from typing import Any

from crawler.extract.readable import is_challenge

DEFAULT_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
MAX_RELOADS = 2          # a challenge that still stands after this many reloads is blocked
RELOAD_WAIT = 5.0        # seconds a challenge page gets to reload itself
IDLE_WAIT = 15.0         # seconds a page's data calls get to go quiet (network idle)
SLOT = "browser"         # the download slot of rendered pages: their own concurrency, apart from the hosts'

# Chromium switched to a quiet, offline-first mode: no updates, sync, metrics or other Google
# services, no first-run work; /dev/shm is small in containers.
CHROMIUM_ARGS = ("--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
                 "--disable-breakpad", "--metrics-recording-only", "--no-pings", "--disable-gpu",
                 "--disable-dev-shm-usage", "--disable-features=Translate,OptimizationHints,MediaRouter")


def chromium_path(configured: str | None = None) -> str | None:
    """The Chromium executable to drive, or None when there is none (or Playwright is not installed)."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        return None
    candidates = [configured] if configured else [*DEFAULT_PATHS, shutil.which("chromium")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def scrapy_settings(executable: str, pages: int, timeout: float, memory_mb: int, timezone: str,
                    user_agent: str) -> dict[str, Any]:
    """Scrapy settings that add the browser (only requests with meta 'playwright' use it)."""
    args = [*CHROMIUM_ARGS, f"--js-flags=--max-old-space-size={memory_mb}", f"--renderer-process-limit={pages + 1}"]
    return {
        # crawler/download.py hands the pages that need the browser (meta 'playwright') to handler().
        "GOVFRESH_BROWSER": True,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": executable, "headless": True, "args": args,
                                      # Chromium's sandbox needs a non-root user; as root it cannot start.
                                      "chromium_sandbox": os.geteuid() != 0, "timeout": timeout * 1000},
        "PLAYWRIGHT_CONTEXTS": {"default": {"user_agent": user_agent, "timezone_id": timezone, "locale": "zh-CN",
                                            "service_workers": "block", "ignore_https_errors": True,
                                            "accept_downloads": False}},
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout * 1000,
        # The browser's own headers (its cookies: a challenge's cookie must reach the reload).
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,
        "DOWNLOAD_SLOTS": {SLOT: {"concurrency": pages, "delay": 0}},
        "GOVFRESH_BROWSER_TIMEOUT": timeout,
    }


def render_meta(timeout: float) -> dict[str, Any]:
    """Request meta that renders a page in the browser (with the unit's scope already in meta)."""
    from scrapy_playwright.page import PageMethod

    return {"playwright": True, "download_slot": SLOT, "rendered": True,
            "playwright_page_goto_kwargs": {"wait_until": "commit"},
            "playwright_page_init_callback": guard_page,
            "playwright_page_methods": [PageMethod(settle, timeout)]}


def rendered_outcome(meta: dict) -> dict:
    """What ``settle`` saw: the final document's status, reloads, cookies (empty if it did not run)."""
    for method in meta.get("playwright_page_methods") or ():
        if isinstance(getattr(method, "result", None), dict):
            return method.result
    return {}


async def guard_page(page: Any, request: Any) -> None:
    """Abort every request the page makes off the unit's scope, and reloads past ``MAX_RELOADS``.

    Registered before the page is opened. A challenge that reloads at once, forever, would
    otherwise ask the site hundreds of times a minute; a visitor's patience is a few reloads.
    """
    scope = request.meta["scope"]
    documents = 0

    async def route(route: Any, pw_request: Any) -> None:
        nonlocal documents
        if not scope.allows(pw_request.url):
            await route.abort("blockedbyclient")
            return
        if pw_request.is_navigation_request() and pw_request.frame == page.main_frame:
            documents += 1
            if documents > 1 + MAX_RELOADS:
                await route.abort("blockedbyclient")
                return
        await route.fallback()

    await page.route("**/*", route)
    if hasattr(page, "route_web_socket"):
        async def socket(ws: Any) -> None:
            if scope.allows(ws.url.replace("ws", "http", 1)):
                ws.connect_to_server()
            else:
                await ws.close()
        await page.route_web_socket("**/*", socket)


async def settle(page: Any, timeout: float) -> dict:
    """Wait as a visitor does: the page's scripts run, a challenge's reload happens, the list arrives.

    Returns the final document's HTTP status, how many reloads happened, and the cookies the
    page's own scripts set (a passed challenge's cookie lets the plain crawl go on). A challenge
    is given ``RELOAD_WAIT`` seconds to reload and at most ``MAX_RELOADS`` reloads; a page
    that is no challenge gets the rest of ``timeout`` (at most ``IDLE_WAIT``) for its data calls.
    """
    from playwright.async_api import Error as PlaywrightError

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout

    def left_ms(cap: float | None = None) -> float:
        left = max(0.0, end - loop.time())
        return max(1.0, min(left, cap) if cap else left) * 1000

    async def wait_for(state: str, cap: float | None = None) -> None:
        with suppress(PlaywrightError, asyncio.TimeoutError):
            await page.wait_for_load_state(state, timeout=left_ms(cap))

    reloads, status = 0, None
    while True:
        await wait_for("load", RELOAD_WAIT if reloads else None)
        status, html = await _document(page)
        if not is_challenge(status or 200, html.encode("utf-8", "replace")):
            # The page itself: let its scripts fetch the list, then read what they made of it.
            await wait_for("networkidle", IDLE_WAIT)
            status = (await _document(page))[0] or status
            break
        if reloads >= MAX_RELOADS or end <= loop.time():
            raise NotShown(f"反爬虫验证页（浏览器重新加载 {reloads} 次后仍未通过）")
        # Still the challenge: its script sets the cookie and reloads; wait for that navigation.
        try:
            await page.wait_for_event("framenavigated", predicate=lambda f: f == page.main_frame,
                                      timeout=left_ms(RELOAD_WAIT))
        except (PlaywrightError, asyncio.TimeoutError):
            raise NotShown("反爬虫验证页（浏览器中未重新加载）") from None
        reloads += 1
    if not page.url.startswith(("http:", "https:")):
        # The last navigation failed (a reload past the limit, a page off scope): nothing of the
        # site is shown, so nothing is read; the request fails and the static facts stand.
        raise NotShown(f"浏览器未能显示页面（{reloads} 次重新加载后）")
    cookies = []
    with suppress(PlaywrightError):
        cookies = await page.context.cookies(page.url)
    return {"status": status, "reloads": reloads, "url": page.url, "cookies": cookies}


class NotShown(Exception):
    """The site's page was not shown (the browser's own error page, a challenge that stands):
    the render fails and what the static path saw is recorded."""


async def _document(page: Any) -> tuple[int | None, str]:
    """The shown document's HTTP status (Navigation Timing) and its HTML, retried while it navigates."""
    from playwright.async_api import Error as PlaywrightError

    for _ in range(5):
        try:
            status = await page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return n && n.responseStatus ? n.responseStatus : null; }")
            return status, await page.content()
        except PlaywrightError:   # navigating right now: wait for the next document
            with suppress(PlaywrightError, asyncio.TimeoutError):
                await page.wait_for_load_state("load", timeout=2000)
    return None, ""


def handler(crawler: Any) -> Any:
    """scrapy-playwright's download handler, its browser started with the first page that needs it.

    Made by crawler/download.py when the crawl's first page needs the browser: a crawl that
    needs none never imports scrapy-playwright (~1 s of start-up) nor starts Chromium."""
    return _handler_class().from_crawler(crawler)


@functools.cache
def _handler_class() -> type:
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class BrowserHandler(ScrapyPlaywrightDownloadHandler):
        async def _maybe_launch_in_thread(self) -> None:   # engine started: not yet
            return None

        def _engine_started(self) -> None:                 # the same on Scrapy < 2.14
            return None

        started = False

        async def _download_request(self, request: Any, spider: Any = None) -> Any:
            if not self.started:   # the first pages wait for one start (set only once it is done)
                async with self.__dict__.setdefault("_start_lock", asyncio.Lock()):
                    if not self.started:
                        await self._launch()
                        self.started = True
            return await super()._download_request(request, spider)

    return BrowserHandler
