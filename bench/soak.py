"""Soak: a faulty county crawled 50 times in a row, as the scheduler crawls it.

    .venv/bin/python bench/soak.py                 # 50 cycles (~10 min on 2 cores)
    .venv/bin/python bench/soak.py --cycles 5      # a quick look

The county (served on 127.0.0.1 by tests/mockserver.py, the one mock server, with the
fault routes the fault suite uses) has healthy units and one unit per fault: refused,
hang, drip, reset, redirect loop, off-site and file:// redirects, 503, 404, 412 and 200
challenges, binary, broken gzip, truncated, huge, endless and empty bodies, a PDF, a lying
and a rot13 charset, malformed HTML, 10,000 links, hostile titles, a script-filled list.

The county is served by a process of its own. Each cycle is `crawler.run.crawl()` (a
child process, the scheduler's path) into one database, then the rules on that crawl, in
this process, which stands for the scheduler. Printed per cycle: the parent's RSS and open file
descriptors (the scheduler's process must not grow), the child's peak RSS (ru_maxrss of
waited-for children, which only grows if a cycle's crawl used more than every one before),
the database's size, the crawl's wall time, and whether the findings equal the first
cycle's. Nothing but 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import threading
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from mockserver import (MockServer, binary, broken_gzip, challenge_200, challenge_412, drip, endless,  # noqa: E402
                        hang, html, redirect, reset, truncated)

from crawler.run import crawl  # noqa: E402
from rules import judge, load_ruleset  # noqa: E402
from rules.facts import latest_facts  # noqa: E402
from store import Store  # noqa: E402

CRAWL_DATE = date(2026, 11, 27)


def page(title: str, body: str) -> str:
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


def nav(prefix: str) -> str:
    return (f'<ul class="nav"><li><a href="{prefix}/gzdt/">工作动态</a></li><li><a href="{prefix}/tzgg/">通知公告</a></li>'
            f'<li><a href="{prefix}/zn/">政府信息公开指南</a></li></ul>')


def listing(prefix: str, *rows: tuple[str, str]) -> str:
    return '<ul class="list">' + "".join(f'<li><a href="{prefix}/a/{i}.html">{t}</a><span>{d}</span></li>'
                                         for i, (t, d) in enumerate(rows)) + "</ul>"


def healthy(routes: dict, prefix: str, gzdt=None) -> None:
    routes[f"{prefix}/"] = html(page("信息公开", nav(prefix)))
    routes[f"{prefix}/gzdt/"] = gzdt or html(page("工作动态", listing(prefix, ("全县教育工作会议召开", "2026-11-25"),
                                                                     ("秋季开学检查", "2026-10-01"))))
    routes[f"{prefix}/tzgg/"] = html(page("通知公告", listing(prefix, ("关于调整办公时间的通知", "2026-01-05"))))
    routes[f"{prefix}/zn/"] = html(page("指南", "<div class='content'><p>办公地址：人民路1号。联系电话：0311-1234567。</p></div>"))


def county() -> tuple[dict, list[tuple[str, str]]]:
    """Routes and (unit, path) pairs; a path of None is a refused port."""
    routes: dict = {"/loop/a": redirect("/loop/b"), "/loop/b": redirect("/loop/a")}
    faults = {"无响应局": hang(8), "滴答局": drip(interval=1.0), "重置局": reset(), "循环局": redirect("/loop/a"),
              "维护局": html(page("维护", "系统维护中"), status=503), "失踪局": html("<h1>404</h1>", status=404),
              "设防局": challenge_412(), "云锁局": challenge_200(), "外跳局": redirect("http://127.0.0.2:9/xxgk/"),
              "文件局": redirect("file:///etc/passwd"), "乱码局": binary(), "压缩局": broken_gzip(),
              "截断局": truncated(b"<html><body><ul><li>", claimed=50_000),
              "巨型局": (200, {"Content-Type": "text/html"}, b"<html>" + b"x" * (9 * 1024 * 1024)),
              "无尽局": endless(), "空白局": (200, {"Content-Type": "text/html"}, b""),
              "文档局": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n1 0 obj")}
    units: list[tuple[str, str | None]] = [("拒绝局", None)]
    for i, (name, route) in enumerate(faults.items()):
        routes[f"/f{i}/xxgk/"] = route
        units.append((name, f"/f{i}/xxgk/"))
    for i in range(6):
        healthy(routes, f"/ok{i}")
        units.append((f"正常{i}局", f"/ok{i}/"))
    healthy(routes, "/lie", gzdt=(200, {"Content-Type": "text/html; charset=rot13"},
                                  page("工作动态", listing("/lie", ("王堃同志调研", "2026-11-20"))).encode("gb18030")))
    units.append(("谎报局", "/lie/"))
    many = "".join(f'<li><a href="/many/p/{i}.html">链接{i}</a></li>' for i in range(10_000))
    healthy(routes, "/many")
    routes["/many/"] = html(page("信息公开", nav("/many") + f"<ul>{many}</ul>"))
    units.append(("万链局", "/many/"))
    healthy(routes, "/odd", gzdt=(200, {"Content-Type": "text/html; charset=utf-8"},
                                  page("工作动态", listing("/odd", ("非字符\ufffe标题\x07", "2026-11-24"),
                                                         ("长" * 20_000, "2026-11-01"))).encode("utf-8")))
    units.append(("怪字局", "/odd/"))
    healthy(routes, "/js", gzdt=html(page("工作动态", '<ul id="newsList" class="list"></ul><script src="/js/l.js"></script>'
                                                     '<script>$.getJSON("/nowhere/api",function(d){$("#newsList").html(d)})</script>')))
    units.append(("脚本局", "/js/"))
    return routes, units


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def findings(db: Path) -> frozenset:
    with Store(db) as store:
        run, facts = latest_facts(store, CRAWL_DATE)
    judged = judge(facts, load_ruleset(), CRAWL_DATE)
    return frozenset((unit, f.rule, f.target) for unit, fs in judged.items() for f in fs)


def serve(routes: dict, ready) -> None:
    """The faulty county, in a process of its own: its sockets and threads are not the scheduler's."""
    with MockServer(routes) as server:
        ready.put(server.url)
        threading.Event().wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50)
    args = parser.parse_args()
    routes, units = county()
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    county_process = context.Process(target=serve, args=(routes, ready), daemon=True)
    county_process.start()
    server = argparse.Namespace(url=ready.get(timeout=30))
    try:
        return soak(args.cycles, units, server)
    finally:
        county_process.terminate()


