"""The disclosure spider: one walk per unit, facts only.

For each unit: its disclosure page → the columns in its navigation → each
column's first list page (and, when the list shows no dates, its newest item's
detail page) → the guide's text; plus a check of the links on the disclosure
page. Whether any of that is a problem is decided later by the rules.
"""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone
from typing import Any, Iterator
from urllib.parse import urlsplit

import scrapy
from bs4 import BeautifulSoup
import scrapy.exceptions
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.error import (ConnectionRefusedError, DNSLookupError, TCPTimedOutError,
                                    TimeoutError as TwistedTimeoutError)
from twisted.python.failure import Failure

from crawler.extract.annual_titles import report_year
from crawler.extract.article import extract_article_date, extract_text
from crawler.extract.encoding import decode
from crawler.extract.links import discover_columns, extract_links
from crawler.extract.listpage import extract_list
from crawler.extract.types import LIST, NOT_LIST, SOURCE_DETAIL, SOURCE_LAST_MODIFIED, SOURCE_LIST, ListPage

GUIDE_WORDS = ("指南",)
REPORT_WORDS = ("年报", "年度报告")
MAX_REPORT_CHARS = 1_000_000


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def describe_failure(failure: Failure) -> str:
    """A short, plain reason a clerk can act on."""
    # Scrapy ≥ 2.13 wraps Twisted's errors in its own Download* exceptions; older ones don't.
    if failure.check(ConnectionRefusedError, *_scrapy_errors("DownloadConnectionRefusedError")):
        return "连接被拒绝"
    if failure.check(DNSLookupError, *_scrapy_errors("CannotResolveHostError")):
        return "域名无法解析"
    if failure.check(TwistedTimeoutError, TCPTimedOutError, *_scrapy_errors("DownloadTimeoutError")):
        return "连接超时"
    if failure.check(IgnoreRequest):
        return f"未访问：{failure.value}"
    name = type(failure.value).__name__
    if "Timeout" in name:
        return "连接超时"
    return f"访问失败（{name}）"


_CHALLENGE = re.compile(rb"<script|challenge|captcha|verify|" + re.escape("验证".encode()), re.I)


def is_challenge(response: Response) -> bool:
    """An anti-bot challenge (HTTP 412, or 403/521 with a script): the site is up, we are held back."""
    if response.status == 412:
        return True
    return response.status in (403, 521) and bool(_CHALLENGE.search(response.body[:20000]))


def _scrapy_errors(*names: str) -> tuple[type, ...]:
    return tuple(getattr(scrapy.exceptions, n) for n in names if hasattr(scrapy.exceptions, n))


