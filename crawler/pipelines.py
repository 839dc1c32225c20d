"""Item pipeline: every fact the spider yields goes to the store, in batches.

Facts are written in one transaction per batch of ``GOVFRESH_BATCH`` items, at least every
``GOVFRESH_FLUSH_SECONDS`` and at the end, so SQLite commits a few hundred times per 100,000
pages instead of once per fact; memory stays flat (a batch is a few hundred small dicts). A batch holds whole facts only
(a column's observation with its items), and a crawl killed before its run is marked
finished never counts, so a kill leaves nothing half-counted. This pipeline is the one
writer of a crawl: whatever fetches the pages, facts reach the store through it, so
this is where crawled text is made safe, once (crawler/sanitize.py).
"""
from __future__ import annotations

from crawler.bundle import facts_of
from crawler.sanitize import safe_item
from store import Store


class StorePipeline:
    def __init__(self, db_path: str, run_id: int, units: list[dict] | None, batch: int = 200,
                 flush_seconds: float = 1.0):
        self.db_path = db_path
        self.run_id = run_id
        self.units = units
        self.batch = max(1, batch)
        self.flush_seconds = flush_seconds
        self._timer = None
        self.store: Store | None = None
        self.unit_ids: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.pending: list[dict] = []
        self.counts = {"unit": 0, "unit_unchanged": 0, "column": 0, "column_unchanged": 0, "link": 0, "page": 0,
                       "page_unchanged": 0}

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        # The units are the spider's (not a setting: Scrapy copies its settings, every unit with them).
        pipeline = cls(s.get("GOVFRESH_DB"), s.getint("GOVFRESH_RUN_ID"), None,
                       s.getint("GOVFRESH_BATCH", 200), s.getfloat("GOVFRESH_FLUSH_SECONDS", 1.0))
        pipeline.stats = crawler.stats
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        if self.units is None:
            self.units = (spider or self.crawler.spider).units
        self.store = Store(self.db_path)
        with self.store.transaction():
            for unit in self.units:
                self.unit_ids[unit["name"]] = self.store.unit_id(unit["name"], unit["kind"], unit["url"])
                self.kinds[unit["name"]] = unit["kind"]
        if self.flush_seconds > 0:
            # Facts reach the disk within a second even while slow sites keep a batch open.
            from twisted.internet import task
            self._timer = task.LoopingCall(self.flush)
            self._timer.start(self.flush_seconds, now=False)

    def close_spider(self, spider=None):
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self.store:
            try:
                self.flush()
            except Exception as exc:
                # Scrapy only logs errors raised here: say so to the runner, which then
                # does not mark the run finished (facts are missing).
                if getattr(self, "stats", None) is not None:
                    self.stats.set_value("govfresh/store_error", f"{type(exc).__name__}: {exc}")
                raise
            finally:
                self.store.close()

    def process_item(self, item, spider=None):
        for fact in facts_of(item):
            clean = safe_item(fact)
            clean["unit"] = fact["unit"]   # the unit's name is the config's, and the key to its id
            self.pending.append(clean)
            self.counts[fact["type"]] += 1
        if len(self.pending) >= self.batch:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the pending facts in one transaction (the most frequent kinds in one statement each)."""
        if not self.pending:
            return
        many: dict[str, list[tuple]] = {"column_unchanged": [], "link": [], "page_unchanged": []}
        with self.store.transaction():
            for item in self.pending:
                self._write(item, many)
            self.store.carry_forward(self.run_id, many["column_unchanged"])
            self.store.carry_forward_pages(self.run_id, many["page_unchanged"])
            self.store.record_links(self.run_id, many["link"])
        self.pending = []

    def _write(self, item: dict, many: dict[str, list[tuple]]) -> None:
        """Write one fact, or add it to `many`: the kinds written together at the end of the batch
        (each kind's rows keep their order; no fact of a batch reads another of the same batch)."""
        store, run, uid = self.store, self.run_id, self.unit_ids[item["unit"]]
        kind = item["type"]
        if kind == "unit":
            store.record_unit_check(run, uid, **{k: item[k] for k in (
                "fetched_at", "url", "final_url", "http_status", "reachable", "state", "error", "elapsed_ms",
                "newest_date")},
                                    blocked=int(item.get("blocked", False)), kind=self.kinds[item["unit"]],
                                    etag=item.get("etag"), last_modified=item.get("last_modified"),
                                    read_with=item.get("read_with"))
        elif kind == "unit_unchanged":
            store.carry_forward_unit(run, uid, item["fetched_at"], item["elapsed_ms"], self.kinds[item["unit"]])
        elif kind == "column":
            store.record_column(run, uid, item["name"], item["url"], item["observation"], item["items"])
        elif kind == "column_unchanged":
            many[kind].append((uid, item["url"], item["fetched_at"], item.get("found_on")))
        elif kind == "link":
            many[kind].append((uid, item["url"], item["text"], item["http_status"], item["error"],
                               item.get("checked", True)))
        elif kind == "page":
            store.record_page(run, uid, item["kind"], item["url"], item["title"], item["text"], item.get("year"),
                              item.get("found_on"), item.get("etag"), item.get("last_modified"))
        elif kind == "page_unchanged":
            many[kind].append((uid, item["url"]))
