"""Item pipeline: every fact the spider yields goes straight to the store.

Nothing is buffered beyond one item, so memory stays flat on big crawls, and
each column is written in one transaction, so a kill leaves no half a column.
"""
from __future__ import annotations

from store import Store


class StorePipeline:
    def __init__(self, db_path: str, run_id: int, units: list[dict]):
        self.db_path = db_path
        self.run_id = run_id
        self.units = units
        self.store: Store | None = None
        self.unit_ids: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.counts = {"unit": 0, "column": 0, "column_unchanged": 0, "link": 0, "page": 0}

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.get("GOVFRESH_DB"), s.getint("GOVFRESH_RUN_ID"), s.getlist("GOVFRESH_UNITS"))

    def open_spider(self, spider=None):
        self.store = Store(self.db_path)
        with self.store.transaction():
            for unit in self.units:
                self.unit_ids[unit["name"]] = self.store.unit_id(unit["name"], unit["kind"], unit["url"])
                self.kinds[unit["name"]] = unit["kind"]

    def close_spider(self, spider=None):
        if self.store:
            self.store.close()

    def process_item(self, item, spider=None):
        store, run, uid = self.store, self.run_id, self.unit_ids[item["unit"]]
        kind = item["type"]
        if kind == "unit":
            store.record_unit_check(run, uid, **{k: item[k] for k in (
                "fetched_at", "url", "final_url", "http_status", "reachable", "error", "elapsed_ms", "newest_date")},
                                    blocked=int(item.get("blocked", False)), kind=self.kinds[item["unit"]])
        elif kind == "column":
            store.record_column(run, uid, item["name"], item["url"], item["observation"], item["items"])
        elif kind == "column_unchanged":
            store.carry_forward(run, uid, item["url"], item["fetched_at"])
        elif kind == "link":
            store.record_link(run, uid, item["url"], item["text"], item["http_status"], item["error"])
        elif kind == "page":
            store.record_page(run, uid, item["kind"], item["url"], item["title"], item["text"], item.get("year"))
        self.counts[kind] += 1
        return item
