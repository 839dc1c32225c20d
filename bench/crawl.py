"""Crawl speed, re-crawl cost and memory: govfresh against a bare Scrapy spider and urlwatch.

    make bench                                        # or, from the repo root:
    .venv/bin/python bench/crawl.py                   # 20,000 and 100,000 pages; ~15 min on 2 cores
    .venv/bin/python bench/crawl.py --pages 2000 --big 0       # quicker: no 100,000-page crawl
    .venv/bin/python bench/crawl.py --server python   # without nginx (the portal then shares the CPU)
    .venv/bin/python bench/crawl.py --profile         # also a cProfile of a 150-unit crawl

The synthetic county portal of bench/synthetic_portal.py (28 requests per unit: the
disclosure page, 12 column pages, the undated list's newest item, 2 annual reports, 12
HEAD link checks) is written as static files and served by nginx on 127.0.0.1..8 (default;
``--server python`` serves the same pages from the Python server in this process). In ONE
run, on the same pages, in ``--rounds`` turns (default 3) of steps 1-3, each step keeping its
least-CPU turn (the machine's speed drifts over minutes; every crawler gets the same turns):

1. a bare Scrapy spider (bench/bare_spider.py: Scrapy's defaults, fetch only) fetches every
   unit's 12 column pages ("list pages");
2. urlwatch (installed with ``pip install -e '.[bench]'``) checks the same list pages: a
   generated jobs file, config and cache in a temporary folder; run twice (first and
   unchanged check), as a user would;
3. govfresh crawls the units as users run it (``python -m crawler.run`` in a child
   process, crawl.concurrency 16, concurrency_per_host 16): day 1 into a new database,
   day 2 into the same one after ~1 list in 10 got a new item (the rest answer 304), and
   day 3 with nothing changed since day 2 (issue 11's "a week where nothing changed");
4. govfresh crawls day 1 again with ``crawl.processes`` 2 (``--processes``): the wall time of
   a machine's cores in use (CPU is then that of every process; peak RSS the largest one's);
5. govfresh crawls ``--big`` pages once more for memory.

Printed per run: wall time, CPU time of the child process (user+system, from wait4), CPU
per list page (every fetch and everything else govfresh does, divided by the list pages),
peak RSS (ru_maxrss) and RSS sampled at 25/50/75/100% of the wall time, the database's size
and growth, and the ratios the targets are stated in. Nothing but 127.0.0.0/8 is contacted.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import pstats
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_portal import (LIST_PAGES_PER_UNIT, REQUESTS_PER_UNIT, NginxPortal,  # noqa: E402
                              SyntheticPortal)

CRAWL_DATE = date(2026, 11, 27)


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
    """Samples a child's VmRSS every `interval` seconds (the peak comes from wait4's ru_maxrss,
    which misses nothing; the samples show whether memory climbs during the crawl)."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []   # (t, VmRSS kB)
        self._halt = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._halt.is_set():
            rss = _status_kb(self.pid, "VmRSS")
            if rss is None:
                break
            self.samples.append((time.monotonic() - t0, rss))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def quartiles(self) -> list[float]:
        """VmRSS (MB) at 25/50/75/100% of the run's wall time."""
        if not self.samples:
            return [0.0] * 4
        end = self.samples[-1][0]
        return [next(r for t, r in self.samples if t >= f * end) / 1024 for f in (0.25, 0.5, 0.75, 1.0)]


# Each crawler runs as on a user's machine, where Python keeps its modules compiled: with
# PYTHONDONTWRITEBYTECODE (set on this build machine) every run would compile govfresh's own
# modules again (0.11 s of CPU per run, measured), a cost no installed program pays.
_AS_INSTALLED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(cmd: list[str], cwd: Path, log: Path) -> dict:
    """Run one crawler; wall, CPU (user+system) and peak RSS of the child, from wait4."""
    t0 = time.perf_counter()
    with open(log.with_suffix(".out"), "wb") as out, open(log.with_suffix(".err"), "wb") as err:
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=_AS_INSTALLED)
        sampler = Sampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
    sampler.stop()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd[:4])}… failed ({code}):\n"
                 + log.with_suffix(".err").read_text(errors="replace")[-3000:])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
            "rss_quartiles": sampler.quartiles()}


