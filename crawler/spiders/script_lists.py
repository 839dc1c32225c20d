"""The spider's steps for lists a page fills by script: the page's own data call, read directly.

When a column page's list is filled at run time (extract/liststate.py says unverifiable) and
the page names the call its script makes (extract/sources/: Hanweb dataproxy.jsp, a JSON
API), that call is made here, within the unit's scope, and its answers (following groups or
pages up to the column's page budget) become the column's list; the column records which
source it came from (``list_source``). An endpoint that does not answer as expected leaves
the column as it was: unverifiable, never empty on a guess.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract.encoding import decode
from crawler.extract.readable import is_challenge
from crawler.extract.sources import Batch, DataCall, find_data_call, read_data_call
from crawler.request import Request
from crawler.extract.types import EMPTY, LIST, ListPage


class ScriptListSteps:
    """Mixed into DisclosureSpider: data calls for script-filled lists."""

    def _script_list_request(self, meta: dict, response: Response, page: ListPage,
                             content_type: str) -> scrapy.Request | None:
        """The request that reads an unverifiable list through its data call, or None."""
        try:
            found = self._budgeted(find_data_call, decode(response.body, content_type), response.url)
        except Exception:   # Unparsable: over the page's CPU budget
            return None
        if found is None:
            return None
        kind, call = found
        if not self.scopes[meta["unit"]].allows(call.url):
            return None   # a call to another site: not made (the crawl stays in the unit's scope)
        self.crawler.stats.inc_value(f"govfresh/list_source/{kind}")
        return self._data_call_request(meta, kind, call, list_url=response.url, list_page=page,
                                       list_status=response.status, items=[], calls_left=self.max_list_pages)

    def _data_call_request(self, meta: dict, kind: str, call: DataCall, **carried: Any) -> scrapy.Request:
        headers = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/xml, */*; q=0.1",
                   "Referer": call.referer}
        if call.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
        # The shell page's validators do not describe the list: the next crawl asks for it in full.
        request = self._request(meta["unit"], call.url, self.parse_data_call, self.data_call_failed,
                                headers=headers, method=call.method, column=meta["column"], depth=meta["depth"],
                                found_on=meta.get("found_on"), etag=None, list_source=kind, data_call=call,
                                **carried)
        return request.replace(body=urlencode(call.form)) if call.method == "POST" else request

    def parse_data_call(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        self._answered(meta)
        batch = Batch(readable=False)
        # An answer, not a page: JSON or XML is fine; an error or a challenge is no answer.
        if response.status < 400 and not is_challenge(response.status, response.body):
            try:
                batch = self._budgeted(read_data_call, meta["list_source"], response.body, meta["data_call"],
                                       self.crawl_date, response.headers.get("Content-Type", b"").decode("latin-1"))
            except Exception:   # Unparsable: the answer is over the page's CPU budget
                batch = Batch(readable=False)
        if not batch.readable:
            yield from self._data_calls_done(meta, read=bool(meta["items"]))
            return
        known = {i.url for i in meta["items"]}
        meta["items"] = meta["items"] + [i for i in batch.items if not i.url or i.url not in known]
        nxt, left = batch.next_call, meta["calls_left"] - 1
        if nxt is not None and left > 0 and self.scopes[meta["unit"]].allows(nxt.url):
            yield self._data_call_request(meta, meta["list_source"], nxt, list_url=meta["list_url"],
                                          list_page=meta["list_page"], list_status=meta["list_status"],
                                          items=meta["items"], calls_left=left)
            return
        yield from self._data_calls_done(meta, read=True)

    def data_call_failed(self, failure: Failure) -> Iterator[Any]:
        meta = failure.request.meta
        self._answered(meta)
        yield from self._data_calls_done(meta, read=bool(meta["items"]))

    def _data_calls_done(self, meta: dict, read: bool) -> Iterator[Any]:
        """The column as its data calls read it; as the page showed it when they read nothing."""
        shell: ListPage = meta["list_page"]
        if not read:
            meta["list_source"] = None
            yield from self._unread_script_list(meta, shell)
            return
        items = meta["items"]
        page = replace(shell, state=LIST if items else EMPTY, items=items, next_pages=[],
                       note=f"read from the page's data call ({meta['list_source']})")
        yield from self._listed(meta, meta["list_url"], page, meta["list_status"], None)

    def _unread_script_list(self, meta: dict, shell: ListPage) -> Iterator[Any]:
        """A script-filled list no data call could read: the browser's turn, else recorded unverifiable."""
        meta["list_source"] = None
        if self._can_render(meta):
            page = Request(meta["list_url"], meta={k: v for k, v in meta.items()
                                                   if k not in ("data_call", "items", "calls_left")})
            yield self._render_request(page, self.parse_column,
                                       listed=(meta["list_url"], shell, meta["list_status"], None))
            return
        yield from self._listed(meta, meta["list_url"], shell, meta["list_status"], None)
