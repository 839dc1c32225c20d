"""The disclosure spider: one walk per unit, facts only.

For each unit: its disclosure page → the columns in its navigation → each
column's first list page (and, when the list shows no dates, its newest item's
detail page) → the guide's text; plus a check of the links on the disclosure
page. Whether any of that is a problem is decided later by the rules.

Every answer is first asked whether it can be read at all (extract/readable.py):
a challenge, a redirect not followed, a binary or undecodable body is recorded as
blocked or unverifiable, never read as content. Each parse of a page runs under a
CPU budget (crawler/budget.py): a page over it is unverifiable, and the crawl
moves on. Every request goes through `_request`, tagged with its unit's scope
(crawler/scope.py) and counted until answered, so a crawl cut short by its
deadline knows which units it did not finish.
"""
from __future__ import annotations

import logging
import re
import time
from collections import Counter, OrderedDict
from dataclasses import replace
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import urlsplit

import scrapy
import scrapy.exceptions
from scrapy import signals
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.budget import DEFAULT_SECONDS, PageTooCostly, cpu_budget
from crawler.extract.annual_titles import report_year
from crawler.extract.article import extract_article_date, extract_text
from crawler.extract.dom import Page
from crawler.extract.encoding import decode
from crawler.extract.links import discover_columns, extract_links
from crawler.extract.listpage import extract_list
from crawler.extract.readable import BLOCKED, UNREACHABLE, UNVERIFIABLE, Verdict, judge_answer
from crawler.extract.sources import BROWSER, STATIC
from crawler.extract.types import LIST, NOT_LIST, SOURCE_DETAIL, SOURCE_LAST_MODIFIED, SOURCE_LIST, ListPage
from crawler.failures import describe_failure
from crawler.previous import NoPreviousCrawl, PreviousCrawl
from crawler.request import Request
from crawler.scope import Scope
from crawler.spiders.batched_asks import BatchedAskSteps
from crawler.spiders.link_checks import LinkCheckSteps
from crawler.spiders.rendered import RenderSteps
from crawler.spiders.script_lists import ScriptListSteps

GUIDE_WORDS = ("指南",)
REPORT_WORDS = ("年报", "年度报告")
MAX_REPORT_CHARS = 1_000_000
# A guide column whose own page has less text than this is a list of guides, not the guide.
GUIDE_PAGE_CHARS = 1500

LOG = logging.getLogger(__name__)
T = TypeVar("T")


class Unparsable(Exception):
    """One parse of a page went over its CPU budget or failed: the page is unverifiable."""


_NOW: list = [None, ""]   # the second last formatted, and its text


def now_iso() -> str:
    """The time now in UTC, to the second (every fact of a page carries one): formatted once a second."""
    second = int(time.time())
    if second != _NOW[0]:
        _NOW[:] = [second, datetime.fromtimestamp(second, timezone.utc).isoformat()]
    return _NOW[1]


def _content_type(response: Response) -> str:
    return response.headers.get("Content-Type", b"").decode("latin-1")


def judge_response(response: Response) -> Verdict:
    """Can this response be read as a page? (extract/readable.py on a Scrapy response)."""
    location = response.headers.get("Location", b"").decode("latin-1")
    return judge_answer(response.status, response.body, _content_type(response), location)


_INDEX_PAGE = re.compile(r"/(?:index|default)\.[a-z]+$")


def _same_page(a: str, b: str) -> bool:
    def norm(u: str) -> str:
        p = urlsplit(u)
        return f"{p.hostname}:{p.port}{_INDEX_PAGE.sub('/', p.path)}?{p.query}"
    return norm(a) == norm(b)


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