def db_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def db_counts(db: Path) -> dict:
    """Rows the newest run wrote, and its status."""
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


def served(portal, before: dict) -> dict:
    now = portal.served()
    return {k: now.get(k, 0) - before.get(k, 0) for k in ("GET", "HEAD", "200", "304", "404", "bytes")}


def bare(portal, units: int, work: Path, per_host: int) -> dict:
    urls = work / f"urls-{units}u.txt"
    urls.write_text("\n".join(portal.list_urls(units)) + "\n")
    before = portal.served()
    r = run_child([sys.executable, str(HERE / "bare_spider.py"), str(urls), "--per-host", str(per_host)],
                  ROOT, work / f"bare-{units}u")
    fetched, errors = (work / f"bare-{units}u.out").read_text().split()
    if int(errors) or int(fetched) != units * LIST_PAGES_PER_UNIT:
        print(f"  WARNING: the bare spider fetched {fetched} of {units * LIST_PAGES_PER_UNIT} pages ({errors} errors)")
    return {**r, "served": served(portal, before), "list_pages": units * LIST_PAGES_PER_UNIT}


def urlwatch(portal, units: int, work: Path, runs: int = 2) -> list[dict]:
    """urlwatch on the same list pages: a jobs file, its own config and cache in `work`."""
    exe = Path(sys.executable).with_name("urlwatch")
    if not exe.exists():
        print("  urlwatch is not installed: pip install -e '.[bench]' (skipped)")
        return []
    d = work / f"urlwatch-{units}u"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    jobs = [{"name": f"list {k}", "url": u} for k, u in enumerate(portal.list_urls(units))]
    (d / "urls.yaml").write_text("---\n".join(yaml.safe_dump(j, allow_unicode=True) for j in jobs))
    (d / "hooks.py").write_text("")
    out = []
    for k in range(runs):
        before = portal.served()
        r = run_child([str(exe), "--urls", str(d / "urls.yaml"), "--config", str(d / "urlwatch.yaml"),
                       "--hooks", str(d / "hooks.py"), "--cache", str(d / "cache.db")], d, d / f"run{k}")
        out.append({**r, "served": served(portal, before), "list_pages": len(jobs)})
    return out


def govfresh(portal, units: int, work: Path, repo: Path, per_host: int, day: int,
             profile: Path | None = None, tag: str = "", processes: int = 1) -> dict:
    """Crawl `units` units into a new database (day 0) or again into it on a later day."""
    tag = tag or f"{units}u"
    sites = portal.sites(work / f"sites-{tag}.yaml", concurrency_per_host=per_host,
                         **({"processes": processes} if processes > 1 else {}))
    db = work / f"crawl-{tag}.db"
    if day == 0:
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
    cmd = [sys.executable] + (["-m", "cProfile", "-o", str(profile)] if profile else [])
    cmd += ["-m", "crawler.run", "--config", str(sites), "--db", str(db),
            "--crawl-date", (CRAWL_DATE + timedelta(days=day)).isoformat()]
    before = portal.served()
    r = run_child(cmd, repo, work / f"govfresh-{tag}-day{day}")
    rows = db_counts(db)
    s = served(portal, before)
    # Requests vary a little: a link several units show is checked once per crawl.
    if rows["status"] != "finished" or rows["observations"] != LIST_PAGES_PER_UNIT * units or \
            (day == 0 and not (REQUESTS_PER_UNIT - 3) * units <= s["GET"] + s["HEAD"] <= REQUESTS_PER_UNIT * units):
        print(f"  WARNING: expected a finished run, about {units * REQUESTS_PER_UNIT} requests and "
              f"{LIST_PAGES_PER_UNIT * units} observations; got {rows} and {s}")
    return {**r, "served": s, "rows": rows, "db_mb": db_size(db) / 2**20, "units": units, "day": day,
            "list_pages": units * LIST_PAGES_PER_UNIT}


