"""Throughput of a distributed crawl (crawl.redis) with 1 and 2 workers, against one process.

    .venv/bin/python bench/distributed.py                        # nginx portal, then a slow portal
    .venv/bin/python bench/distributed.py --units 100 --skip-slow
    .venv/bin/python bench/distributed.py --skip-fast --slow-units 60   # the latency-bound case, larger

The synthetic portal of bench/synthetic_portal.py is crawled, in ONE run, three ways:
one process (`python -m crawler.run`, the baseline), and `govfresh crawl --redis` with 1
and with 2 `govfresh worker --once` processes, each against a redis-server started here on
127.0.0.1 (Debian package redis-server). Two portals:

* "fast": static pages from nginx (answers at once): the crawl is CPU-bound, and on this
  machine's 2 cores the workers, the coordinator and nginx share them;
* "slow": the same pages from the Python server answering each request after --latency
  seconds (a real county server is slower than loopback), concurrency_per_host 2: the
  crawl waits on the sites, and each worker adds its own polite share of requests.

Printed: wall time, pages (requests answered) per second, and the ratio to one process;
each distributed crawl's export is checked against the single process's (same facts).
Nothing but 127.0.0.0/8 is contacted.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from redis_server import RedisServer  # noqa: E402
from synthetic_portal import REQUESTS_PER_UNIT, NginxPortal, SyntheticPortal  # noqa: E402

CRAWL_DATE = date(2026, 11, 27)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def crawl(sites: Path, db: Path, work: Path, redis_url: str | None, workers: int) -> float:
    """Wall seconds of one crawl into a new database."""
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    args = ["crawl", "--config", str(sites), "--db", str(db), "--crawl-date", CRAWL_DATE.isoformat()]
    procs = [subprocess.Popen(cli("worker", "--config", str(sites), "--redis", redis_url, "--once"), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=open(work / f"{db.stem}-worker{i}.log", "w"))
             for i in range(workers)] if redis_url else []
    t = time.perf_counter()
    result = subprocess.run(cli(*args, *(["--redis", redis_url] if redis_url else [])), cwd=ROOT,
                            capture_output=True, text=True)
    wall = time.perf_counter() - t
    for p in procs:
        p.wait(timeout=120)
    if result.returncode != 0:
        sys.exit(f"crawl failed: {result.stderr[-2000:]}")
    return wall


def facts(db: Path) -> dict:
    out = subprocess.run(cli("export", "--db", str(db), "--as-of", CRAWL_DATE.isoformat()), cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return {u["name"]: (u["reachable"], sorted((c["url"], c["item_count"], c["newest_date"]) for c in u["columns"]),
                        sorted((f["rule"], f["target"]) for f in u["findings"])) for u in data["units"]}


def bench(name: str, tag: str, portal, units: int, work: Path, redis: RedisServer, per_host: int) -> list[str]:
    sites = portal.sites(work / f"sites-{tag}.yaml", concurrency_per_host=per_host)
    pages = units * REQUESTS_PER_UNIT
    rows, reference = [], None
    for label, workers in (("one process", 0), ("1 worker", 1), ("2 workers", 2)):
        db = work / f"{tag}-{workers}.db"
        before = portal.served()
        wall = crawl(sites, db, work, redis.url if workers else None, workers)
        after = portal.served()
        asked = sum(after.get(m, 0) - before.get(m, 0) for m in ("GET", "HEAD", "POST"))
        got = facts(db)
        if reference is None:
            reference, base = got, wall
        same = "same facts" if got == reference else "FACTS DIFFER"
        rows.append(f"| {name} | {label} | {asked} | {wall:.1f} s | {pages / wall:.0f} | {base / wall:.2f}× | {same} |")
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=200, help="units of the fast portal (28 requests each)")
    parser.add_argument("--slow-units", type=int, default=20, help="units of the slow portal")
    parser.add_argument("--latency", type=float, default=0.5, help="seconds the slow portal takes per answer")
    parser.add_argument("--skip-slow", action="store_true")
    parser.add_argument("--skip-fast", action="store_true")
    args = parser.parse_args()
    print(f"Distributed crawl bench, {date.today().isoformat()}, {os.cpu_count()} cores")
    print("| portal | crawler | requests | wall | pages/s | vs one process | export |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="govfresh-dbench-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)   # nginx's workers (nobody) read the pages below it
        redis = RedisServer(work)
        try:
            if not args.skip_fast and (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
                with NginxPortal(args.units, hosts=8, today=CRAWL_DATE, work=work / "nginx") as portal:
                    portal.prepare(args.units, 0)
                    bench("fast (nginx)", "fast", portal, args.units, work, redis, per_host=16)
            if not args.skip_slow:
                with SyntheticPortal(args.slow_units, hosts=8, today=CRAWL_DATE, latency=args.latency) as portal:
                    bench(f"slow ({args.latency:g} s/answer)", "slow", portal, args.slow_units, work, redis, per_host=2)
        finally:
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
