"""Per-crawl state the workers share in Redis: the columns taken, and what the last crawl saw.

In one process the spider keeps a set of column URLs per unit and asks SQLite for
the last crawl's validators. Workers on other machines have neither, so:

* `RedisClaims` — a hash of (unit, column URL) → the request that took it. A claim is
  made on behalf of the request being answered, so the same request answered again
  (its worker was killed before committing) owns its claims again and yields the same
  columns, and any other request sees them taken.
* `RedisPreviousCrawl` — the last finished crawl's validators, `found_on` and checked
  links, published by the coordinator from the store before the first request
  (`publish_previous`), read with the same interface as crawler/previous.py.

The unit's hosts and home page travel in each request's meta instead (the spider's `adopt`).
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from crawler.distributed.queue import REQUEST_ID, Keys
from crawler.previous import conditional_headers
from store import Store

_SEP = "\x1f"
_TAKE = """
local new = {}
for i = 2, #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) == 1 or redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then
    new[#new + 1] = i - 1
  end
end
return new
"""


class RedisClaims:
    """The spider's ColumnClaims, shared by every worker of a crawl."""

    def __init__(self, server, keys: Keys):
        self.server = server
        self.key = keys.claims
        self._take = server.register_script(_TAKE)

    def take(self, meta: dict, urls: list[str]) -> set[str]:
        urls = list(dict.fromkeys(urls))
        if not urls:
            return set()
        owner = meta.get(REQUEST_ID) or uuid.uuid4().hex
        taken = self._take(keys=[self.key], args=[owner, *(meta["unit"] + _SEP + url for url in urls)])
        return {urls[i - 1] for i in taken}

    def forget(self, unit: str) -> None:
        """Kept: other workers may still be answering the unit's requests (the crawl's key expires)."""


def _field(kind: str, *parts: str) -> str:
    return _SEP.join((kind, *parts))


def publish_previous(server, keys: Keys, db_path: str | Path, chunk: int = 1000) -> int | None:
    """Copy what the last finished crawl saw into Redis for the workers; its run id, or None."""
    with Store(db_path) as store:
        run = store.latest_run("crawl")
        if run is None:
            return None
        names = {uid: name for name, uid in store.unit_ids().items()}
        fields: dict[str, str] = {}
        for unit, url, etag, last_modified in store.run_validators(run["id"]):
            fields.setdefault(_field("v", names[unit], url), json.dumps([etag, last_modified]))
        found: dict[str, dict[str, list]] = {}
        columns, pages = store.run_found_on(run["id"])
        for row in columns:
            entry = found.setdefault(_field("f", names[row["unit"]], row["found_on"]), {"columns": [], "pages": []})
            entry["columns"].append({"name": row["name"], "url": row["url"]})
        for row in pages:
            entry = found.setdefault(_field("f", names[row["unit"]], row["found_on"]), {"columns": [], "pages": []})
            entry["pages"].append({k: row[k] for k in ("kind", "url", "title", "year")})
        links: dict[str, list] = {}
        for row in store.run_links(run["id"]):
            links.setdefault(_field("l", names[row["unit"]]), []).append({"url": row["url"], "text": row["text"]})
    fields.update((k, json.dumps(v, ensure_ascii=False)) for k, v in found.items())
    fields.update((k, json.dumps(v, ensure_ascii=False)) for k, v in links.items())
    items = list(fields.items())
    with server.pipeline(transaction=False) as pipe:
        for i in range(0, len(items), chunk):
            pipe.hset(keys.previous, mapping=dict(items[i:i + chunk]))
        pipe.execute()
    return run["id"]


class RedisPreviousCrawl:
    """crawler/previous.py's PreviousCrawl, read from what the coordinator published."""

    def __init__(self, server, keys: Keys):
        self.server = server
        self.key = keys.previous

    def _get(self, field: str):
        value = self.server.hget(self.key, field)
        return json.loads(value) if value is not None else None

    def validators(self, unit: str, url: str) -> dict[str, str]:
        return conditional_headers(*(self._get(_field("v", unit, url)) or (None, None)))

    def found_on(self, unit: str, url: str) -> tuple[list[dict], list[dict]]:
        entry = self._get(_field("f", unit, url)) or {"columns": [], "pages": []}
        return entry["columns"], entry["pages"]

    def links(self, unit: str) -> list[dict]:
        return self._get(_field("l", unit)) or []

    def close(self) -> None:
        pass