def keep_least(results: dict, name: str, run: dict) -> None:
    """Keep the run of least CPU under `name`, and every round's CPU in its "rounds"."""
    rounds = results[name]["rounds"] if name in results else []
    if name not in results or run["cpu"] < results[name]["cpu"]:
        results[name] = run
    results[name]["rounds"] = rounds + [run["cpu"]]


def spread(r: dict) -> str:
    return " / ".join(f"{c:.1f}" for c in r.get("rounds", [r["cpu"]]))


def row(label: str, r: dict, base: dict | None = None, db: str = "") -> str:
    s = r["served"]
    req = s["GET"] + s["HEAD"]
    per_list = 1000 * r["cpu"] / r["list_pages"]
    ratio = f"{per_list / (1000 * base['cpu'] / base['list_pages']):.2f}x" if base else "1.00x"
    q = " / ".join(f"{x:.0f}" for x in r["rss_quartiles"])
    return (f"| {label} | {r['list_pages']:,} | {req:,} ({s['GET']:,}+{s['HEAD']:,}) | {s['304']:,} "
            f"| {r['wall']:.1f} | {r['cpu']:.1f} | {per_list:.2f} | {ratio} | {r['maxrss_mb']:.0f} | {q} | {db} |")


HEADER = ("| crawler | list pages | requests (GET+HEAD) | 304 | wall s | CPU s | CPU ms per list page "
          "| CPU/list page vs bare Scrapy | peak RSS MB | RSS at 25/50/75/100% of wall, MB | database MB |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|")


