"""Crawl throughput and memory: does a crawl scale to 100,000 pages with bounded memory?

    .venv/bin/python bench/crawl.py                  # from the repo root; ~9 minutes on 2 cores
    .venv/bin/python bench/crawl.py --units 20,100   # quicker
    .venv/bin/python bench/crawl.py --repo /tmp/copy # the same bench against another checkout

A synthetic county portal (bench/synthetic_portal.py: 28 requests per unit, pages made on
the fly, several 127.0.0.x hosts, HTTP/1.1 keep-alive, ETag/304) is crawled by the real
crawler, as users run it: ``python -m crawler.run --config sites.yaml --db X --crawl-date D``
in a child process. Each size is crawled twice: into a new database, then on the next day
into the same database, when about one list column in ten has a new item and the others
answer 304 Not Modified (the daily case). Per crawl it prints requests served, wall time,
pages/s, the crawl process's CPU time and peak RSS (``ru_maxrss`` from wait4, plus VmRSS
sampled while it runs), the database size (or growth), and ratios to the smallest size
measured in the same run: memory is bounded when the RSS ratio stays far below the page
ratio. The middle size is crawled once more under cProfile, and the top functions of
govfresh's own code (cumulative) are printed.

Nothing but 127.0.0.0/8 is contacted.
"""
from __future__ import annotations

import argparse
import os
import platform
import pstats
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_portal import REQUESTS_PER_UNIT, SyntheticPortal  # noqa: E402

CRAWL_DATE = date(2026, 11, 27)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


