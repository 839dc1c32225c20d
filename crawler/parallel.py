"""A crawl in several processes on one machine (`crawl.processes`), without Redis.

Scrapy runs on one core; parsing is most of a crawl's CPU, so a machine with more cores
crawls faster with more processes. The units are shared out by host — a host's units all
in one process, so a host never sees more than `concurrency_per_host` requests at once and
a link its pages share is checked once — and each process crawls its share into the same
run: the store takes their writes one transaction at a time (SQLite's WAL and
busy_timeout). The process that started them waits for all, then counts the run or not
exactly as for a crawl in one process (crawler/run.py). A share that fails fails the run.

A share is told its run, its place (k of n) and the config as JSON in a file; it prints
its outcome as one line of JSON. It exits when the process that started it dies (kill -9
included), so nothing keeps writing into a run that can no longer count.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from store import Store


def shares(urls: list[str], n: int) -> list[list[int]]:
    """Indexes of `urls` in `n` shares: a host's together, the biggest hosts first to the
    least loaded share; no empty share (fewer hosts than `n` make fewer shares)."""
    by_host: dict[str, list[int]] = {}
    for i, url in enumerate(urls):
        parts = urlsplit(url)
        by_host.setdefault(f"{(parts.hostname or '').lower()}:{parts.port or ''}", []).append(i)
    out: list[list[int]] = [[] for _ in range(min(n, len(by_host)) or 1)]
    for group in sorted(by_host.values(), key=len, reverse=True):
        min(out, key=len).extend(group)
    return [sorted(share) for share in out if share]


def crawl_in_processes(config: Any, db_path: str | Path, run_id: int, crawl_date: Any,
                       n: int) -> tuple[str, str | None, tuple[list[str], list[str]]]:
    """Crawl the config's units in `n` processes into run `run_id`: (finish reason, store error
    or None, units not reached and incomplete), as crawler.run._crawl_in_process gives them."""
    parts = shares([u.url for u in config.units], n)
    with Store(db_path) as store, store.transaction():
        for unit in config.units:   # in sites.yaml's order, as one process would: reports list them so
            store.unit_id(unit.name, unit.kind, unit.url)
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as spec:
        spec.write(config.model_dump_json(exclude={"notify"}))   # a share sends nothing: no secrets
    children: list[subprocess.Popen] = []
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def stop(signum, frame) -> None:   # stop the shares; each ends as a stopped crawl does
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    print(f"govfresh: 分 {len(parts)} 个进程检查 {len(config.units)} 个单位（同一站点的单位在同一进程）",
          file=sys.stderr, flush=True)
    try:
        for sig in previous:
            signal.signal(sig, stop)
        for k in range(len(parts)):
            cmd = [sys.executable, "-m", "crawler.run", "--share-of", spec.name, "--db", str(db_path),
                   "--run", str(run_id), "--share", f"{k}/{len(parts)}", "--crawl-date", crawl_date.isoformat(),
                   "--parent", str(os.getpid())]
            children.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
        outcomes = [_outcome(child, *child.communicate()) for child in children]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        os.unlink(spec.name)
    reasons = [o["reason"] for o in outcomes]
    failed = [r for r in reasons if r not in ("finished", "closespider_timeout")]
    reason = failed[0] if failed else ("closespider_timeout" if "closespider_timeout" in reasons else "finished")
    store_error = next((o["store_error"] for o in outcomes if o["store_error"]), None)
    not_reached = [name for o in outcomes for name in o["not_reached"]]
    incomplete = [name for o in outcomes for name in o["incomplete"]]
    return reason, store_error, (not_reached, incomplete)


def _outcome(child: subprocess.Popen, out: str | None, _err: Any) -> dict:
    lines = (out or "").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"reason": f"crawl process {child.pid} exited with {child.returncode}", "store_error": None,
                "not_reached": [], "incomplete": []}


def split_config(config: Any, share: int, of: int) -> Any:
    """The config a share crawls: its units, and its part of the concurrency over all hosts."""
    part = shares([u.url for u in config.units], of)[share]
    crawl = config.crawl.model_copy(update={"concurrency": max(1, -(-config.crawl.concurrency // of))})
    return config.model_copy(update={"units": [config.units[i] for i in part], "crawl": crawl})


def exit_with_parent(parent: int, every: float = 1.0) -> None:
    """End this process (as kill -9 would: the run stays uncounted) once `parent` is gone."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(128 + signal.SIGTERM)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