def print_profile(prof: Path, repo: Path, top: int = 20) -> None:
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

    wrappers = {"<module>", "main", "crawl_here"}
    rows = sorted(((k, v) for k, v in raw.items() if ours(k[0]) and k[2] not in wrappers),
                  key=lambda kv: kv[1][3], reverse=True)
    print(f"cProfile of the crawl child: {total:.1f} s CPU in all. Top {top} govfresh functions by cumulative time:")
    print("| function | calls | own s | cumulative s | % of total |")
    print("|---|---|---|---|---|")
    for k, (cc, nc, tt, ct, _) in rows[:top]:
        print(f"| {name(k)} | {nc:,} | {tt:.2f} | {ct:.2f} | {100 * ct / total:.0f}% |")
    print()
    groups: dict[str, float] = {}
    for (fn, _, func), (cc, nc, tt, ct, _) in raw.items():
        if ours(fn):
            g = "govfresh " + os.path.relpath(fn, root).removesuffix(".py").replace("/", ".")
        elif "site-packages/" in fn:
            g = fn.split("site-packages/", 1)[1].split("/")[0].removesuffix(".py")
        elif fn == "~":
            g = "builtin " + func.strip("<>").replace("built-in method ", "").split(" of ")[0][:50]
        else:
            g = "stdlib " + Path(fn).name
        groups[g] = groups.get(g, 0.0) + tt
    print("Own CPU time by module or package (top 15):")
    print("| where | own s | % |")
    print("|---|---|---|")
    for g, tt in sorted(groups.items(), key=lambda kv: kv[1], reverse=True)[:15]:
        print(f"| {g} | {tt:.2f} | {100 * tt / total:.0f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20_000,
                        help=f"size of the comparison, in requests of a govfresh crawl ({REQUESTS_PER_UNIT} per unit)")
    parser.add_argument("--big", type=int, default=100_000, help="size of the memory crawl (0: none)")
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--hosts", type=int, default=8, help="loopback addresses 127.0.0.1..N")
    parser.add_argument("--per-host", type=int, default=16, help="crawl.concurrency_per_host (max 16)")
    parser.add_argument("--no-baselines", action="store_true", help="govfresh only")
    parser.add_argument("--profile", action="store_true", help="also crawl 150 units under cProfile")
    parser.add_argument("--rounds", type=int, default=3,
                        help="turns of bare Scrapy and govfresh days 1-3; each keeps its least-CPU round")
    parser.add_argument("--processes", type=int, default=2,
                        help="also crawl day 1 with crawl.processes N (0 or 1: not)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout whose crawler is run")
    parser.add_argument("--keep", type=Path, help="keep databases and logs in this folder")
    args = parser.parse_args()
    units = max(1, math.ceil(args.pages / REQUESTS_PER_UNIT))
    big = math.ceil(args.big / REQUESTS_PER_UNIT) if args.big else 0
    repo = args.repo.resolve()

    t_all = time.perf_counter()
    print(f"Crawl bench, {date.today().isoformat()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"crawler from {repo}")
    print(f"Synthetic portal served by {args.server} on {args.hosts} loopback hosts: {REQUESTS_PER_UNIT} requests "
          f"per unit, of them {LIST_PAGES_PER_UNIT} list (column) pages; crawl.concurrency 16, "
          f"concurrency_per_host {args.per_host}; crawl date {CRAWL_DATE.isoformat()}")
    print()
    with tempfile.TemporaryDirectory(prefix="govfresh-bench-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        os.chmod(work, 0o755)   # nginx's workers (nobody) must get through to the pages
        portal = (NginxPortal(max(units, big), hosts=args.hosts, today=CRAWL_DATE, work=work / "nginx")
                  if args.server == "nginx" else
                  SyntheticPortal(max(units, big), hosts=args.hosts, today=CRAWL_DATE))
        with portal:
            t = time.perf_counter()
            n = portal.prepare(units, 0)
            if n:
                print(f"  wrote {n:,} static pages in {time.perf_counter() - t:.0f} s")
            results: dict[str, dict] = {}
            # The machine's speed drifts by 20-30% over minutes (a shared VM): the bare spider,
            # urlwatch and govfresh's three days take turns, and each keeps its least-CPU round.
            for k in range(args.rounds):
                if not args.no_baselines:
                    keep_least(results, "bare", bare(portal, units, work, args.per_host))
                    for name, run in zip(("urlwatch", "urlwatch2"), urlwatch(portal, units, work)):
                        keep_least(results, name, run)
                portal.prepare(units, 0)
                keep_least(results, "day1", govfresh(portal, units, work, repo, args.per_host, 0))
                portal.prepare(units, 1)
                keep_least(results, "day2", govfresh(portal, units, work, repo, args.per_host, 1))
                # Issue 11's own case: a week where nothing changed (no page rewritten since day 2).
                keep_least(results, "day3", govfresh(portal, units, work, repo, args.per_host, 2))
                print(f"  round {k + 1}/{args.rounds}: " + ", ".join(
                    f"{name} {results[name]['rounds'][-1]:.1f}"
                    for name in ("bare", "urlwatch", "urlwatch2", "day1", "day2", "day3")
                    if name in results) + " s CPU", flush=True)
            day1, day2, day3 = results["day1"], results["day2"], results["day3"]
            if args.processes > 1:
                portal.prepare(units, 0)
                results["par"] = govfresh(portal, units, work, repo, args.per_host, 0, tag=f"{units}u-p{args.processes}",
                                          processes=args.processes)
                print(f"  govfresh day 1, {args.processes} processes: {results['par']['wall']:.1f} s", flush=True)
            if big:
                portal.prepare(big, 0)
                results["big"] = govfresh(portal, big, work, repo, args.per_host, 0, tag=f"{big}u-big")
                print(f"  govfresh {big} units: {results['big']['wall']:.1f} s", flush=True)
            prof = None
            if args.profile:
                portal.prepare(150, 0)
                prof = work / "crawl-150u.prof"
                govfresh(portal, 150, work, repo, args.per_host, 0, profile=prof, tag="150u-prof")

        base = results.get("bare")
        pages = units * REQUESTS_PER_UNIT
        print()
        print(f"{units:,} units, {pages:,} requests of a govfresh crawl:")
        print()
        print(HEADER)
        if base:
            print(row("bare Scrapy spider, fetch only", base, base))
        if "urlwatch" in results:
            print(row("urlwatch, first check", results["urlwatch"], base))
            print(row("urlwatch, nothing changed", results["urlwatch2"], base))
        print(row("govfresh crawl, day 1", day1, base, f"{day1['db_mb']:.1f}"))
        print(row("govfresh crawl, day 2 (~1 list in 10 changed)", day2, base,
                  f"+{day2['db_mb'] - day1['db_mb']:.1f}"))
        print(row("govfresh crawl, day 3 (nothing changed)", day3, base, f"+{day3['db_mb'] - day2['db_mb']:.1f}"))
        if "par" in results:
            p = results["par"]
            print(row(f"govfresh crawl, day 1, crawl.processes {args.processes}", p, base, f"{p['db_mb']:.1f}"))
        if big:
            b = results["big"]
            print(row(f"govfresh crawl, {big * REQUESTS_PER_UNIT:,} requests", b, base, f"{b['db_mb']:.1f}"))
        print()
        print("Targets (issue 11):")
        if base:
            ratio = (day1["cpu"] / day1["list_pages"]) / (base["cpu"] / base["list_pages"])
            print(f"  1. CPU per list page, govfresh day 1 / bare Scrapy: {ratio:.2f}x (target <= 1.5x, at most 2x; "
                  f"CPU per round: bare {spread(base)}, govfresh {spread(day1)} s)")
        if "urlwatch" in results:
            uw = results["urlwatch"]
            print(f"  1. wall, govfresh day 1 / urlwatch first check: {day1['wall']:.1f} / {uw['wall']:.1f} s "
                  f"= {day1['wall'] / uw['wall']:.2f}x (target < 1)")
            if "par" in results:
                p = results["par"]
                print(f"  1. wall, govfresh day 1 with crawl.processes {args.processes} / urlwatch first check: "
                      f"{p['wall']:.1f} / {uw['wall']:.1f} s = {p['wall'] / uw['wall']:.2f}x (target < 1)")
        print(f"  2. CPU, nothing changed / day 1: {day3['cpu']:.1f} / {day1['cpu']:.1f} s = "
              f"{day3['cpu'] / day1['cpu']:.2f}x (target <= 0.3x; {day3['served']['304']:,} of "
              f"{day3['served']['GET']:,} GETs answered 304; CPU per round {spread(day3)} s)")
        print(f"     ~1 list in 10 changed / day 1: {day2['cpu']:.1f} / {day1['cpu']:.1f} s = "
              f"{day2['cpu'] / day1['cpu']:.2f}x ({day2['served']['304']:,} of {day2['served']['GET']:,} GETs 304; "
              f"CPU per round {spread(day2)} s)")
        print(f"  2. database: {day1['db_mb']:.1f} MB after day 1, +{day2['db_mb'] - day1['db_mb']:.1f} MB "
              f"on day 2 ({pages:,} requests)")
        print(f"  3. peak RSS at {pages:,} requests: {day1['maxrss_mb']:.0f} MB (target <= 250 MB)")
        if big:
            b = results["big"]
            print(f"  3. peak RSS at {big * REQUESTS_PER_UNIT:,} requests: {b['maxrss_mb']:.0f} MB = "
                  f"{b['maxrss_mb'] / day1['maxrss_mb']:.2f}x (target <= 1.10x)")
        if prof:
            print()
            print_profile(prof, repo)
    print()
    print(f"total bench time {time.perf_counter() - t_all:.0f} s")


if __name__ == "__main__":
    main()