class Sampler(threading.Thread):
    """Samples the child's VmRSS and the pages served, every `interval` seconds
    (the peak comes from wait4's ru_maxrss, which misses nothing)."""

    def __init__(self, pid: int, portal: SyntheticPortal, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.portal, self.interval = pid, portal, interval
        self.samples: list[tuple[float, int, int]] = []   # (t, requests served, VmRSS kB)
        self._halt = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._halt.is_set():
            rss = _status_kb(self.pid, "VmRSS")
            if rss is None:
                break
            s = self.portal.served()
            self.samples.append((time.monotonic() - t0, s.get("GET", 0) + s.get("HEAD", 0), rss))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def rss_at(self, fraction: float, total: int) -> int | None:
        """VmRSS (kB) when `fraction` of the final request count had been served."""
        for _, served, rss in self.samples:
            if served >= fraction * total:
                return rss
        return self.samples[-1][2] if self.samples else None


def db_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def db_counts(db: Path) -> dict:
    """Rows the newest run wrote (items: the whole table), and its status."""
    con = sqlite3.connect(db)
    try:
        run, status = con.execute("SELECT id, status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        out: dict = {t: con.execute(f"SELECT count(*) FROM {t} WHERE run=?", [run]).fetchone()[0]
                     for t in ("unit_checks", "observations", "links", "pages")}
        out["not_modified"] = con.execute("SELECT count(*) FROM observations WHERE run=? AND http_status=304",
                                          [run]).fetchone()[0]
        out["items"] = con.execute("SELECT count(*) FROM items").fetchone()[0]
        out["status"] = status
        return out
    finally:
        con.close()


def crawl_once(portal: SyntheticPortal, units: int, work: Path, repo: Path, profile: Path | None = None,
               concurrency: int = 16, day: int = 0) -> dict:
    """Crawl `units` units into a new database (day 0), or again into day 0's database on a
    later day, when about one list column in ten has a new item and the rest answer 304."""
    portal.n_units = units
    portal.pages.generation = day
    portal.reset()
    tag = f"{units}u" + ("-prof" if profile else "")
    sites = portal.sites(work / f"sites-{tag}.yaml", concurrency_per_host=concurrency)
    db = work / f"crawl-{tag}.db"
    if day == 0:
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
    tag += f"-day{day}"
    crawl_date = CRAWL_DATE + timedelta(days=day)
    cmd = [sys.executable]
    if profile:
        cmd += ["-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "crawler.run", "--config", str(sites), "--db", str(db), "--crawl-date", crawl_date.isoformat()]
    server_cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    with open(work / f"stdout-{tag}.txt", "wb") as out, open(work / f"stderr-{tag}.txt", "wb") as err:
        child = subprocess.Popen(cmd, cwd=repo, stdout=out, stderr=err)
        sampler = Sampler(child.pid, portal)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    server_cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    if child.returncode != 0:
        sys.exit(f"crawl of {units} units failed ({child.returncode}):\n"
                 + (work / f"stderr-{tag}.txt").read_text(errors="replace")[-3000:])
    served = portal.served()
    requests = served.get("GET", 0) + served.get("HEAD", 0)
    return {
        "units": units, "day": day, "requests": requests, "get": served.get("GET", 0),
        "head": served.get("HEAD", 0), "not_modified": served.get("304", 0),
        "mb_served": served.get("bytes", 0) / 2**20, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "server_cpu": (server_cpu1.ru_utime + server_cpu1.ru_stime) - (server_cpu0.ru_utime + server_cpu0.ru_stime),
        "maxrss_mb": usage.ru_maxrss / 1024,
        "rss_quartiles": [(sampler.rss_at(f, requests) or 0) / 1024 for f in (0.25, 0.5, 0.75, 1.0)],
        "db_mb": db_size(db) / 2**20, "rows": db_counts(db), "db": db,
    }


def print_table(results: list[dict], growth_from: list[dict] | None = None) -> None:
    """One row per size, ratios to the first row. With `growth_from`, the DB column is what this
    run added to the database of the matching run in `growth_from`."""
    base = results[0]
    db_label = "DB growth MB" if growth_from else "DB MB"
    print("| units | requests (GET+HEAD) | 304 | wall s | pages/s | crawl CPU s | CPU ms/page | peak RSS MB "
          f"| RSS at 25/50/75/100% of pages, MB | {db_label} | page ratio | wall ratio | RSS ratio | DB ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")

    def db(r: dict) -> float:
        if not growth_from:
            return r["db_mb"]
        return r["db_mb"] - next(g["db_mb"] for g in growth_from if g["units"] == r["units"])

    for r in results:
        q = " / ".join(f"{x:.0f}" for x in r["rss_quartiles"])
        print(f"| {r['units']} | {r['requests']:,} ({r['get']:,}+{r['head']:,}) | {r['not_modified']:,} "
              f"| {r['wall']:.1f} | {r['requests'] / r['wall']:.0f} | {r['cpu']:.1f} "
              f"| {1000 * r['cpu'] / r['requests']:.2f} | {r['maxrss_mb']:.0f} | {q} | {db(r):.1f} "
              f"| {r['requests'] / base['requests']:.1f}x | {r['wall'] / base['wall']:.1f}x "
              f"| {r['maxrss_mb'] / base['maxrss_mb']:.2f}x | {db(r) / db(base):.1f}x |")


def extrapolate(results: list[dict], again: list[dict], target: int = 100_000) -> None:
    small, big = results[0], results[-1]
    dp = big["requests"] - small["requests"]
    slope_rss = (big["maxrss_mb"] - small["maxrss_mb"]) / dp * 1000      # MB per 1,000 pages
    slope_db = (big["db_mb"] - small["db_mb"]) / dp * 1000
    cpu_per_page = big["cpu"] / big["requests"]
    rate = big["requests"] / big["wall"]
    print(f"Marginal cost between {small['requests']:,} and {big['requests']:,} pages: "
          f"{slope_rss:.2f} MB RSS and {slope_db:.2f} MB database per 1,000 pages; "
          f"{1000 * cpu_per_page:.2f} ms crawl CPU per page at the largest size.")
    print(f"Linear extrapolation to {target:,} pages (an estimate, not measured): "
          f"peak RSS ~{small['maxrss_mb'] + slope_rss * (target - small['requests']) / 1000:.0f} MB, "
          f"database ~{small['db_mb'] + slope_db * (target - small['requests']) / 1000:.0f} MB, "
          f"wall ~{target / rate / 60:.0f} min at {rate:.0f} pages/s on loopback "
          f"({target / REQUESTS_PER_UNIT:,.0f} units of this portal).")
    if again:
        day2 = again[-1]
        grown = day2["db_mb"] - big["db_mb"]
        print(f"Each later day at {target:,} pages, by the same rule from the largest second-day crawl: "
              f"database +{grown / big['requests'] * target:.0f} MB, "
              f"wall ~{target / (day2['requests'] / day2['wall']) / 60:.0f} min.")


def print_profile(prof: Path, repo: Path, top: int = 15) -> None:
    stats = pstats.Stats(str(prof))
    raw = stats.stats  # {(file, line, func): (primitive calls, calls, own s, cumulative s, callers)}
    total = stats.total_tt
    venv = str(repo / ".venv")
    root = str(repo)

    def ours(fn: str) -> bool:
        return fn.startswith(root) and not fn.startswith(venv) and "/bench/" not in fn

    def name(key: tuple) -> str:
        fn, line, func = key
        return f"{os.path.relpath(fn, root) if fn.startswith(root) else fn}:{line}({func})"

    # crawler/run.py's main/crawl_here hold everything (they start the reactor): leave them out.
    wrappers = {"<module>", "main", "crawl_here"}
    rows = sorted(((k, v) for k, v in raw.items() if ours(k[0]) and k[2] not in wrappers),
                  key=lambda kv: kv[1][3], reverse=True)
    print(f"cProfile of the crawl child: {total:.1f} s CPU in all. "
          f"Top {top} govfresh functions by cumulative time (calls of generators count each resumption):")
    print("| function | calls | own s | cumulative s | % of total |")
    print("|---|---|---|---|---|")
    for k, (cc, nc, tt, ct, _) in rows[:top]:
        print(f"| {name(k)} | {nc:,} | {tt:.2f} | {ct:.2f} | {100 * ct / total:.0f}% |")
    print()

    # govfresh code entered from Scrapy (callbacks, pipeline, middleware, extension): inclusive time.
    entry = 0.0
    for k, (cc, nc, tt, ct, callers) in raw.items():
        if ours(k[0]) and k[2] not in wrappers and not any(ours(c[0]) for c in callers):
            entry += ct
    print(f"govfresh code entered from Scrapy (spider callbacks, pipeline, middleware), with everything it "
          f"calls: {entry:.1f} s = {100 * entry / total:.0f}% of the child's CPU; the rest is Scrapy, "
          f"Twisted/asyncio, HTTP and start-up.")
    print()

    # Where the CPU goes overall, by package (own time of every function, grouped).
    groups: dict[str, float] = {}
    for (fn, _, func), (cc, nc, tt, ct, _) in raw.items():
        if ours(fn):
            g = "govfresh " + os.path.relpath(fn, root).removesuffix(".py").replace("/", ".")
        elif "site-packages/" in fn:
            g = fn.split("site-packages/", 1)[1].split("/")[0].removesuffix(".py")
        elif fn == "~":
            g = "builtin " + func.strip("<>").replace("built-in method ", "").split(" of ")[0][:50]
        else:
            g = "stdlib " + Path(fn).parent.name + "/" + Path(fn).name if "asyncio" in fn else "stdlib " + Path(fn).name
        groups[g] = groups.get(g, 0.0) + tt
    print("Own CPU time by module or package (top 15):")
    print("| where | own s | % |")
    print("|---|---|---|")
    for g, tt in sorted(groups.items(), key=lambda kv: kv[1], reverse=True)[:15]:
        print(f"| {g} | {tt:.2f} | {100 * tt / total:.0f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", default="30,150,600",
                        help=f"comma-separated unit counts ({REQUESTS_PER_UNIT} requests per unit)")
    parser.add_argument("--hosts", type=int, default=8, help="loopback addresses 127.0.0.1..N")
    parser.add_argument("--per-host", type=int, default=16, help="crawl.concurrency_per_host (max 16)")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="server delay per answer (emulates distant sites; default 0: loopback speed)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-recrawl", action="store_true", help="skip the second day's crawl")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout whose crawler is run")
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    args = parser.parse_args()
    sizes = [int(x) for x in args.units.split(",")]
    repo = args.repo.resolve()

    t_all = time.perf_counter()
    print(f"Crawl throughput and memory, {date.today().isoformat()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, crawler from {repo}")
    print(f"Synthetic portal: {REQUESTS_PER_UNIT} requests per unit (16 GET pages of 4-12 KB, 12 HEAD link "
          f"checks), {args.hosts} loopback hosts, crawl.concurrency_per_host={args.per_host}, "
          f"crawl.concurrency 16 (default), crawl date {CRAWL_DATE.isoformat()}"
          + (f", server latency {args.latency_ms:.0f} ms" if args.latency_ms else ""))
    print()
    with tempfile.TemporaryDirectory(prefix="govfresh-bench-") as tmp, \
            SyntheticPortal(max(sizes), hosts=args.hosts, today=CRAWL_DATE,
                            latency=args.latency_ms / 1000) as portal:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results, again = [], []
        for n in sizes:
            for day in ((0,) if args.no_recrawl else (0, 1)):
                r = crawl_once(portal, n, work, repo, concurrency=args.per_host, day=day)
                rows = r["rows"]
                print(f"  {n} units, day {day + 1}: {r['requests']:,} requests ({r['not_modified']:,} answered 304) "
                      f"in {r['wall']:.1f} s, run {rows['status']}: {rows['observations']:,} observations "
                      f"({rows['not_modified']:,} carried forward), {rows['links']:,} links, {rows['pages']:,} pages "
                      f"kept; {rows['items']:,} items in the table; portal served {r['mb_served']:.0f} MB "
                      f"using {r['server_cpu']:.1f} s CPU", flush=True)
                expected = n * REQUESTS_PER_UNIT
                if rows["status"] != "finished" or rows["observations"] != 12 * n or \
                        (day == 0 and r["requests"] != expected):
                    print(f"  WARNING: expected a finished run, {expected} requests and {12 * n} observations")
                (results if day == 0 else again).append(r)
        print()
        print("First crawl (new database):")
        print()
        print_table(results)
        if again:
            print()
            print("Second day (same database; ~1 list column in 10 changed, the others answer 304 Not Modified):")
            print()
            print_table(again, growth_from=results)
        if len(results) >= 2:
            print()
            extrapolate(results, again)
        if not args.no_profile and len(sizes) >= 2:
            mid = sizes[len(sizes) // 2] if len(sizes) > 2 else sizes[0]
            prof = work / f"crawl-{mid}u.prof"
            r = crawl_once(portal, mid, work, repo, profile=prof, concurrency=args.per_host)
            print()
            print(f"Profile run: {mid} units, {r['requests']:,} requests, {r['wall']:.1f} s wall under cProfile "
                  f"({r['requests'] / r['wall']:.0f} pages/s).")
            print_profile(prof, repo)
    print()
    print(f"total bench time {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