class DisclosureSpider(scrapy.Spider):
    name = "disclosure"

    def __init__(self, units: list[dict], crawl_date: date, max_column_depth: int = 2,
                 max_links_checked: int = 200, validators: dict[str, tuple] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        # url → (ETag, Last-Modified) of list pages seen in the last finished crawl:
        # a column that answers 304 Not Modified is carried forward, not re-parsed.
        self.validators = validators or {}
        self.units = units
        self.units_by_name = {u["name"]: u for u in units}  # callbacks look units up by name, often
        self.crawl_date = crawl_date
        self.max_column_depth = max_column_depth
        self.max_links_checked = max_links_checked
        # Per unit: hosts it may be crawled on, and column URLs already taken.
        self.hosts: dict[str, set[str]] = {}
        self.seen_columns: dict[str, set[str]] = {}
        self.home_urls: dict[str, set[str]] = {}   # the disclosure page as finally served

    async def start(self) -> Any:
        for unit in self.units:
            name = unit["name"]
            self.hosts[name] = {urlsplit(unit["url"]).hostname or ""}
            for col in unit.get("columns", []):
                self.hosts[name].add(urlsplit(col["url"]).hostname or "")
            self.seen_columns[name] = set()
            yield scrapy.Request(unit["url"], callback=self.parse_disclosure, errback=self.unit_failed,
                                 dont_filter=True, meta=self._meta(name, started=time.monotonic()))

    def _meta(self, unit: str, **extra: Any) -> dict:
        # No handle_httpstatus_all here: it would stop redirects being followed;
        # HTTPERROR_ALLOW_ALL already brings 4xx/5xx to the callbacks.
        return {"unit": unit, "allowed_hosts": self.hosts[unit], **extra}

    def _unit(self, name: str) -> dict:
        return self.units_by_name[name]

    # ---- the disclosure page ---------------------------------------------

    def unit_failed(self, failure: Failure) -> Iterator[dict]:
        request = failure.request
        unit = self._unit(request.meta["unit"])
        yield {"type": "unit", "unit": unit["name"], "fetched_at": now_iso(), "url": unit["url"],
               "final_url": None, "http_status": None, "reachable": False,
               "error": describe_failure(failure), "newest_date": None, "blocked": False,
               "elapsed_ms": int((time.monotonic() - request.meta.get("started", time.monotonic())) * 1000)}

    def parse_disclosure(self, response: Response) -> Iterator[Any]:
        name = response.meta["unit"]
        unit = self._unit(name)
        elapsed = int((time.monotonic() - response.meta.get("started", time.monotonic())) * 1000)
        reachable = response.status < 400
        blocked = is_challenge(response)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        # The disclosure page's own list (最新信息) tells whether the "homepage" is updated.
        own_list = extract_list(response.body, response.url, self.crawl_date, content_type) if reachable else None
        yield {"type": "unit", "unit": name, "fetched_at": now_iso(), "url": unit["url"],
               "final_url": response.url, "http_status": response.status, "reachable": reachable,
               "error": None if reachable else (f"反爬虫验证页（HTTP {response.status}）" if blocked
                                                 else f"HTTP {response.status}"),
               "blocked": blocked, "elapsed_ms": elapsed,
               "newest_date": own_list.newest_date.isoformat() if own_list and own_list.newest_date else None}
        if not reachable:
            return
        # A unit whose disclosure page moved (http → https, a new cluster domain) is
        # still that unit's own site: the redirect target's host is allowed for it.
        self.hosts[name].add(urlsplit(response.url).hostname or "")
        self.home_urls.setdefault(name, set()).add(response.url)
        # One parse serves both column discovery and the link check.
        soup = BeautifulSoup(decode(response.body, content_type), "lxml")
        configured = [(c["name"], c["url"]) for c in unit.get("columns", [])]
        discovered = [(l.text, l.url) for l in discover_columns(soup, response.url, self.hosts[name])]
        seen = self.seen_columns[name]
        for col_name, col_url in configured + discovered:
            if col_url in seen:
                continue
            seen.add(col_url)
            yield self._column_request(name, col_name, col_url, depth=1)
        yield from self._link_checks(name, soup, response.url, seen)

    def _column_request(self, unit: str, column: str, url: str, depth: int) -> scrapy.Request:
        headers = {}
        etag, last_modified = self.validators.get(url, (None, None))
        if not any(w in column for w in GUIDE_WORDS + REPORT_WORDS):  # their pages are re-read each time
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        return scrapy.Request(url, callback=self.parse_column, errback=self.column_failed, headers=headers,
                              meta=self._meta(unit, column=column, depth=depth), dont_filter=True)

    def _link_checks(self, unit: str, html: str | BeautifulSoup, page_url: str,
                     columns: set[str]) -> Iterator[scrapy.Request]:
        """Dead-link check of the disclosure page's own links (columns are checked as columns)."""
        hosts = self.hosts[unit]
        checked = 0
        for link in extract_links(html, page_url):
            if checked >= self.max_links_checked:
                break
            if link.url in columns or urlsplit(link.url).hostname not in hosts:
                continue
            checked += 1
            yield scrapy.Request(link.url, method="HEAD", callback=self.link_checked,
                                 errback=self.link_failed, dont_filter=True,
                                 meta=self._meta(unit, link_text=link.text))

    def link_checked(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        # Some servers refuse HEAD; ask again with GET before calling the link dead.
        if response.request.method == "HEAD" and response.status in (405, 501, 403):
            yield response.request.replace(method="GET")
            return
        yield {"type": "link", "unit": meta["unit"], "url": response.request.url, "text": meta["link_text"],
               "http_status": response.status, "error": None}

    def link_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        yield {"type": "link", "unit": meta["unit"], "url": failure.request.url, "text": meta["link_text"],
               "http_status": None, "error": describe_failure(failure)}

    # ---- columns -----------------------------------------------------------

    def column_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        yield self._column_item(meta, failure.request.url, state="unreachable",
                                error=describe_failure(failure))

    def _column_item(self, meta: dict, url: str, state: str, page: ListPage | None = None,
                     http_status: int | None = None, error: str | None = None,
                     newest: tuple | None = None, date_source: str | None = None,
                     last_modified: str | None = None) -> dict:
        items = page.items if page else []
        if newest is None and page is not None and page.newest_date is not None:
            top = max((i for i in items if i.date), key=lambda i: i.date)
            newest, date_source = (page.newest_date, top.title, top.url), SOURCE_LIST
        newest_date, newest_title, newest_url = newest or (None, None, None)
        return {
            "type": "column", "unit": meta["unit"], "name": meta["column"], "url": url,
            "observation": {
                "fetched_at": now_iso(), "http_status": http_status, "state": state,
                "item_count": len(items), "newest_date": newest_date.isoformat() if newest_date else None,
                "newest_title": newest_title, "newest_url": newest_url, "date_source": date_source,
                "error": error, "meta_name": page.column_name if page else None,
                "last_modified": last_modified, "etag": meta.get("etag"),
            },
            "items": [{"url": i.url, "title": i.title, "date": i.date.isoformat() if i.date else None,
                       "report_year": report_year(i.title)} for i in items],
        }

    def parse_column(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        if response.status == 304:
            yield {"type": "column_unchanged", "unit": meta["unit"], "name": meta["column"],
                   "url": response.url, "fetched_at": now_iso()}
            return
        meta["etag"] = response.headers.get("ETag", b"").decode("latin-1") or None
        if is_challenge(response):
            # An anti-bot page is neither the column's content nor an outage: a person must look.
            yield self._column_item(meta, response.url, state="unverifiable", http_status=response.status,
                                    error=f"反爬虫验证页（HTTP {response.status}）")
            return
        if response.status >= 400:
            yield self._column_item(meta, response.url, state="unreachable", http_status=response.status,
                                    error=f"HTTP {response.status}")
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        page = extract_list(response.body, response.url, self.crawl_date, content_type)
        last_modified = response.headers.get("Last-Modified", b"").decode("latin-1") or None
        name, unit = meta["column"], meta["unit"]

        if any(w in name for w in GUIDE_WORDS):
            yield from self._guide(meta, response, page, content_type)
            return
        if any(w in name for w in REPORT_WORDS) and page.state == LIST:
            yield from self._report_requests(unit, page)
        if page.state == NOT_LIST and meta["depth"] < self.max_column_depth:
            html = decode(response.body, content_type)
            seen = self.seen_columns[unit]
            # A parent column's page repeats the site's navigation: the disclosure page
            # itself and its siblings are not its children.
            home = {self._unit(unit)["url"], *self.home_urls.get(unit, ())}
            for link in discover_columns(html, response.url, self.hosts[unit], exclude=home):
                if link.url not in seen:
                    seen.add(link.url)
                    yield self._column_request(unit, link.text, link.url, depth=meta["depth"] + 1)
        if page.state == LIST and page.newest_date is None and page.items:
            # The list shows no dates: the newest item's own page may (PubDate, 发布时间).
            first = page.items[0]
            if urlsplit(first.url).hostname in self.hosts[unit]:
                yield scrapy.Request(first.url, callback=self.parse_detail, errback=self.detail_failed,
                                     dont_filter=True,
                                     meta=self._meta(unit, column=name, depth=meta["depth"], list_page=page,
                                                     list_url=response.url, list_status=response.status,
                                                     last_modified=last_modified, etag=meta["etag"]))
                return
        yield self._with_fallback(meta, response.url, page, response.status, last_modified)

    def _with_fallback(self, meta: dict, url: str, page: ListPage, status: int,
                       last_modified: str | None, detail: tuple | None = None) -> dict:
        if detail is not None:
            return self._column_item(meta, url, page.state, page, status, newest=detail,
                                     date_source=SOURCE_DETAIL, last_modified=last_modified)
        if page.state == LIST and page.newest_date is None and page.items and last_modified:
            from email.utils import parsedate_to_datetime
            try:
                lm = parsedate_to_datetime(last_modified).date()
            except (TypeError, ValueError):
                lm = None
            if lm and lm <= self.crawl_date:
                # Last resort, and marked as such: a server clock, not a publication date.
                return self._column_item(meta, url, page.state, page, status,
                                         newest=(lm, page.items[0].title, page.items[0].url),
                                         date_source=SOURCE_LAST_MODIFIED, last_modified=last_modified)
        return self._column_item(meta, url, page.state, page, status, last_modified=last_modified)

    def parse_detail(self, response: Response) -> Iterator[dict]:
        meta = response.meta
        page: ListPage = meta["list_page"]
        detail = None
        if response.status < 400:
            found = extract_article_date(response.body, response.url,
                                         response.headers.get("Content-Type", b"").decode("latin-1"))
            if found.date and found.date <= self.crawl_date:
                detail = (found.date, page.items[0].title, page.items[0].url)
        yield self._with_fallback(meta, meta["list_url"], page, meta["list_status"], meta["last_modified"], detail)

    def detail_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        yield self._with_fallback(meta, meta["list_url"], meta["list_page"], meta["list_status"],
                                  meta["last_modified"])

    # ---- annual reports -----------------------------------------------------

    def _report_requests(self, unit: str, page: ListPage) -> Iterator[scrapy.Request]:
        """The newest two annual reports of a 年报 column (distinct years): their content is judged."""
        newest: dict[int, Any] = {}
        for item in page.items:
            year = report_year(item.title)
            if year and urlsplit(item.url).hostname in self.hosts[unit]:
                newest.setdefault(year, item)
        for year in sorted(newest, reverse=True)[:2]:
            item = newest[year]
            yield scrapy.Request(item.url, callback=self.parse_report_page, errback=self.report_failed,
                                 dont_filter=True, meta=self._meta(unit, title=item.title, year=year))

    def parse_report_page(self, response: Response) -> Iterator[dict]:
        """An annual report's page, raw HTML kept: rules/annual_report.py reads sections and tables."""
        if response.status >= 400:
            return
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        # A PDF or Word file is kept as an empty page: the rules then say the tables cannot be read.
        body = decode(response.body, ctype) if not ctype or "html" in ctype.lower() else ""
        yield {"type": "page", "unit": response.meta["unit"], "kind": "report", "url": response.url,
               "title": response.meta["title"], "year": response.meta["year"], "text": body[:MAX_REPORT_CHARS]}

    def report_failed(self, failure: Failure) -> Iterator[dict]:
        return iter(())   # an unreadable report page is not judged; its link is checked elsewhere

    # ---- the guide ----------------------------------------------------------

    def _guide(self, meta: dict, response: Response, page: ListPage, content_type: str) -> Iterator[Any]:
        """The guide column is usually the guide itself; sometimes a list with the guide in it."""
        yield self._column_item(meta, response.url, page.state, page, response.status)
        if page.state == LIST and page.items:
            newest = max(page.items, key=lambda i: i.date or date.min)
            if urlsplit(newest.url).hostname in self.hosts[meta["unit"]]:
                yield scrapy.Request(newest.url, callback=self.parse_guide, dont_filter=True,
                                     meta=self._meta(meta["unit"], column=meta["column"]))
                return
        yield self._guide_page(meta["unit"], response.url, response.body, content_type)

    def parse_guide(self, response: Response) -> Iterator[dict]:
        if response.status < 400:
            yield self._guide_page(response.meta["unit"], response.url, response.body,
                                   response.headers.get("Content-Type", b"").decode("latin-1"))

    @staticmethod
    def _guide_page(unit: str, url: str, body: bytes, content_type: str) -> dict:
        return {"type": "page", "unit": unit, "kind": "guide", "url": url, "title": "",
                "text": extract_text(body, url, content_type)}
