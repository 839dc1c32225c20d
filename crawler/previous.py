"""What the last finished crawl saw, for conditional re-crawls: looked up per request.

A page that answers 304 Not Modified stands for what it said last time: its facts are
carried forward (the store's carry_forward*) and the pages it led to (columns, the guide,
annual reports, the disclosure page's links) are asked for again, conditionally too.
What a unit's pages were served with and led to is read in one query per unit, when its
first page is asked for, and kept for the units being crawled at once (a bounded window of
them, below): a crawl of 100,000 pages keeps its memory flat.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

from store import Store

# How many units' disclosure pages the spider sends together (crawler/spiders/batched_asks.py).
UNITS_AT_ONCE = 400


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for the validators a page was last served with."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class PreviousCrawl:
    # Units whose lookups are kept. The spider sends its units' disclosure pages UNITS_AT_ONCE
    # at a time, the next window while this one answers, and reads a unit's lookups when it
    # sends the page, when the page answers and when its columns go out: up to ~1,700 lookups
    # apart on a 2,000-unit re-crawl. Kept for fewer units, a unit was read up to 3 times
    # (64 units: 819 reads of validators on a 300-unit re-crawl). ~8 KB a unit at most.
    KEPT_UNITS = 3 * UNITS_AT_ONCE

    def __init__(self, db_path: str | Path):
        self.store = Store(db_path)
        run = self.store.latest_run("crawl")
        self.run_id: int | None = run["id"] if run else None
        self.unit_ids = self.store.unit_ids() if run else {}
        self._kept: OrderedDict[tuple[str, str], Any] = OrderedDict()

    def _unit(self, unit: str) -> int | None:
        return self.unit_ids.get(unit) if self.run_id is not None else None

    def _of_unit(self, what: str, unit: str, read: Callable[[int, int], Any], empty: Any) -> Any:
        """One unit's `what` (validators, found_on) as `read(run, unit id)` gives it, read once."""
        key = (what, unit)
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        uid = self._unit(unit)
        value = read(self.run_id, uid) if uid is not None else empty
        self._kept[key] = value
        if len(self._kept) > 2 * self.KEPT_UNITS:
            self._kept.popitem(last=False)
        return value

    def validators(self, unit: str, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since headers for `url`, when the last crawl kept its page."""
        found = self._of_unit("validators", unit, self.store.unit_validators, {}).get(url)
        if not found:
            return {}
        return conditional_headers(*found)

    def found_on(self, unit: str, url: str) -> tuple[list[dict], list[dict]]:
        """Columns and guide/report pages the last crawl reached through `url`."""
        columns, pages = self._of_unit("found_on", unit, self.store.unit_found_on, ({}, {}))
        return columns.get(url, []), pages.get(url, [])

    def links(self, unit: str) -> list[dict]:
        """Links of the unit's disclosure page that the last crawl checked."""
        uid = self._unit(unit)
        return self.store.previous_links(self.run_id, uid) if uid is not None else []

    def close(self) -> None:
        self.store.close()


class NoPreviousCrawl:
    """A first crawl (or a test): nothing to carry forward."""

    def validators(self, unit: str, url: str) -> dict[str, str]:
        return {}

    def found_on(self, unit: str, url: str) -> tuple[list[dict], list[dict]]:
        return [], []

    def links(self, unit: str) -> list[dict]:
        return []

    def close(self) -> None:
        pass
