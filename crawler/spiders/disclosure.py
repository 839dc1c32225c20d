"""The disclosure spider: one walk per unit, facts only.

For each unit: its disclosure page → the columns in its navigation → each
column's first list page (and, when the list shows no dates, its newest item's
detail page) → the guide's text; plus a check of the links on the disclosure
page. Whether any of that is a problem is decided later by the rules.
"""
from __future__ import annotations

import re
import time
from dataclasses import replace
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
from crawler.previous import NoPreviousCrawl, PreviousCrawl
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


def _validators(response: Response) -> dict[str, str | None]:
    """The ETag and Last-Modified a page was served with: the next crawl asks with them."""
    return {"etag": response.headers.get("ETag", b"").decode("latin-1") or None,
            "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None}


_SHORT_NAME = re.compile(r"^.{1,8}?[县区市旗](?=.{2,})")


def choose_guide(items, unit: str):
    """Which item of a guide column's list is this unit's own guide, or None to read the page itself.

    A guide column that lists several guides (versions, or a county's directory of
    its departments' guides) holds this unit's one: a title naming the unit, else the
    newest title that is a guide (指南); a directory naming only other units holds none.
    """
    guides = [i for i in items if "指南" in (i.title or "")]
    names = {unit, _SHORT_NAME.sub("", unit)} - {""}     # 清河县财政局 is 财政局 on its county's pages
    own = [i for i in items if any(n in (i.title or "") for n in names)]
    for pool in ([i for i in own if i in guides], guides, own):
        if pool:
            return max(pool, key=lambda i: i.date or date.min)
    # No title says 指南 or names the unit: a list of dated versions is the guide's history,
    # an undated directory of other units is not this unit's guide.
    dated = [i for i in items if i.date]
    return max(dated, key=lambda i: i.date) if dated else None


def _scrapy_errors(*names: str) -> tuple[type, ...]:
    return tuple(getattr(scrapy.exceptions, n) for n in names if hasattr(scrapy.exceptions, n))


class DisclosureSpider(scrapy.Spider):
    name = "disclosure"

    def __init__(self, units: list[dict], crawl_date: date, max_column_depth: int = 2,
                 max_links_checked: int = 200, previous: PreviousCrawl | NoPreviousCrawl | None = None,
                 max_list_pages: int = 1, **kwargs: Any):
        super().__init__(**kwargs)
        # What the last finished crawl saw: every page is asked for conditionally, and one
        # that answers 304 Not Modified is carried forward, not re-parsed (crawler/previous.py).
        self.previous = previous or NoPreviousCrawl()
        self.units = units
        self.units_by_name = {u["name"]: u for u in units}  # callbacks look units up by name, often
        self.crawl_date = crawl_date
        self.max_column_depth = max_column_depth
        self.max_links_checked = max_links_checked
        self.max_list_pages = max_list_pages   # 1: first pages only; more with crawl.count_all_pages
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
                                 headers=self.previous.validators(name, unit["url"]),
                                 dont_filter=True, meta=self._meta(name, started=time.monotonic()))

    def closed(self, reason: str) -> None:
        self.previous.close()

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
        if response.status == 304:
            yield from self._disclosure_unchanged(name, unit, response, elapsed)
            return
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
               "newest_date": own_list.newest_date.isoformat() if own_list and own_list.newest_date else None,
               **_validators(response)}
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
            yield self._column_request(name, col_name, col_url, depth=1,
                                       found_on=None if (col_name, col_url) in configured else response.url)
        yield from self._link_checks(name, soup, response.url, seen)

    def _disclosure_unchanged(self, name: str, unit: dict, response: Response, elapsed: int) -> Iterator[Any]:
        """304: the disclosure page is as last time: its check, columns and links are the last crawl's."""
        yield {"type": "unit_unchanged", "unit": name, "fetched_at": now_iso(), "elapsed_ms": elapsed}
        self.hosts[name].add(urlsplit(response.url).hostname or "")
        self.home_urls.setdefault(name, set()).add(response.url)
        seen = self.seen_columns[name]
        configured = [(c["name"], c["url"], None) for c in unit.get("columns", [])]
        columns, pages = self.previous.found_on(name, response.url)
        for col_name, col_url, found_on in configured + [(c["name"], c["url"], response.url) for c in columns]:
            if col_url not in seen:
                seen.add(col_url)
                yield self._column_request(name, col_name, col_url, depth=1, found_on=found_on)
        yield from self._page_requests(name, response.url, pages)
        hosts = self.hosts[name]
        checked = 0
        for link in self.previous.links(name):
            if checked >= self.max_links_checked:
                break
            if link["url"] in seen or urlsplit(link["url"]).hostname not in hosts:
                continue
            checked += 1
            yield self._link_check(name, link["url"], link["text"] or "")

    def _column_request(self, unit: str, column: str, url: str, depth: int, found_on: str | None) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_column, errback=self.column_failed,
                              headers=self.previous.validators(unit, url),
                              meta=self._meta(unit, column=column, depth=depth, found_on=found_on), dont_filter=True)

    def _page_requests(self, unit: str, found_on: str, pages: list[dict]) -> Iterator[Any]:
        """The guide and report pages the last crawl reached through a page that is unchanged."""
        for page in pages:
            if page["url"] == found_on:   # the page itself (a guide shown on its column page)
                yield {"type": "page_unchanged", "unit": unit, "url": page["url"], "fetched_at": now_iso()}
            elif page["kind"] == "guide":
                yield self._guide_request(unit, page["url"], found_on)
            elif page["kind"] == "report":
                yield self._report_request(unit, page["url"], page["title"] or "", page["year"], found_on)

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
            yield self._link_check(unit, link.url, link.text)

    def _link_check(self, unit: str, url: str, text: str) -> scrapy.Request:
        return scrapy.Request(url, method="HEAD", callback=self.link_checked, errback=self.link_failed,
                              dont_filter=True, meta=self._meta(unit, link_text=text))

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
                "last_modified": last_modified, "etag": meta.get("etag"), "found_on": meta.get("found_on"),
            },
            "items": [{"url": i.url, "title": i.title, "date": i.date.isoformat() if i.date else None,
                       "report_year": report_year(i.title)} for i in items],
        }

    def parse_column(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        if response.status == 304:
            yield {"type": "column_unchanged", "unit": meta["unit"], "name": meta["column"],
                   "url": response.url, "fetched_at": now_iso(), "found_on": meta.get("found_on")}
            # Sub-columns, the guide page and annual reports reached through it, as last time.
            columns, pages = self.previous.found_on(meta["unit"], response.url)
            if meta["depth"] < self.max_column_depth:
                seen = self.seen_columns[meta["unit"]]
                for c in columns:
                    if c["url"] not in seen:
                        seen.add(c["url"])
                        yield self._column_request(meta["unit"], c["name"], c["url"], depth=meta["depth"] + 1,
                                                   found_on=response.url)
            yield from self._page_requests(meta["unit"], response.url, pages)
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
        if page.state == NOT_LIST and meta["depth"] < self.max_column_depth:
            html = decode(response.body, content_type)
            seen = self.seen_columns[unit]
            # A parent column's page repeats the site's navigation: the disclosure page
            # itself and its siblings are not its children.
            home = {self._unit(unit)["url"], *self.home_urls.get(unit, ())}
            for link in discover_columns(html, response.url, self.hosts[unit], exclude=home):
                if link.url not in seen:
                    seen.add(link.url)
                    yield self._column_request(unit, link.text, link.url, depth=meta["depth"] + 1,
                                               found_on=response.url)
        if page.state == LIST and page.next_pages and self.max_list_pages > 1:
            # crawl.count_all_pages: the column's later pages, one after another, so 条数 is its total.
            yield self._list_page_request(meta, response.url, page, response.status, last_modified,
                                          page.next_pages[:self.max_list_pages - 1])
            return
        yield from self._listed(meta, response.url, page, response.status, last_modified)

    def _listed(self, meta: dict, url: str, page: ListPage, status: int, last_modified: str | None) -> Iterator[Any]:
        """A list column read: its reports, its newest item's page when it shows no dates, its facts."""
        unit, name = meta["unit"], meta["column"]
        if any(w in name for w in REPORT_WORDS) and page.state == LIST:
            yield from self._report_requests(unit, page, url)
        if page.state == LIST and page.newest_date is None and page.items:
            # The list shows no dates: the newest item's own page may (PubDate, 发布时间).
            first = page.items[0]
            if urlsplit(first.url).hostname in self.hosts[unit]:
                yield scrapy.Request(first.url, callback=self.parse_detail, errback=self.detail_failed,
                                     dont_filter=True,
                                     meta=self._meta(unit, column=name, depth=meta["depth"], list_page=page,
                                                     list_url=url, list_status=status,
                                                     last_modified=last_modified, etag=meta.get("etag"),
                                                     found_on=meta.get("found_on")))
                return
        yield self._with_fallback(meta, url, page, status, last_modified)

    # ---- later pages of a list (crawl.count_all_pages) ----------------------

    def _list_page_request(self, meta: dict, list_url: str, page: ListPage, status: int,
                           last_modified: str | None, pages_left: list[str]) -> scrapy.Request:
        url, rest = pages_left[0], pages_left[1:]
        carried = self._meta(meta["unit"], column=meta["column"], depth=meta["depth"], etag=meta.get("etag"),
                             found_on=meta.get("found_on"), list_page=page, list_url=list_url,
                             list_status=status, last_modified=last_modified, pages_left=rest)
        # Hanweb's dataproxy.jsp answers the POST its pager script sends (parameters in the query).
        method = "POST" if "dataproxy" in urlsplit(url).path.lower() else "GET"
        return scrapy.Request(url, method=method, callback=self.parse_list_page, errback=self.list_page_failed,
                              dont_filter=True, meta=carried)

    def parse_list_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        page: ListPage = meta["list_page"]
        if response.status < 400:
            body = response.body
            if b"<recordset" in body[:4096].lower() and b"<script" not in body[:4096].lower():
                # A bare Hanweb datastore: read it as the recordset it would be inside a page.
                body = b'<script type="text/xml">' + body + b"</script>"
            more = extract_list(body, response.url, self.crawl_date,
                                response.headers.get("Content-Type", b"").decode("latin-1"))
            if more.state == LIST:
                known = {i.url for i in page.items}
                page = replace(page, items=page.items + [i for i in more.items if i.url not in known or not i.url])
        yield from self._next_or_listed(meta, page)

    def list_page_failed(self, failure: Failure) -> Iterator[Any]:
        # A later page that does not open: the column is what the pages read so far say.
        yield from self._next_or_listed(failure.request.meta, failure.request.meta["list_page"])

    def _next_or_listed(self, meta: dict, page: ListPage) -> Iterator[Any]:
        if meta["pages_left"]:
            yield self._list_page_request(meta, meta["list_url"], page, meta["list_status"], meta["last_modified"],
                                          meta["pages_left"])
        else:
            yield from self._listed(meta, meta["list_url"], replace(page, next_pages=[]), meta["list_status"],
                                    meta["last_modified"])

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

    def _report_requests(self, unit: str, page: ListPage, found_on: str) -> Iterator[scrapy.Request]:
        """The newest two annual reports of a 年报 column (distinct years): their content is judged."""
        newest: dict[int, Any] = {}
        for item in page.items:
            year = report_year(item.title)
            if year and urlsplit(item.url).hostname in self.hosts[unit]:
                newest.setdefault(year, item)
        for year in sorted(newest, reverse=True)[:2]:
            item = newest[year]
            yield self._report_request(unit, item.url, item.title, year, found_on)

    def _report_request(self, unit: str, url: str, title: str, year: int | None, found_on: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_report_page, errback=self.report_failed, dont_filter=True,
                              headers=self.previous.validators(unit, url),
                              meta=self._meta(unit, title=title, year=year, found_on=found_on))

    def parse_report_page(self, response: Response) -> Iterator[dict]:
        """An annual report's page, raw HTML kept: rules/annual_report.py reads sections and tables."""
        if response.status == 304:
            yield {"type": "page_unchanged", "unit": response.meta["unit"], "url": response.url, "fetched_at": now_iso()}
            return
        if response.status >= 400:
            return
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        # A PDF or Word file is kept as an empty page: the rules then say the tables cannot be read.
        body = decode(response.body, ctype) if not ctype or "html" in ctype.lower() else ""
        yield {"type": "page", "unit": response.meta["unit"], "kind": "report", "url": response.url,
               "title": response.meta["title"], "year": response.meta["year"], "text": body[:MAX_REPORT_CHARS],
               "found_on": response.meta["found_on"], **_validators(response)}

    def report_failed(self, failure: Failure) -> Iterator[dict]:
        return iter(())   # an unreadable report page is not judged; its link is checked elsewhere

    # ---- the guide ----------------------------------------------------------

    def _guide(self, meta: dict, response: Response, page: ListPage, content_type: str) -> Iterator[Any]:
        """The guide column is usually the guide itself; sometimes a list with the guide in it."""
        yield self._column_item(meta, response.url, page.state, page, response.status)
        chosen = choose_guide(page.items, meta["unit"]) if page.state == LIST else None
        if chosen is not None and urlsplit(chosen.url).hostname in self.hosts[meta["unit"]]:
            yield self._guide_request(meta["unit"], chosen.url, response.url)
            return
        yield self._guide_page(meta["unit"], response, content_type, found_on=response.url)

    def _guide_request(self, unit: str, url: str, found_on: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_guide, dont_filter=True,
                              headers=self.previous.validators(unit, url), meta=self._meta(unit, found_on=found_on))

    def parse_guide(self, response: Response) -> Iterator[dict]:
        if response.status == 304:
            yield {"type": "page_unchanged", "unit": response.meta["unit"], "url": response.url, "fetched_at": now_iso()}
        elif response.status < 400:
            yield self._guide_page(response.meta["unit"], response,
                                   response.headers.get("Content-Type", b"").decode("latin-1"),
                                   found_on=response.meta["found_on"])

    @staticmethod
    def _guide_page(unit: str, response: Response, content_type: str, found_on: str) -> dict:
        return {"type": "page", "unit": unit, "kind": "guide", "url": response.url, "title": "",
                "text": extract_text(response.body, response.url, content_type), "found_on": found_on,
                **_validators(response)}
