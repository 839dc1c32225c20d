"""The SQLite store: the one place in govfresh that speaks SQL.

Observations are facts with the time they were seen; findings are derived from
them later. A crawl is a run: until it is marked finished it never counts, so
a run killed halfway (kill -9, power cut) leaves nothing half-counted.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

RUNNING, FINISHED, ABORTED, FAILED = "running", "finished", "aborted", "failed"

# Tables and their columns. New columns are added to old databases on open.
SCHEMA: dict[str, dict[str, Any]] = {
    "runs": dict(columns={"id": int, "kind": str, "started": str, "finished": str, "status": str,
                          "crawl_date": str, "county": str, "note": str, "pid": int},
                 pk="id"),
    "units": dict(columns={"id": int, "name": str, "kind": str, "url": str}, pk="id"),
    # A unit as one crawl checked it: its address and kind then, so a later sites.yaml edit
    # (a new domain, another kind) never rewrites what an earlier week's report said.
    "unit_checks": dict(columns={"id": int, "run": int, "unit": int, "kind": str, "fetched_at": str, "url": str,
                                 "final_url": str, "http_status": int, "reachable": int, "error": str,
                                 "elapsed_ms": int, "newest_date": str, "blocked": int,
                                 "etag": str, "last_modified": str,
                                 # static, or browser: the page was read once a challenge was passed in it
                                 "read_with": str,
                                 # read | unreachable | blocked | unverifiable | not_checked (rules/facts.py);
                                 # complete=0: the crawl's deadline cut the unit short.
                                 "state": str, "complete": int},
                        pk="id"),
    "columns": dict(columns={"id": int, "unit": int, "name": str, "url": str}, pk="id"),
    "observations": dict(columns={"id": int, "run": int, "column": int, "fetched_at": str,
                                  "http_status": int, "state": str, "item_count": int,
                                  "newest_date": str, "newest_title": str, "newest_url": str,
                                  "date_source": str, "error": str, "meta_name": str,
                                  "etag": str, "last_modified": str,
                                  # how the list was read: static, browser, or a data call's kind
                                  # (hanweb_dataproxy, json_api: crawler/extract/sources/)
                                  "list_source": str,
                                  # the page whose link led to this column (None: configured by hand);
                                  # a re-crawl that finds that page unchanged asks for its columns again
                                  "found_on": str,
                                  # the run whose items the column holds here: its own, or for a
                                  # column that answered 304 the run it carries them from (NULL in
                                  # rows written before this column existed: their own run)
                                  "items_run": int},
                         pk="id"),
    # An item is on its column's list in every run that read the list from first_seen_run to
    # last_seen_run; a run that found the list unchanged (304) shows the items of the run it
    # carries (observations.items_run), so that nothing here is written again.
    "items": dict(columns={"column": int, "url": str, "title": str, "date": str,
                           "first_seen_run": int, "last_seen_run": int, "report_year": int},
                  pk=("column", "url")),
    # checked 0: shown on the page but not checked this crawl (a challenge answered, past the
    # limit); NULL in rows written before the column existed, which were all checked.
    "links": dict(columns={"id": int, "run": int, "unit": int, "url": str, "text": str,
                           "http_status": int, "error": str, "checked": int},
                  pk="id"),
    # A guide's or report's text is kept once per content (page_contents), referenced by
    # `content`; `text` holds it only in rows written before that table existed.
    "pages": dict(columns={"id": int, "run": int, "unit": int, "kind": str, "url": str,
                           "title": str, "text": str, "year": int, "content": str,
                           "found_on": str, "etag": str, "last_modified": str},
                  pk="id"),
    "page_contents": dict(columns={"hash": str, "text": str}, pk="hash"),
    "probes": dict(columns={"id": int, "unit": int, "at": str, "ok": int, "http_status": int,
                            "elapsed_ms": int, "error": str},
                   pk="id"),
    "waivers": dict(columns={"id": int, "unit": str, "rule": str, "column": str, "reason": str,
                             "until": str, "created": str},
                    pk="id"),
    # One row per attempt to post one part. `content`: a hash of the part and its target, what
    # identifies it (not its number); ok NULL: sent, its answer never recorded (a crash).
    "deliveries": dict(columns={"id": int, "notice": str, "target": str, "part": int, "content": str,
                                "sent_at": str, "ok": int, "response": str, "note": str},
                       pk="id"),
    # A finished crawl as the rules judged it (rules/period.py), kept so a report over a year of
    # crawls does not judge them all again. `key` names the rules and their code: another key is
    # another judgement. Derived data: deleting the table changes no report.
    "judged_crawls": dict(columns={"run": int, "key": str, "data": str}, pk="run"),
}

INDEXES = [
    ("units", ["name"], True),
    ("columns", ["unit", "url"], True),
    ("unit_checks", ["run", "unit"], False),
    ("unit_checks", ["unit", "run"], False),      # carry_forward_unit: a unit's latest check
    ("observations", ["run", "column"], False),
    ("observations", ["column", "run"], False),   # carry_forward: a column's latest observation
    ("links", ["run", "unit"], False),
    ("pages", ["run", "unit", "kind"], False),
    ("pages", ["unit", "url"], False),            # carry_forward_pages, unit_validators
    ("probes", ["unit", "at"], False),
    ("deliveries", ["notice", "target", "content"], False),
    ("runs", ["kind", "status", "crawl_date"], False),
]
# Indexes earlier versions made and this one no longer reads: dropped, since each costs a write.
RETIRED_INDEXES = ["idx_items_last_seen_run"]




def _cut_short(run: str) -> str:
    """SQL: 1 for a crawl its deadline (crawl.max_duration) cut short: a unit not reached or half-done."""
    return (f"EXISTS (SELECT 1 FROM unit_checks c WHERE c.run = {run}.id"
            " AND (c.state = 'not_checked' OR c.complete = 0))")


# A crawl cut short on a day that also has a complete crawl (a re-run stopped early) is superseded:
# it counts for nothing, so what the complete crawl read stands, in the ledger and in the report.
_NOT_SUPERSEDED = (f" AND NOT ({_cut_short('runs')} AND EXISTS (SELECT 1 FROM runs other"
                   " WHERE other.kind = runs.kind AND other.status = runs.status"
                   f" AND other.crawl_date = runs.crawl_date AND NOT {_cut_short('other')}))")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class NoDatabase(FileNotFoundError):
    """A command that only reads the history was pointed at a database that does not exist."""


# How long a process waits for another one holding the database (a crawl writing while a
# report reads, two processes creating it at once).
_BUSY_MS = 30_000


class Store:
    """A govfresh database. Cheap to open; safe to open from several processes.

    `create=False` for commands that read (or annotate) a history: a wrong path is then
    an error, not a new empty database that later reads as an empty county.
    """

    def __init__(self, path: str | Path, *, create: bool = True):
        if not create and not Path(path).is_file():
            raise NoDatabase(f"{path}: no such database (`govfresh crawl` creates it beside sites.yaml)")
        self.path = str(path)
        if self.path != ":memory:" and not os.path.exists(self.path):
            # Private from the start: SQLite gives the -wal and -shm files the database's mode.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        self.db = sqlite_utils.Database(self.path)
        # WAL lets the reports read while a crawl writes; NORMAL is durable enough
        # with WAL and keeps 100k-page crawls from waiting on fsync.
        # busy_timeout first: two processes opening a new database at once must wait, not fail.
        self.db.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        self._journal_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._tx_depth = 0
        self._migrate()

    def _journal_wal(self) -> None:
        # Switching a new database to WAL takes an exclusive lock that SQLite does not wait
        # for (busy_timeout is not asked): when another process is switching it too, it
        # answers "database is locked" at once. Wait here as busy_timeout would.
        deadline = time.monotonic() + _BUSY_MS / 1000
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _missing(self) -> bool:
        """Whether the schema lacks a table, a column or an index this version uses, or keeps
        an index it retired."""
        tables = {r[0]: r[1] for r in self.db.execute("SELECT name, sql FROM sqlite_master WHERE type='table'")}
        for name, spec in SCHEMA.items():
            have = {c.name for c in self.db[name].columns} if name in tables else set()
            if set(spec["columns"]) - have:
                return True
        indexes = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        return (any(f"idx_{table}_{'_'.join(cols)}" not in indexes for table, cols, _ in INDEXES)
                or any(index in indexes for index in RETIRED_INDEXES))

    def _migrate(self) -> None:
        """Create or extend the schema, holding the write lock from the first look to the last change.

        Two processes opening a new database at once (a crawl, and a report or a
        test watching it) must wait for each other: a look under a read lock
        followed by a write would fail at once with "database is locked".
        """
        if not self._missing():
            return
        self.db.execute("BEGIN IMMEDIATE")      # waits (busy_timeout) for any other writer
        try:
            for name, spec in SCHEMA.items():
                table = self.db[name]
                if not table.exists():
                    table.create(spec["columns"], pk=spec["pk"])
                else:
                    have = {c.name for c in table.columns}
                    for col, typ in spec["columns"].items():
                        if col not in have:
                            table.add_column(col, typ)
            for table, cols, unique in INDEXES:
                self.db[table].create_index(cols, unique=unique, if_not_exists=True)
            for index in RETIRED_INDEXES:
                self.db.execute(f"DROP INDEX IF EXISTS [{index}]")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; nested calls join the outermost transaction (a crawl writes in batches)."""
        if self._tx_depth:
            yield
            return
        self._tx_depth += 1
        try:
            with self.db.conn:
                yield
        finally:
            self._tx_depth -= 1

    def _insert(self, table: str, row: dict) -> int:
        """A plain INSERT (sqlite-utils' insert() inspects the table on every call: too slow per fact)."""
        cols = list(row)
        cur = self.db.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
                              f"VALUES ({', '.join('?' * len(cols))})", [row[c] for c in cols])
        return cur.lastrowid

    # ---- runs -------------------------------------------------------------

    def start_run(self, kind: str, crawl_date: date, county: str = "", pid: int | None = None) -> int:
        """Open a run; it counts for nothing until finish_run marks it finished."""
        with self.transaction():
            # A run still 'running' from before belongs to a process that died.
            self.db.execute("UPDATE runs SET status=? WHERE kind=? AND status=?", [ABORTED, kind, RUNNING])
            return self.db["runs"].insert(
                {"kind": kind, "started": utcnow(), "status": RUNNING,
                 "crawl_date": crawl_date.isoformat(), "county": county, "pid": pid}).last_pk

    def finish_run(self, run_id: int, status: str = FINISHED, note: str | None = None) -> None:
        with self.transaction():
            self.db["runs"].update(run_id, {"finished": utcnow(), "status": status, "note": note})

    def run(self, run_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id=?", [run_id]))
        return rows[0] if rows else None

    def latest_run(self, kind: str = "crawl", as_of: date | None = None) -> dict | None:
        """The newest finished run on or before as_of (not one superseded: see _NOT_SUPERSEDED)."""
        sql = "SELECT * FROM runs WHERE kind=? AND status=?"
        args: list[Any] = [kind, FINISHED]
        if as_of:
            sql += " AND crawl_date<=?"
            args.append(as_of.isoformat())
        rows = list(self.db.query(sql + _NOT_SUPERSEDED + " ORDER BY crawl_date DESC, id DESC LIMIT 1", args))
        return rows[0] if rows else None

    def judged_crawl(self, run_id: int, key: str) -> str | None:
        """A crawl's judgement stored under this key, or None."""
        row = self.db.execute("SELECT data FROM judged_crawls WHERE run=? AND key=?", [run_id, key]).fetchone()
        return row[0] if row else None

    def save_judged_crawl(self, run_id: int, key: str, data: str) -> None:
        """Keep a crawl's judgement (one per run: a new key replaces the old one)."""
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO judged_crawls (run, key, data) VALUES (?, ?, ?)",
                            [run_id, key, data])

    def unfinished_runs_after(self, run_id: int, kind: str, until: date) -> list[dict]:
        """Runs after `run_id` up to `until` that did not finish (failed, aborted): why the data is old."""
        return list(self.db.query(
            "SELECT * FROM runs WHERE kind=? AND id>? AND crawl_date<=? AND status IN (?, ?) ORDER BY id",
            [kind, run_id, until.isoformat(), FAILED, ABORTED]))

    def recent_runs(self, limit: int = 10) -> list[dict]:
        return list(self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))

    # ---- writing crawl facts ---------------------------------------------

    def unit_id(self, name: str, kind: str, url: str) -> int:
        """The unit's id (made on first sight); its kind and URL as the config now says."""
        row = self.db.execute("SELECT id FROM units WHERE name=?", [name]).fetchone()
        if row:
            self.db.execute("UPDATE units SET kind=?, url=? WHERE id=?", [kind, url, row[0]])
            return row[0]
        return self._insert("units", {"name": name, "kind": kind, "url": url})

    def column_id(self, unit_id: int, name: str, url: str) -> int:
        row = self.db.execute("SELECT id, name FROM columns WHERE unit=? AND url=?", [unit_id, url]).fetchone()
        if row:
            if row[1] != name:
                self.db.execute("UPDATE columns SET name=? WHERE id=?", [name, row[0]])
            return row[0]
        return self._insert("columns", {"unit": unit_id, "name": name, "url": url})

    def record_unit_check(self, run_id: int, unit_id: int, **fields: Any) -> None:
        with self.transaction():
            self._insert("unit_checks", {"run": run_id, "unit": unit_id, **fields})

    def mark_incomplete(self, run_id: int, unit_ids: list[int]) -> None:
        """Units whose walk the crawl's deadline cut short: their missing columns were not seen."""
        with self.transaction():
            for uid in unit_ids:
                self.db.execute("UPDATE unit_checks SET complete=0 WHERE run=? AND unit=?", [run_id, uid])

    def record_column(self, run_id: int, unit_id: int, name: str, url: str,
                      observation: dict, items: list[dict]) -> None:
        """One column's observation and its first page of items, in one transaction."""
        with self.transaction():
            col = self.column_id(unit_id, name, url)
            self._insert("observations", {"run": run_id, "column": col, "items_run": run_id, **observation})
            self.db.conn.executemany(
                "INSERT INTO items (column, url, title, date, first_seen_run, last_seen_run, report_year)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(column, url) DO UPDATE SET title=excluded.title,"
                " date=excluded.date, last_seen_run=excluded.last_seen_run, report_year=excluded.report_year",
                [(col, item["url"], item["title"], item.get("date"), run_id, run_id, item.get("report_year"))
                 for item in items])

    def _copy_columns(self, table: str, *replaced: str, **computed: str) -> tuple[str, str]:
        """For an INSERT … SELECT copying a row of `table`: its columns but id, and the SELECT's
        expressions (`:name` for the `replaced` ones, SQL over `old` for the `computed` ones, the
        old row's value for the rest)."""
        cols = [r[1] for r in self.db.conn.execute(f"PRAGMA table_info([{table}])") if r[1] != "id"]
        return (", ".join(f"[{c}]" for c in cols),
                ", ".join(computed[c] if c in computed else f":{c}" if c in replaced else f"old.[{c}]"
                          for c in cols))

    def carry_forward(self, run_id: int, columns: list[tuple[int, str, str, str | None]]) -> None:
        """Columns that answered 304, as (unit id, url, fetched_at, found_on): each one's last
        observation holds for this run too, and with it the items of the run it showed (a column
        no finished run saw is skipped). One statement for all of them; no item is written."""
        # The newest finished observation of a column other than this run's.
        last = ("SELECT o.id FROM observations o JOIN columns c ON c.id = o.column JOIN runs r ON r.id = o.run"
                " WHERE c.unit=:unit AND c.url=:url AND r.status=:finished AND o.run<>:run"
                " ORDER BY o.run DESC LIMIT 1")
        cols, values = self._copy_columns("observations", "run", "fetched_at", "http_status", "found_on",
                                          items_run="coalesce(old.items_run, old.run)")
        rows = [{"run": run_id, "unit": unit, "url": url, "fetched_at": fetched_at, "found_on": found_on,
                 "http_status": 304, "finished": FINISHED} for unit, url, fetched_at, found_on in columns]
        with self.transaction():
            self.db.conn.executemany(
                f"INSERT INTO observations ({cols}) SELECT {values} FROM observations old WHERE old.id=({last})", rows)

    def record_link(self, run_id: int, unit_id: int, url: str, text: str,
                    http_status: int | None, error: str | None, checked: bool = True) -> None:
        self.record_links(run_id, [(unit_id, url, text, http_status, error, checked)])

    def record_links(self, run_id: int, links: list[tuple[int, str, str, int | None, str | None, bool]]) -> None:
        """Links of disclosure pages, as (unit id, url, text, http_status, error, checked)."""
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO links (run, unit, url, text, http_status, error, checked) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(run_id, unit, url, text, status, error, int(checked))
                 for unit, url, text, status, error, checked in links])

    def record_page(self, run_id: int, unit_id: int, kind: str, url: str, title: str, text: str,
                    year: int | None = None, found_on: str | None = None, etag: str | None = None,
                    last_modified: str | None = None) -> None:
        """A guide's or report's page; its text is stored once however many crawls read it."""
        # text None: the page was found but could not be read (a challenge, a file…): no content.
        digest = None if text is None else hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self.transaction():
            if digest is not None:
                self.db.execute("INSERT OR IGNORE INTO page_contents (hash, text) VALUES (?, ?)", [digest, text])
            self._insert("pages", {"run": run_id, "unit": unit_id, "kind": kind, "url": url, "title": title,
                                   "year": year, "content": digest, "found_on": found_on, "etag": etag,
                                   "last_modified": last_modified})

    # ---- conditional re-crawls: what the previous crawl saw ------------------

    # Where a run kept a page's validators, the first source preferred: a column's observation,
    # a guide's or report's page, the disclosure page's check. Each gives unit, url, etag, last_modified.
    _VALIDATOR_SOURCES = (
        "SELECT o.id, c.unit, c.url, o.etag, o.last_modified FROM columns c CROSS JOIN observations o"
        " ON o.column = c.id WHERE o.run=:run AND o.state IN ('list', 'empty', 'not_list')",
        "SELECT id, unit, url, etag, last_modified FROM pages WHERE run=:run AND content IS NOT NULL",
        "SELECT id, unit, final_url AS url, etag, last_modified FROM unit_checks WHERE run=:run AND reachable=1"
        " AND coalesce(state, 'read')='read'",
    )
    # What a run reached through a page (found_on): columns, and guide/report pages.
    # CROSS JOIN keeps SQLite's order: a unit's few columns first, then each one's observation
    # by (column, run); joined the other way, every lookup scanned the whole run's observations.
    _FOUND_ON_COLUMNS = ("SELECT o.id, c.unit, o.found_on, c.name, c.url FROM columns c"
                         " CROSS JOIN observations o ON o.column = c.id WHERE o.run=:run")
    _FOUND_ON_PAGES = "SELECT id, unit, found_on, kind, url, title, year FROM pages WHERE run=:run"

    def previous_validators(self, run_id: int, unit_id: int, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) the page at `url` had in run `run_id` (a column, guide, report or
        the disclosure page itself), when that run kept what a 304 needs to stand for it."""
        return self.unit_validators(run_id, unit_id).get(url)

    def unit_validators(self, run_id: int, unit_id: int) -> dict[str, tuple[str | None, str | None]]:
        """`previous_validators` for every page of one unit at once: url -> (ETag, Last-Modified).
        A page listed twice counts by its first source, and within it by its first row."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for source in self._VALIDATOR_SOURCES:
            for url, etag, last_modified in self.db.conn.execute(
                    f"SELECT url, etag, last_modified FROM ({source}) WHERE unit=:unit"
                    " AND (etag IS NOT NULL OR last_modified IS NOT NULL) ORDER BY id",
                    {"run": run_id, "unit": unit_id}):
                found.setdefault(url, (etag, last_modified))
        return found

    def run_validators(self, run_id: int) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(unit, url, ETag, Last-Modified) of every page run `run_id` kept validators for; a page
        listed twice counts by its first row, as in `previous_validators`."""
        for source in self._VALIDATOR_SOURCES:
            yield from self.db.execute(f"SELECT unit, url, etag, last_modified FROM ({source})"
                                       " WHERE etag IS NOT NULL OR last_modified IS NOT NULL ORDER BY id",
                                       {"run": run_id})

    def found_on(self, run_id: int, unit_id: int, url: str) -> tuple[list[dict], list[dict]]:
        """Columns (name, url) and guide/report pages (kind, url, title, year) that run `run_id`
        reached through the page at `url`."""
        columns, pages = self.unit_found_on(run_id, unit_id)
        return columns.get(url, []), pages.get(url, [])

    def unit_found_on(self, run_id: int, unit_id: int) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
        """`found_on` for every page of one unit at once: per page URL, its columns and its pages."""
        args = {"run": run_id, "unit": unit_id}
        columns: dict[str, list[dict]] = {}
        for found_on, name, url in self.db.conn.execute(
                f"SELECT found_on, name, url FROM ({self._FOUND_ON_COLUMNS})"
                " WHERE unit=:unit AND found_on IS NOT NULL ORDER BY id", args):
            columns.setdefault(found_on, []).append({"name": name, "url": url})
        pages: dict[str, list[dict]] = {}
        for found_on, kind, url, title, year in self.db.conn.execute(
                f"SELECT found_on, kind, url, title, year FROM ({self._FOUND_ON_PAGES})"
                " WHERE unit=:unit AND found_on IS NOT NULL ORDER BY id", args):
            pages.setdefault(found_on, []).append({"kind": kind, "url": url, "title": title, "year": year})
        return columns, pages

    def run_found_on(self, run_id: int) -> tuple[Iterator[dict], Iterator[dict]]:
        """`found_on` for every page of run `run_id` at once: columns (unit, found_on, name, url) and
        pages (unit, found_on, kind, url, title, year), in the order `found_on` gives them."""
        where = " WHERE found_on IS NOT NULL ORDER BY id"
        return (self.db.query(f"SELECT unit, found_on, name, url FROM ({self._FOUND_ON_COLUMNS})" + where,
                              {"run": run_id}),
                self.db.query(f"SELECT unit, found_on, kind, url, title, year FROM ({self._FOUND_ON_PAGES})" + where,
                              {"run": run_id}))

    def previous_links(self, run_id: int, unit_id: int) -> list[dict]:
        """The links run `run_id` checked on a unit's disclosure page (url, text)."""
        return list(self.db.query("SELECT url, text FROM links WHERE run=? AND unit=? ORDER BY id", [run_id, unit_id]))

    def carry_forward_unit(self, run_id: int, unit_id: int, fetched_at: str, elapsed_ms: int | None,
                           kind: str | None = None) -> bool:
        """A disclosure page that answered 304: its last check (newest date, final URL) holds again."""
        with self.transaction():
            row = self.db.execute(
                "SELECT u.* FROM unit_checks u JOIN runs r ON r.id = u.run WHERE u.unit=? AND r.status=?"
                " AND u.run<>? AND u.reachable=1 AND coalesce(u.state, 'read')='read' ORDER BY u.run DESC LIMIT 1", [unit_id, FINISHED, run_id])
            previous = row.fetchone()
            if previous is None:
                return False
            copy = dict(zip([d[0] for d in row.description], previous))
            copy.pop("id")
            self._insert("unit_checks", {**copy, "run": run_id, "fetched_at": fetched_at, "http_status": 304,
                                         "elapsed_ms": elapsed_ms, **({"kind": kind} if kind else {})})
            return True

    def carry_forward_pages(self, run_id: int, pages: list[tuple[int, str]]) -> None:
        """Guide or report pages that answered 304, as (unit id, url): the same content, referenced
        again (a page no finished run read is skipped)."""
        cols, values = self._copy_columns("pages", "run")
        with self.transaction():
            self.db.conn.executemany(
                f"INSERT INTO pages ({cols}) SELECT {values} FROM pages old WHERE old.id=("
                "SELECT p.id FROM pages p JOIN runs r ON r.id = p.run WHERE p.unit=:unit AND p.url=:url"
                " AND r.status=:finished AND p.run<>:run AND p.content IS NOT NULL ORDER BY p.run DESC, p.id LIMIT 1)",
                [{"run": run_id, "unit": unit, "url": url, "finished": FINISHED} for unit, url in pages])

    def record_probe(self, unit_id: int, at: str, ok: bool, http_status: int | None,
                     elapsed_ms: int | None, error: str | None) -> None:
        with self.transaction():
            self.db["probes"].insert({"unit": unit_id, "at": at, "ok": int(ok), "http_status": http_status,
                                      "elapsed_ms": elapsed_ms, "error": error})

    def latest_probe(self) -> str | None:
        """When the newest availability probe ran (ISO time with its offset), or None."""
        return self.db.execute("SELECT max(at) FROM probes").fetchone()[0]

    # ---- reading a run's facts (rules/facts.py builds the rules' values from these rows) --

    def finished_runs(self, kind: str = "crawl", until: date | None = None) -> list[dict]:
        """Finished runs with crawl_date on or before `until`, oldest first (none superseded)."""
        sql = "SELECT * FROM runs WHERE kind=? AND status=?"
        args: list[Any] = [kind, FINISHED]
        if until:
            sql += " AND crawl_date<=?"
            args.append(until.isoformat())
        return list(self.db.query(sql + _NOT_SUPERSEDED + " ORDER BY crawl_date, id", args))

    def run_units(self, run_id: int) -> list[dict]:
        """Each unit checked in the run: the unit row (id, name, kind, url) and its check."""
        return list(self.db.query(
            "SELECT u.id, u.name, coalesce(c.kind, u.kind) AS kind, coalesce(c.url, u.url) AS url,"
            " c.fetched_at, c.final_url, c.http_status, c.reachable, c.error,"
            " c.newest_date, c.blocked, c.state, c.complete FROM unit_checks c JOIN units u ON u.id = c.unit WHERE c.run=? ORDER BY u.id",
            [run_id]))

    def run_columns(self, run_id: int) -> list[dict]:
        """Each column observed in the run: its unit, name and URL, and the observation."""
        return list(self.db.query(
            "SELECT c.unit, c.name, c.url, c.id AS column_id, o.* FROM observations o"
            " JOIN columns c ON c.id = o.column WHERE o.run=? ORDER BY o.id", [run_id]))

    def run_items(self, run_id: int) -> list[dict]:
        """The items on the lists of the columns the run observed (column, url, title, date,
        report_year), newest first per column: for a list read, what it read; for one that
        answered 304, what the run it carries read."""
        # DISTINCT: a column observed twice in one run lists its items once.
        return list(self.db.query(
            "SELECT DISTINCT i.column, i.url, i.title, i.date, i.report_year FROM observations o"
            " CROSS JOIN items i ON i.column = o.column"
            " AND i.first_seen_run <= coalesce(o.items_run, o.run) AND i.last_seen_run >= coalesce(o.items_run, o.run)"
            " WHERE o.run=? ORDER BY i.column, i.date DESC", [run_id]))

    def run_links(self, run_id: int) -> list[dict]:
        return list(self.db.query("SELECT * FROM links WHERE run=? ORDER BY id", [run_id]))

    def run_pages(self, run_id: int, kind: str) -> list[dict]:
        """Pages of one kind (guide, report) fetched in the run, in the order they were stored."""
        return list(self.db.query(
            "SELECT p.id, p.run, p.unit, p.kind, p.url, p.title, p.year, COALESCE(c.text, p.text) AS text"
            " FROM pages p LEFT JOIN page_contents c ON c.hash = p.content"
            " WHERE p.run=? AND p.kind=? ORDER BY p.id", [run_id, kind]))

    def probe_counts(self, unit_id: int, as_of: date | None, days: int = 7) -> dict[str, int]:
        """Availability probes of the week ending on as_of (the 2019 indicators judge a week)."""
        if as_of is None:
            return {"probes_total": 0, "probes_failed": 0}
        start = (as_of - timedelta(days=days - 1)).isoformat()
        end = (as_of + timedelta(days=1)).isoformat()
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(1 - ok), 0) FROM probes WHERE unit=? AND at>=? AND at<?",
            [unit_id, start, end]).fetchone()
        return {"probes_total": row[0], "probes_failed": row[1]}

    def unit_ids(self) -> dict[str, int]:
        return {r["name"]: r["id"] for r in self.db.query("SELECT id, name FROM units")}

    def column_names(self, unit: str) -> list[str]:
        """Every column name ever recorded for the unit, for checking a name a person typed."""
        return [r["name"] for r in self.db.query(
            "SELECT DISTINCT c.name FROM columns c JOIN units u ON u.id = c.unit WHERE u.name=? ORDER BY c.name",
            [unit])]

    def run_counts(self, run_id: int) -> dict[str, int]:
        def one(sql: str) -> int:
            return next(iter(self.db.execute(sql, [run_id]).fetchone()), 0)
        return {"units": one("SELECT count(*) FROM unit_checks WHERE run=?"),
                "unreachable": one("SELECT count(*) FROM unit_checks WHERE run=? AND reachable=0"),
                "columns": one("SELECT count(*) FROM observations WHERE run=?"),
                "links": one("SELECT count(*) FROM links WHERE run=? AND coalesce(checked, 1)=1")}

    def run_read_with(self, run_id: int) -> dict[str, int]:
        """What the run read other than from pages as served, and how: the cost of reading them.

        Lists by list_source (a data call's kind, or browser) and, as ``browser_units``, the
        disclosure pages read once a challenge was passed in the browser.
        """
        counts = {row["list_source"]: row["n"] for row in self.db.query(
            "SELECT list_source, count(*) AS n FROM observations WHERE run=? AND list_source IS NOT NULL"
            " AND list_source<>'static' AND state IN ('list', 'empty', 'not_list')"
            " GROUP BY list_source ORDER BY list_source", [run_id])}
        units = next(iter(self.db.execute("SELECT count(*) FROM unit_checks WHERE run=? AND read_with='browser'",
                                          [run_id]).fetchone()), 0)
        return {**counts, **({"browser_units": units} if units else {})}

    # ---- waivers ------------------------------------------------------------

    def add_waiver(self, unit: str, rule: str | None, column: str | None, reason: str, until: date,
                   created: str | None = None) -> int:
        """Record a waiver; it holds from the moment it is recorded (`created`, UTC) to `until`."""
        with self.transaction():
            return self.db["waivers"].insert({"unit": unit, "rule": rule, "column": column, "reason": reason,
                                              "until": until.isoformat(), "created": created or utcnow()}).last_pk

    def waivers(self, as_of: date) -> list[dict]:
        """Waivers still in force on as_of."""
        return list(self.db.query("SELECT * FROM waivers WHERE until>=? ORDER BY id", [as_of.isoformat()]))

    # ---- deliveries -------------------------------------------------------

    def delivered_contents(self, notice: str, target: str) -> set[str]:
        """Contents (part hashes) of a notice a target has confirmed: a rerun sends only the rest."""
        return {r["content"] for r in self.db.query(
            "SELECT content FROM deliveries WHERE notice=? AND target=? AND ok=1", [notice, target])}

    def unconfirmed_contents(self, notice: str, target: str) -> set[str]:
        """Contents posted once whose answer was never recorded (the process died in between)."""
        return {r["content"] for r in self.db.query(
            "SELECT content FROM deliveries WHERE notice=? AND target=? AND ok IS NULL", [notice, target])}

    def begin_delivery(self, notice: str, target: str, part: int, content: str, note: str | None = None) -> int:
        """Log a part as being sent, before it is: a crash after sending leaves it unconfirmed, not unknown."""
        with self.transaction():
            return self.db["deliveries"].insert({"notice": notice, "target": target, "part": part,
                                                 "content": content, "sent_at": utcnow(), "ok": None,
                                                 "note": note}).last_pk

    def end_delivery(self, row: int, ok: bool, response: Any) -> None:
        """The platform's answer to a part logged by begin_delivery."""
        with self.transaction():
            self.db["deliveries"].update(row, {"ok": int(ok),
                                               "response": json.dumps(response, ensure_ascii=False)[:2000]})

    def recent_deliveries(self, limit: int = 20) -> list[dict]:
        return list(self.db.query("SELECT * FROM deliveries ORDER BY id DESC LIMIT ?", [limit]))