def soak(cycles: int, units: list, server) -> int:
    with tempfile.TemporaryDirectory(prefix="govfresh-soak-") as tmp:
        tmp_path = Path(tmp)
        lines = ["county: 浸泡县", "crawl:", "  timeout: 3", "  max_duration: 300", "units:"]
        for name, path in units:
            url = f"{server.url}{path}" if path else "http://127.0.0.1:9/xxgk/"
            lines += [f"  - name: {name}", f"    url: {url}"]
        sites = tmp_path / "sites.yaml"
        sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
        db = tmp_path / "soak.db"
        first = None
        print(f"{len(units)} units; cycle | parent RSS MB | parent fds | child peak RSS MB | db MB | wall s | findings")
        rows = []
        for cycle in range(1, cycles + 1):
            started = time.monotonic()
            crawl(sites, db, CRAWL_DATE)
            wall = time.monotonic() - started
            now = findings(db)
            first = first if first is not None else now
            child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            row = (cycle, rss_kb() / 1024, open_fds(), child_peak, db.stat().st_size / 1e6, wall, len(now), now == first)
            rows.append(row)
            print("{:5d} | {:13.1f} | {:10d} | {:17.1f} | {:5.1f} | {:6.1f} | {} {}".format(
                *row[:7], "same" if row[7] else "DIFFERENT"), flush=True)
            for gone in sorted(first - now):
                print(f"        - {gone}", flush=True)
            for new in sorted(now - first):
                print(f"        + {new}", flush=True)
        same = all(r[7] for r in rows)
        print(f"\nfindings identical in all {len(rows)} cycles: {same} ({len(first)} findings)")
        print(f"parent RSS: cycle 1 {rows[0][1]:.1f} MB, last {rows[-1][1]:.1f} MB; "
              f"fds: cycle 1 {rows[0][2]}, last {rows[-1][2]}; child peak RSS {rows[-1][3]:.1f} MB; "
              f"wall per cycle {min(r[5] for r in rows):.1f}–{max(r[5] for r in rows):.1f} s")
        return 0 if same and rows[-1][2] == rows[0][2] else 1


if __name__ == "__main__":
    sys.exit(main())