class ColumnClaims:
    """Which column URLs of a unit a request has already taken, so each column is read once.

    In one process a set per unit; a distributed crawl shares them in Redis
    (crawler/distributed/state.py), claimed on behalf of the request being answered.
    """

    def __init__(self) -> None:
        self.taken: dict[str, set[str]] = {}

    def take(self, meta: dict, urls: list[str]) -> set[str]:
        """The URLs not taken before for meta's unit (now taken)."""
        taken = self.taken.setdefault(meta["unit"], set())
        new = set(urls) - taken
        taken |= new
        return new

    def forget(self, unit: str) -> None:
        """A finished unit's claims (no request of it is left to ask)."""
        self.taken.pop(unit, None)


class DisclosureSpider(LinkCheckSteps, BatchedAskSteps, ScriptListSteps, RenderSteps, scrapy.Spider):
    name = "disclosure"

    def __init__(self, units: list[dict], crawl_date: date, max_column_depth: int = 2,
                 max_links_checked: int = 200, previous: PreviousCrawl | NoPreviousCrawl | None = None,
                 max_list_pages: int = 1, page_budget: float | None = DEFAULT_SECONDS,
                 claims: ColumnClaims | None = None, browser: bool = False, browser_timeout: float = 30.0,
                 **kwargs: Any):
        super().__init__(**kwargs)
        # The browser (spiders/rendered.py) for what the static path cannot read; cookies a
        # challenge set in it, waiting for the unit's next plain request.
        self.browser, self.browser_timeout = browser, browser_timeout
        self.passed_cookies: dict[str, dict[str, str]] = {}
        # What the last finished crawl saw: every page is asked for conditionally, and one
        # that answers 304 Not Modified is carried forward, not re-parsed (crawler/previous.py).
        self.previous = previous or NoPreviousCrawl()
        self.units = units
        self.units_by_name = {u["name"]: u for u in units}  # callbacks look units up by name, often
        self.crawl_date = crawl_date
        self.max_column_depth = max_column_depth
        self.max_links_checked = max_links_checked
        self.max_list_pages = max_list_pages   # 1: first pages only; more with crawl.count_all_pages
        self.page_budget = page_budget
        # Per unit: where it may be crawled (crawler/scope.py) and column URLs already taken.
        # Units of one portal share one Scope object (memory grows with units, not with scopes).
        shared: dict[frozenset, Scope] = {}
        self.scopes: dict[str, Scope] = {}
        for u in units:
            scope = Scope([u["url"], *(c["url"] for c in u.get("columns", [])), *u.get("hosts", [])])
            self.scopes[u["name"]] = shared.setdefault(scope.origins, scope)
        # Requests that belong to no unit (robots.txt) must stay within some unit's scope.
        self.any_scope = Scope(o for s in self.scopes.values() for o in s.origins)
        self.claims = claims or ColumnClaims()
        # The disclosure page as finally served, per unit: carried in each request's meta,
        # since a distributed crawl answers a unit's columns on other machines (`adopt`).
        self.home_urls: dict[str, set[str]] = {}
        # Requests of each unit still awaiting their callback, and the units whose disclosure
        # page was answered: a crawl cut short by its deadline knows what it did not finish.
        self.pending: Counter[str] = Counter()
        self.reached: set[str] = set()
        # Link checks shared between units: results of recent checks, and checks in flight.
        self.link_results: OrderedDict[str, tuple] = OrderedDict()
        self.links_waiting: dict[str, tuple[frozenset, list[tuple[str, str]]]] = {}
        self.to_check: dict[str, list[tuple[str, str]]] = {}   # per unit, checks to send (_check_requests)

    async def start(self) -> Any:
        for request in self._disclosure_batches(
                self._request(unit["name"], unit["url"], self.parse_disclosure, self.unit_failed,
                              headers=self.previous.validators(unit["name"], unit["url"]), started=time.monotonic())
                for unit in self.units):
            await self._room()
            yield request

    async def _room(self) -> None:
        """Wait while Scrapy has no room for another unit (Scrapy's "lazy start requests"): its
        engine takes start() as fast as it yields, so a province's thousands of units would all
        wait in the scheduler from the first second."""
        crawler = getattr(self, "crawler", None)   # none where a coordinator only lists the requests
        if crawler is not None and crawler.engine is not None and crawler.engine.needs_backout():
            await crawler.signals.wait_for(signals.scheduler_empty)

    def closed(self, reason: str) -> None:
        self.previous.close()

    # ---- plumbing -----------------------------------------------------------

    def _request(self, unit: str, url: str, callback: Callable, errback: Callable | None,
                 headers: dict | None = None, method: str = "GET", **meta: Any) -> scrapy.Request:
        """Every request of the walk: tagged with its unit and scope, counted until answered."""
        self.pending[unit] += 1
        # No handle_httpstatus_all here: it would stop redirects being followed;
        # HTTPERROR_ALLOW_ALL already brings 4xx/5xx to the callbacks.
        return Request(url, callback=callback, errback=errback, method=method, headers=headers,
                       dont_filter=True, meta={"unit": unit, "scope": self.scopes[unit],
                                               "home_urls": self.home_urls.setdefault(unit, set()), **meta},
                       **self._with_cookies(unit))

    def adopt(self, meta: dict) -> None:
        """Take a unit's home page from a request that carries it: a distributed worker calls
        this before each answer of a unit whose disclosure page another worker read."""
        self.home_urls.setdefault(meta["unit"], set()).update(meta.get("home_urls", ()))

    def _answered(self, meta: dict) -> None:
        self.pending[meta["unit"]] -= 1

    def settle(self, unit: str) -> None:
        """Called once a callback's whole output is out (crawler/middlewares.py): a unit reached
        with nothing left pending is done, and its per-unit state goes, so memory stays flat
        however many units a crawl has."""
        if unit in self.reached and self.pending.get(unit, 0) <= 0:
            self.pending.pop(unit, None)
            self.home_urls.pop(unit, None)
            self.claims.forget(unit)

    def _budgeted(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`work(*args)` (one parse of a page) within its CPU budget; Unparsable beyond it or on failure."""
        try:
            with cpu_budget(self.page_budget):
                return work(*args, **kwargs)
        except PageTooCostly as exc:
            raise Unparsable(str(exc)) from None
        except RecursionError:
            raise Unparsable("页面结构嵌套过深，无法解析") from None
        except Exception as exc:   # a broken page is a finding, never a crashed callback
            LOG.warning("parse failed (%s: %s)", type(exc).__name__, exc)
            raise Unparsable(f"页面无法解析（{type(exc).__name__}）") from None

    def unfinished(self) -> tuple[list[str], list[str]]:
        """Units never reached, and units reached but with requests still open (a cut-short crawl)."""
        names = [u["name"] for u in self.units]
        return ([n for n in names if n not in self.reached],
                [n for n in names if n in self.reached and self.pending[n] > 0])

    def _unit(self, name: str) -> dict:
        return self.units_by_name[name]

    # ---- the disclosure page ---------------------------------------------

    def _unit_item(self, name: str, verdict: Verdict, response: Response | None, started: float,
                   newest_date: str | None = None) -> dict:
        self.reached.add(name)
        # Validators only for a page that was read: anything else is asked for in full next time.
        # (A rendered page's headers are its first answer's, a challenge's: no validators either.)
        validators = _validators(response) if response is not None and verdict.read \
            and not response.meta.get("rendered") else {}
        return {"type": "unit", "unit": name, "fetched_at": now_iso(), "url": self._unit(name)["url"],
                "final_url": response.url if response is not None else None,
                "http_status": response.status if response is not None else None,
                "reachable": verdict.state != UNREACHABLE, "state": verdict.state,
                "error": verdict.reason, "newest_date": newest_date, "blocked": verdict.state == BLOCKED,
                "read_with": BROWSER if verdict.read and response is not None and response.meta.get("rendered")
                else STATIC,
                "elapsed_ms": int((time.monotonic() - started) * 1000), **validators}

    def unit_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        self._answered(meta)
        yield self._unit_item(meta["unit"], describe_failure(failure), None, meta.get("started", time.monotonic()))

    def parse_disclosure(self, response: Response) -> Iterator[Any]:
        response = self._as_rendered(response)
        meta = response.meta
        self._answered(meta)
        name = meta["unit"]
        unit = self._unit(name)
        started = meta.get("started", time.monotonic())
        if response.status == 304:
            self.reached.add(name)
            yield from self._asked_in_batches(name, self._disclosure_unchanged(
                name, unit, response, int((time.monotonic() - started) * 1000)))
            return
        verdict = judge_response(response)
        if verdict.state == BLOCKED and self._can_render(meta):
            # A challenge: pass it the way a visitor's browser does (spiders/rendered.py).
            yield self._render_request(response.request, self.parse_disclosure,
                                       facts=self._unit_item(name, verdict, response, started))
            return
        if not verdict.read:
            yield self._unit_item(name, verdict, response, started)
            return
        scope = self.scopes[name]
        try:
            # The disclosure page's own list (最新信息) tells whether the "homepage" is updated;
            # one parse serves both column discovery and the link check.
            own_list, discovered, links = self._read_disclosure(response.body, response.url,
                                                                _content_type(response), scope)
        except Unparsable as exc:
            yield self._unit_item(name, Verdict(UNVERIFIABLE, str(exc)), response, started)
            return
        yield from self._asked_in_batches(name, self._disclosure_read(
            response, self._unit_item(name, verdict, response, started,
                                      own_list.newest_date.isoformat() if own_list.newest_date else None),
            discovered, links))

    def _disclosure_read(self, response: Response, checked: dict, discovered: list[tuple[str, str]],
                         links: list) -> Iterator[Any]:
        """The disclosure page read: its check, its columns asked for (those the last crawl saw, in
        batches: most are unchanged), its links checked."""
        name = response.meta["unit"]
        yield checked
        self.home_urls.setdefault(name, set()).add(response.url)
        configured = [(c["name"], c["url"]) for c in self._unit(name).get("columns", [])]
        new = self.claims.take(response.meta, [url for _, url in configured + discovered])
        for col_name, col_url in configured + discovered:
            if col_url in new:
                new.discard(col_url)
                yield self._column_request(name, col_name, col_url, depth=1,
                                           found_on=None if (col_name, col_url) in configured else response.url)
        yield from self._link_checks(name, links, {url for _, url in configured + discovered}, response.url,
                                     response.status)

    def _read_disclosure(self, body: bytes, url: str, content_type: str, scope: Scope
                         ) -> tuple[ListPage, list[tuple[str, str]], list]:
        """One tree for all three readers; each step within its own budget (a big but honest
        page, 10,000 links, needs them all)."""
        page = Page(decode(body, content_type))
        own_list = self._budgeted(extract_list, page, url, self.crawl_date)
        columns = self._budgeted(discover_columns, page, url, scope.hosts)
        links = self._budgeted(extract_links, page, url)
        return own_list, [(l.text, l.url) for l in columns if scope.allows(l.url)], links

    def _disclosure_unchanged(self, name: str, unit: dict, response: Response, elapsed: int) -> Iterator[Any]:
        """304: the disclosure page is as last time: its check, columns and links are the last crawl's."""
        yield {"type": "unit_unchanged", "unit": name, "fetched_at": now_iso(), "elapsed_ms": elapsed}
        self.home_urls.setdefault(name, set()).add(response.url)
        scope = self.scopes[name]
        configured = [(c["name"], c["url"], None) for c in unit.get("columns", [])]
        columns, pages = self.previous.found_on(name, response.url)
        candidates = [c for c in configured + [(c["name"], c["url"], response.url) for c in columns]
                      if scope.allows(c[1])]
        seen = {url for _, url, _ in candidates}
        new = self.claims.take(response.meta, list(seen))
        for col_name, col_url, found_on in candidates:
            if col_url in new:
                new.discard(col_url)
                yield self._column_request(name, col_name, col_url, depth=1, found_on=found_on)
        yield from self._page_requests(name, response.url, pages)
        checked = 0
        for link in self.previous.links(name):
            if link["url"] in seen or not scope.allows(link["url"]):
                continue
            checked += 1
            if checked > self.max_links_checked:
                yield from self._not_checked(name, link["url"], link["text"] or "", checked)
            elif link["url"] in (response.url, unit["url"]):
                yield self._link_item(name, link["url"], link["text"] or "", 200, None)
            else:
                yield from self._link_check(name, link["url"], link["text"] or "")
        yield from self._check_requests(name)

    def _column_request(self, unit: str, column: str, url: str, depth: int, found_on: str | None) -> scrapy.Request:
        return self._request(unit, url, self.parse_column, self.column_failed,
                             headers=self.previous.validators(unit, url), column=column, depth=depth,
                             found_on=found_on)

    def _page_requests(self, unit: str, found_on: str, pages: list[dict]) -> Iterator[Any]:
        """The guide and report pages the last crawl reached through a page that is unchanged."""
        for page in pages:
            if page["url"] == found_on:   # the page itself (a guide shown on its column page)
                yield {"type": "page_unchanged", "unit": unit, "url": page["url"], "fetched_at": now_iso()}
            elif not self.scopes[unit].allows(page["url"]):
                continue
            elif page["kind"] == "guide":
                yield self._guide_request(unit, page["url"], found_on)
            elif page["kind"] == "report":
                yield self._report_request(unit, page["url"], page["title"] or "", page["year"], found_on)

    # ---- columns -----------------------------------------------------------

    def column_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        self._answered(meta)
        verdict = describe_failure(failure)
        yield self._column_item(meta, failure.request.url, state=verdict.state, error=verdict.reason)

    def _column_item(self, meta: dict, url: str, state: str, page: ListPage | None = None,
                     http_status: int | None = None, error: str | None = None,
                     newest: tuple | None = None, date_source: str | None = None,
                     last_modified: str | None = None) -> dict:
        items = page.items if page else []
        if newest is None and page is not None and page.newest_date is not None:
            top = max((i for i in items if i.date), key=lambda i: i.date)
            newest, date_source = (page.newest_date, top.title, top.url), \
                BROWSER if meta.get("rendered") else SOURCE_LIST
        newest_date, newest_title, newest_url = newest or (None, None, None)
        return {
            "type": "column", "unit": meta["unit"], "name": meta["column"], "url": url,
            "observation": {
                "fetched_at": now_iso(), "http_status": http_status,
                # A blocked column is recorded unverifiable: a person must look.
                "state": UNVERIFIABLE if state == BLOCKED else state,
                "item_count": len(items), "newest_date": newest_date.isoformat() if newest_date else None,
                "newest_title": newest_title, "newest_url": newest_url, "date_source": date_source,
                "error": error, "meta_name": page.column_name if page else None,
                "last_modified": last_modified, "etag": meta.get("etag"), "found_on": meta.get("found_on"),
                # how the list was read: the page as served, one of its data calls (extract/sources/),
                # or the DOM the browser rendered
                "list_source": meta.get("list_source") or (BROWSER if meta.get("rendered") else STATIC),
            },
            "items": [{"url": i.url, "title": i.title, "date": i.date.isoformat() if i.date else None,
                       "report_year": report_year(i.title)} for i in items],
        }

    def parse_column(self, response: Response) -> Iterator[Any]:
        response = self._as_rendered(response)
        meta = response.meta
        self._answered(meta)
        unit = meta["unit"]
        scope = self.scopes[unit]
        if response.status == 304:
            yield {"type": "column_unchanged", "unit": unit, "name": meta["column"],
                   "url": response.url, "fetched_at": now_iso(), "found_on": meta.get("found_on")}
            # Sub-columns, the guide page and annual reports reached through it, as last time.
            columns, pages = self.previous.found_on(unit, response.url)
            if meta["depth"] < self.max_column_depth:
                new = self.claims.take(meta, [c["url"] for c in columns if scope.allows(c["url"])])
                for c in columns:
                    if c["url"] in new:
                        new.discard(c["url"])
                        yield self._column_request(unit, c["name"], c["url"], depth=meta["depth"] + 1,
                                                   found_on=response.url)
            yield from self._page_requests(unit, response.url, pages)
            return
        verdict = judge_response(response)
        if verdict.state == BLOCKED and self._can_render(meta):
            yield self._render_request(response.request, self.parse_column, facts=self._column_item(
                meta, response.url, state=verdict.state, http_status=response.status, error=verdict.reason))
            return
        if not verdict.read:
            # A challenge, a file, an unfollowed redirect: neither the column's content nor
            # (unless the site failed) an outage.
            yield self._column_item(meta, response.url, state=verdict.state, http_status=response.status,
                                    error=verdict.reason)
            return
        meta["etag"] = response.headers.get("ETag", b"").decode("latin-1") or None
        content_type = _content_type(response)
        last_modified = response.headers.get("Last-Modified", b"").decode("latin-1") or None
        if meta.get("rendered"):
            # Headers of a rendered page are its first answer's (a challenge's): neither a validator
            # nor a date; the next crawl asks for it in full.
            meta["etag"] = last_modified = None
        name = meta["column"]
        is_guide = any(w in name for w in GUIDE_WORDS)
        is_parent = False
        try:
            # One tree for every reader of this page (its list, its sub-columns, a guide's text).
            shared = Page(decode(response.body, content_type))
            page = self._budgeted(extract_list, shared, response.url, self.crawl_date)
            children: list = []
            if not is_guide and page.state == NOT_LIST and meta["depth"] < self.max_column_depth:
                is_parent = True
                # A parent column's page repeats the site's navigation: the disclosure page
                # itself and its siblings are not its children.
                home = {self._unit(unit)["url"], *meta.get("home_urls", ())}
                children = self._budgeted(discover_columns, shared, response.url, scope.hosts, exclude=home)
            guide_text = self._budgeted(extract_text, shared, response.url) if is_guide else None
        except Unparsable as exc:
            yield self._column_item(meta, response.url, state=UNVERIFIABLE, http_status=response.status,
                                    error=str(exc))
            return

        if is_guide:
            yield from self._guide(meta, response, page, guide_text)
            return
        if is_parent:
            new = self.claims.take(meta, [link.url for link in children if scope.allows(link.url)])
            for link in children:
                if link.url in new:
                    new.discard(link.url)
                    yield self._column_request(unit, link.text, link.url, depth=meta["depth"] + 1,
                                               found_on=response.url)
        if page.state == UNVERIFIABLE and not meta.get("rendered"):
            # A list the page's script fills: read through the call the script makes (script_lists.py),
            # else in the browser (rendered.py).
            request = self._script_list_request(meta, response, page, content_type)
            if request is None and self._can_render(meta):
                request = self._render_request(response.request, self.parse_column,
                                               listed=(response.url, page, response.status, last_modified))
            if request is not None:
                yield request
                return
        if page.state == LIST and page.next_pages and self.max_list_pages > 1:
            # crawl.count_all_pages: the column's later pages, one after another, so 条数 is its total.
            next_pages = [u for u in page.next_pages if scope.allows(u)][:self.max_list_pages - 1]
            if next_pages:
                yield self._list_page_request(meta, response.url, page, response.status, last_modified, next_pages)
                return
        yield from self._listed(meta, response.url, page, response.status, last_modified)

    def _listed(self, meta: dict, url: str, page: ListPage, status: int, last_modified: str | None) -> Iterator[Any]:
        """A list column read: its reports, its newest item's page when it shows no dates, its facts."""
        unit, name = meta["unit"], meta["column"]
        if any(w in name for w in REPORT_WORDS) and page.state == LIST:
            yield from self._report_requests(unit, page, url)
        if page.state == LIST and page.newest_date is None and page.items:
            # The list shows no dates: the newest item's own page may (PubDate, 发布时间).
            # A pinned (置顶) item sits on top whatever its age: the first unpinned one is the newest.
            first = next((i for i in page.items if not i.pinned), page.items[0])
            if self.scopes[unit].allows(first.url):
                yield self._request(unit, first.url, self.parse_detail, self.detail_failed,
                                    column=name, depth=meta["depth"], list_page=page, detail_item=first,
                                    list_url=url, list_status=status, last_modified=last_modified,
                                    etag=meta.get("etag"), found_on=meta.get("found_on"))
                return
        yield self._with_fallback(meta, url, page, status, last_modified)

    # ---- later pages of a list (crawl.count_all_pages) ----------------------

    def _list_page_request(self, meta: dict, list_url: str, page: ListPage, status: int,
                           last_modified: str | None, pages_left: list[str]) -> scrapy.Request:
        url, rest = pages_left[0], pages_left[1:]
        # Hanweb's dataproxy.jsp answers the POST its pager script sends (parameters in the query).
        method = "POST" if "dataproxy" in urlsplit(url).path.lower() else "GET"
        return self._request(meta["unit"], url, self.parse_list_page, self.list_page_failed, method=method,
                             column=meta["column"], depth=meta["depth"], etag=meta.get("etag"),
                             found_on=meta.get("found_on"), list_page=page, list_url=list_url,
                             list_status=status, last_modified=last_modified, pages_left=rest)

    def parse_list_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        self._answered(meta)
        page: ListPage = meta["list_page"]
        if judge_response(response).read:
            body = response.body
            if b"<recordset" in body[:4096].lower() and b"<script" not in body[:4096].lower():
                # A bare Hanweb datastore: read it as the recordset it would be inside a page.
                body = b'<script type="text/xml">' + body + b"</script>"
            try:
                more = self._budgeted(extract_list, body, response.url, self.crawl_date, _content_type(response))
            except Unparsable:
                more = None   # a later page that cannot be read: the column is what the others say
            if more is not None and more.state == LIST:
                known = {i.url for i in page.items}
                page = replace(page, items=page.items + [i for i in more.items if i.url not in known or not i.url])
        yield from self._next_or_listed(meta, page)

    def list_page_failed(self, failure: Failure) -> Iterator[Any]:
        # A later page that does not open: the column is what the pages read so far say.
        self._answered(failure.request.meta)
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
            try:
                lm = parsedate_to_datetime(last_modified).date()
            except (TypeError, ValueError, IndexError, OverflowError):
                lm = None
            if lm and lm <= self.crawl_date:
                # Last resort, and marked as such: a server clock, not a publication date.
                return self._column_item(meta, url, page.state, page, status,
                                         newest=(lm, page.items[0].title, page.items[0].url),
                                         date_source=SOURCE_LAST_MODIFIED, last_modified=last_modified)
        return self._column_item(meta, url, page.state, page, status, last_modified=last_modified)

    def parse_detail(self, response: Response) -> Iterator[dict]:
        meta = response.meta
        self._answered(meta)
        page: ListPage = meta["list_page"]
        item = meta["detail_item"]
        detail = None
        if judge_response(response).read:
            try:
                found = self._budgeted(extract_article_date, response.body, response.url, _content_type(response))
            except Unparsable:
                found = None
            if found and found.date and found.date <= self.crawl_date:
                detail = (found.date, item.title, item.url)
        yield self._with_fallback(meta, meta["list_url"], page, meta["list_status"], meta["last_modified"], detail)

    def detail_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        self._answered(meta)
        yield self._with_fallback(meta, meta["list_url"], meta["list_page"], meta["list_status"],
                                  meta["last_modified"])

    # ---- annual reports -----------------------------------------------------

    def _report_requests(self, unit: str, page: ListPage, found_on: str) -> Iterator[scrapy.Request]:
        """The newest two annual reports of a 年报 column (distinct years): their content is judged."""
        newest: dict[int, Any] = {}
        for item in page.items:
            year = report_year(item.title)
            if year and self.scopes[unit].allows(item.url):
                newest.setdefault(year, item)
        for year in sorted(newest, reverse=True)[:2]:
            item = newest[year]
            yield self._report_request(unit, item.url, item.title, year, found_on)

    def _report_request(self, unit: str, url: str, title: str, year: int | None, found_on: str) -> scrapy.Request:
        return self._request(unit, url, self.parse_report_page, self.report_failed,
                             headers=self.previous.validators(unit, url), title=title, year=year, found_on=found_on)

    def parse_report_page(self, response: Response) -> Iterator[dict]:
        """An annual report's page, raw HTML kept: rules/annual_report.py reads sections and tables."""
        self._answered(response.meta)
        if response.status == 304:
            yield {"type": "page_unchanged", "unit": response.meta["unit"], "url": response.url, "fetched_at": now_iso()}
            return
        if response.status >= 300:
            return
        ctype = _content_type(response)
        # A PDF or Word file is kept as an empty page: the rules then say the tables cannot be read.
        is_html = not ctype or "html" in ctype.lower()
        if is_html and not judge_response(response).read:
            return   # a challenge or binary answer: the report was not seen, so it is not judged
        body = decode(response.body, ctype) if is_html else ""
        yield {"type": "page", "unit": response.meta["unit"], "kind": "report", "url": response.url,
               "title": response.meta["title"], "year": response.meta["year"], "text": body[:MAX_REPORT_CHARS],
               "found_on": response.meta["found_on"], **_validators(response)}

    def report_failed(self, failure: Failure) -> Iterator[dict]:
        self._answered(failure.request.meta)
        return iter(())   # an unreadable report page is not judged; its link is checked elsewhere

    # ---- the guide ----------------------------------------------------------

    def _guide(self, meta: dict, response: Response, page: ListPage, own_text: str) -> Iterator[Any]:
        """The guide column is usually the guide itself; sometimes a list of guides.

        Only a page with little text of its own is a list, and only an item named a
        guide (指南) on another page is followed: a guide page's breadcrumb (首页 > 信息公开
        > 公开指南) is neither.
        """
        yield self._column_item(meta, response.url, page.state, page, response.status)
        if page.state == LIST and len(own_text) < GUIDE_PAGE_CHARS:
            candidates = [i for i in page.items if i.url and not _same_page(i.url, response.url)
                          and self.scopes[meta["unit"]].allows(i.url)]
            chosen = choose_guide(candidates, meta["unit"])
            if chosen is not None:
                yield self._guide_request(meta["unit"], chosen.url, response.url)
                return
        yield self._guide_page(meta["unit"], response, own_text, found_on=response.url)

    def _guide_request(self, unit: str, url: str, found_on: str) -> scrapy.Request:
        return self._request(unit, url, self.parse_guide, self.guide_failed,
                             headers=self.previous.validators(unit, url), found_on=found_on)

    def parse_guide(self, response: Response) -> Iterator[dict]:
        meta = response.meta
        self._answered(meta)
        if response.status == 304:
            yield {"type": "page_unchanged", "unit": meta["unit"], "url": response.url, "fetched_at": now_iso()}
            return
        text = None
        if judge_response(response).read:
            try:
                text = self._budgeted(extract_text, response.body, response.url, _content_type(response))
            except Unparsable:
                pass
        yield self._guide_page(meta["unit"], response, text, found_on=meta["found_on"])

    def guide_failed(self, failure: Failure) -> Iterator[dict]:
        meta = failure.request.meta
        self._answered(meta)
        # Found but not read: recorded without text, so nothing is said about its elements.
        yield {"type": "page", "unit": meta["unit"], "kind": "guide", "url": failure.request.url, "title": "",
               "text": None, "found_on": meta["found_on"]}

    @staticmethod
    def _guide_page(unit: str, response: Response, text: str | None, found_on: str) -> dict:
        """The guide's page; text None when it could not be read (a challenge, a file, too costly)."""
        return {"type": "page", "unit": unit, "kind": "guide", "url": response.url, "title": "",
                "text": text, "found_on": found_on, **(_validators(response) if text is not None else {})}
