"""What the last finished crawl saw, for conditional re-crawls: looked up per request.

A page that answers 304 Not Modified stands for what it said last time: its facts are
carried forward (the store's carry_forward*) and the pages it led to (columns, the guide,
annual reports, the disclosure page's links) are asked for again, conditionally too.
Nothing is held in memory: each lookup is an indexed query on the database, so a crawl of
100,000 pages keeps its memory flat.
"""
from __future__ import annotations

from pathlib import Path

from store import Store


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for the validators a page was last served with."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class PreviousCrawl:
    def __init__(self, db_path: str | Path):
        self.store = Store(db_path)
        run = self.store.latest_run("crawl")
        self.run_id: int | None = run["id"] if run else None
        self.unit_ids = self.store.unit_ids() if run else {}

    def _unit(self, unit: str) -> int | None:
        return self.unit_ids.get(unit) if self.run_id is not None else None

    def validators(self, unit: str, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since headers for `url`, when the last crawl kept its page."""
        uid = self._unit(unit)
        found = self.store.previous_validators(self.run_id, uid, url) if uid is not None else None
        if not found:
            return {}
        return conditional_headers(*found)

    def found_on(self, unit: str, url: str) -> tuple[list[dict], list[dict]]:
        """Columns and guide/report pages the last crawl reached through `url`."""
        uid = self._unit(unit)
        return self.store.found_on(self.run_id, uid, url) if uid is not None else ([], [])

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
