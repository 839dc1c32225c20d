"""Scrapy settings for govfresh, one documented default each.

Per-office values (timeout, per-host concurrency, delay) come from sites.yaml's
`crawl:` section through `settings_for(config)`, never from edits here.
"""
from __future__ import annotations

import importlib.util

from scrapy.settings import default_settings as _scrapy

BOT_NAME = "govfresh"
SPIDER_MODULES = ["crawler.spiders"]

# Name ourselves: a site's webmaster should see who is checking and why.
USER_AGENT = "Mozilla/5.0 (compatible; govfresh/0.1; government information disclosure checker)"

# Disclosure pages are public by regulation (条例 Art. 23); many government
# robots.txt files disallow everything, which would hide exactly what must be checked.
ROBOTSTXT_OBEY = False

# Polite: a couple of requests at a time per host; sites of one county often share a host.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around DOWNLOAD_DELAY, so requests do not march in step

# A page that does not load within this many seconds has failed (the 2019
# indicators use 15 s for availability probes; crawls are a little more patient).
DOWNLOAD_TIMEOUT = 30
# Transient failures get two more tries before the site counts as unreachable.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A site that stays down is a finding in the report, not an error in the log.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# Scrapy's list without Twisted's proxy-tunnel error: naming it imports Twisted's whole HTTP
# client and TLS stack at every start (~0.1 s of CPU, a tenth of a re-crawl's fixed cost),
# for an error only the fallback client raises, and only through an HTTPS proxy.
RETRY_EXCEPTIONS = [e for e in _scrapy.RETRY_EXCEPTIONS if not str(e).endswith(".TunnelError")]

# We judge 4xx/5xx ourselves: they are findings, not errors to drop.
HTTPERROR_ALLOW_ALL = True
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True

# Bounded memory on big crawls: no page over 8 MB, and Scrapy's default depth-first
# order (LIFO queues, DEPTH_PRIORITY 0): a unit's columns are fetched soon after its
# disclosure page, so pending requests stay in the hundreds. Breadth-first order kept
# every unit's ~27 child requests in memory at once (RSS grew ~2 MB per 1,000 pages).
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A callback's output (≤ ~30 requests and items) is handled by this many asyncio tasks;
# Scrapy's default of 100 makes 100 tasks per response for a synchronous pipeline.
CONCURRENT_ITEMS = 1

# Per-request machinery govfresh has no use for (each costs CPU on every one of 100,000 requests):
# Scrapy re-parses a generator callback's source for `return value` at every call (its cache
# is keyed by the bound method, a new object each time: ~5% of a crawl's CPU); depth is our
# own meta key. (The Referer middleware stays: without it the redirect middlewares warn.)
WARN_ON_GENERATOR_RETURN_VALUE = False
SPIDER_MIDDLEWARES = {"crawler.middlewares.UnitSettledMiddleware": 20,
                      "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                      # a developer's aid: warns when a request copies its response's meta
                      "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None}
# Nobody reads Scrapy's byte counters (the request's size is computed twice per request),
# and no spider here has HTTP credentials.
DOWNLOADER_MIDDLEWARES_OFF = {"scrapy.downloadermiddlewares.stats.DownloaderStats": None,
                              "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None}
# Left out of the base, not set to None: Scrapy imports every named component, and the
# remote control's import pulls in aiohttp's web server.
EXTENSIONS_BASE = {k: v for k, v in _scrapy.EXTENSIONS_BASE.items()
                   if k != "scrapy.extensions.remote_control.RemoteControl"}
# Scrapy builds a DEBUG record ("Crawled (200)…", "Scraped from…") for every response and item,
# then the handler drops it at LOG_LEVEL: this formatter does not make them unless they are shown.
LOG_FORMATTER = "crawler.quietlog.QuietLogFormatter"

TELNETCONSOLE_ENABLED = False
# uvloop's event loop under Twisted's asyncio reactor: a re-crawl is mostly small exchanges
# (304s and HEADs), where the loop's own work is a large part of each one. Where uvloop is
# not installed (Windows has no build of it), asyncio's own loop.
ASYNCIO_EVENT_LOOP = "uvloop.Loop" if importlib.util.find_spec("uvloop") else None
LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = True
DNS_TIMEOUT = 15

ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}
EXTENSIONS = {"crawler.progress.CrawlProgress": 500}
GOVFRESH_PROGRESS = False  # set by the runner when stderr is a terminal


# A crawl that runs longer than this ends cleanly with what it has (sites.yaml
# crawl.max_duration); units it did not reach are recorded as not checked.
CLOSESPIDER_TIMEOUT = 2 * 3600


def settings_for(crawl_settings) -> dict:
    """Overrides from a validated sites.yaml `crawl:` section."""
    return {
        "DOWNLOAD_TIMEOUT": crawl_settings.timeout,
        "CONCURRENT_REQUESTS": crawl_settings.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl_settings.concurrency_per_host,
        "DOWNLOAD_DELAY": crawl_settings.delay,
        "ROBOTSTXT_OBEY": crawl_settings.obey_robots_txt,
        "CLOSESPIDER_TIMEOUT": crawl_settings.max_duration,
    }

# Link checks travel in batches of this many links of one host, checked by the download
# handler in one of the host's slots (crawler/batches.py); 0 sends one request per link.
GOVFRESH_LINK_BATCH = 20
# One handler for every request: batches, the browser's pages, HTTP (aiohttp, Twisted's client
# for what aiohttp refuses): crawler/download.py.
DOWNLOAD_HANDLERS = {"http": "crawler.download.HTTPHandler", "https": "crawler.download.HTTPHandler"}

DOWNLOADER_MIDDLEWARES = {
    # Before any other middleware sees a request, for every request (redirects are
    # scheduled as new requests, robots.txt too): nothing leaves a unit's scope.
    "crawler.middlewares.UnitScopeMiddleware": 50,
    # Our guard replaces Scrapy's offsite filter, which knows no per-unit scope.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # Responses pass from high numbers to low: after decompression (590), before the
    # meta-refresh redirect (580) decodes the page.
    "crawler.middlewares.SafeEncodingMiddleware": 585,
    # Meta refresh, and the script or frame a page that shows nothing moves a visitor on with.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.PageRedirectMiddleware": 580,
    **DOWNLOADER_MIDDLEWARES_OFF,
}
