"""What the browser fallback costs per page: CPU and memory of a rendered page against a static one.

    .venv/bin/python bench/browser.py                 # 12 units, ~1 minute on 2 cores
    .venv/bin/python bench/browser.py --units 40

A loopback county (demo/loopback.py) of ``--units`` units, each with a disclosure page, 4
static list columns and 2 columns whose list a script fetches from an address it builds (no
data call to rebuild: only a browser reads them), plus ``--units // 6`` units behind a 412
cookie challenge. In ONE run the same county is crawled as users run it
(``python -m crawler.run``, a child process):

1. ``crawl.browser: false`` — the baseline: the script lists stay unverifiable, the
   challenged units blocked;
2. ``crawl.browser: true`` — the same pages, the script lists and challenges in Chromium.

Printed per run: wall time, CPU time of the crawl and everything it started (Playwright's
driver and Chromium's processes included: RUSAGE_CHILDREN of this process), peak memory (PSS) of the
crawl's whole process tree (sampled from /proc every 0.1 s), the pages rendered, and the
browser path's cost per rendered page: (CPU₂ − CPU₁) / rendered pages, and the tree's peak
PSS over the baseline's. Nothing but 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.loopback import LoopbackServer  # noqa: E402

CRAWL_DATE = "2026-11-27"
STATIC_COLUMNS = 4
SCRIPT_COLUMNS = 2
COOKIE = "wzws_cid=bench"


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><div class="header">测试县人民政府</div>{body}<div class="footer">版权所有</div></body></html>').encode()


def _static_list(unit: int, col: int) -> bytes:
    rows = "".join(f'<li><a href="/u{unit}/c{col}/{i}.html">第{i}条 县政府工作动态 {unit}-{col}</a>'
                   f'<span>2026-11-{25 - i % 20:02d}</span></li>' for i in range(20))
    return _page("工作动态", f'<ul class="list">{rows}</ul>')


def _script_list(unit: int, col: int) -> bytes:
    script = ('<ul class="list" id="list"></ul><script>var api = "/u%d/api/" + "c%d";'
              'fetch(api + "?page=1").then(function (r) { return r.json(); }).then(function (d) {'
              ' document.getElementById("list").innerHTML = d.rows.map(function (a) {'
              ' var t = new Date(a.ts), p = function (n) { return (n < 10 ? "0" : "") + n; };'
              ' return "<li><a href=\\"" + a.href + "\\">" + a.name + "</a><span>" + t.getFullYear() + "-" +'
              ' p(t.getMonth() + 1) + "-" + p(t.getDate()) + "</span></li>"; }).join(""); });</script>') % (unit, col)
    return _page("通知公告", script)


def _rows(unit: int, col: int) -> bytes:
    import json
    base = 1795537800000   # 2026-11-25 00:30 in China
    rows = [{"name": f"第{i}条 通知公告 {unit}-{col}", "href": f"/u{unit}/n{col}/{i}.html", "ts": base - i * 86_400_000}
            for i in range(20)]
    return json.dumps({"rows": rows}, ensure_ascii=False).encode()


def county_app(units: int, challenged: int):
    """The loopback county: an app for LoopbackServer."""
    def app(request) -> None:
        parts = request.url_path.strip("/").split("/")
        html = {"Content-Type": "text/html; charset=utf-8"}
        if not parts or not parts[0].startswith("u"):
            request.reply(404, html, b"<h1>404</h1>")
            return
        unit = int(parts[0][1:])
        if unit < challenged and COOKIE not in (request.headers.get("Cookie") or ""):
            script = f'var _0x1=["cookie"];document.cookie="{COOKIE}; path=/";location.reload();'
            request.reply(412, html, f"<html><body><script>{script}</script></body></html>".encode())
            return
        if len(parts) == 1:
            cols = [(f"工作动态{c}", f"/u{unit}/c{c}/") for c in range(STATIC_COLUMNS)]
            cols += [(f"通知公告{c}", f"/u{unit}/s{c}/") for c in range(SCRIPT_COLUMNS)]
            nav = "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in cols)
            request.reply(200, html, _page("信息公开", f'<ul class="nav">{nav}</ul>'))
        elif parts[1].startswith("c") and len(parts) == 2:
            request.reply(200, html, _static_list(unit, int(parts[1][1:])))
        elif parts[1].startswith("s") and len(parts) == 2:
            request.reply(200, html, _script_list(unit, int(parts[1][1:])))
        elif parts[1] == "api":
            request.reply(200, {"Content-Type": "application/json; charset=utf-8"}, _rows(unit, int(parts[2][1:])))
        else:
            request.reply(200, html, _page("文章", "<p>正文</p>"))
    return app


def _tree_pss_kb(root: int) -> int:
    """Proportional set size of `root` and all its descendants (kB), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            # PSS: memory shared by Chromium's processes is counted once, not once per process.
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
        except OSError:
            pass
    return total


def crawl(url: str, units: int, folder: Path, browser: bool) -> dict:
    sites = folder / "sites.yaml"
    lines = ["county: 基准县", "crawl:", "  timeout: 20", "  concurrency: 16", "  concurrency_per_host: 16",
             "  max_links_checked: 0", f"  browser: {'true' if browser else 'false'}", "units:"]
    for u in range(units):
        lines += [f"  - name: 单位{u}", f"    url: {url}/u{u}/"]
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = folder / "bench.db"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.run", "--config", str(sites), "--db", str(db),
                             "--crawl-date", CRAWL_DATE], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_pss_kb(proc.pid))
        time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed: {err.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    con = sqlite3.connect(db)
    states = dict(con.execute("SELECT list_source || '/' || state, count(*) FROM observations GROUP BY 1").fetchall())
    rendered = con.execute("SELECT count(*) FROM observations WHERE list_source='browser'").fetchone()[0]
    rendered += con.execute("SELECT count(*) FROM unit_checks WHERE read_with='browser'").fetchone()[0]
    pages = con.execute("SELECT count(*) FROM observations").fetchone()[0] + units
    con.close()
    return {"wall": wall, "cpu": cpu, "peak_mb": peak / 1024, "rendered": rendered, "pages": pages,
            "states": states}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=12)
    args = parser.parse_args(argv)
    challenged = max(1, args.units // 6)
    with tempfile.TemporaryDirectory() as tmp, LoopbackServer(county_app(args.units, challenged)) as server:
        results = {}
        for browser in (False, True):
            folder = Path(tmp) / ("browser" if browser else "static")
            folder.mkdir()
            results[browser] = crawl(server.url, args.units, folder, browser)
        static, rendered = results[False], results[True]
    print(f"county: {args.units} units ({challenged} behind a 412 cookie challenge), "
          f"{STATIC_COLUMNS} static + {SCRIPT_COLUMNS} script-filled columns each; "
          f"{os.cpu_count()} CPUs")
    print(f"{'run':<16}{'wall s':>8}{'CPU s':>8}{'pages':>7}{'rendered':>10}{'CPU ms/page':>13}{'peak PSS MB':>13}")
    for name, r in (("browser: false", static), ("browser: true", rendered)):
        print(f"{name:<16}{r['wall']:>8.1f}{r['cpu']:>8.2f}{r['pages']:>7}{r['rendered']:>10}"
              f"{1000 * r['cpu'] / r['pages']:>13.1f}{r['peak_mb']:>13.0f}")
    print("states, browser: false:", static["states"])
    print("states, browser: true: ", rendered["states"])
    extra = rendered["cpu"] - static["cpu"]
    per_page = 1000 * extra / max(1, rendered["rendered"])
    static_page = 1000 * static["cpu"] / static["pages"]
    print(f"browser path: {per_page:.0f} ms CPU per rendered page ({per_page / static_page:.0f}x a static page's "
          f"{static_page:.1f} ms), the driver's and Chromium's start included; "
          f"peak PSS of the crawl's process tree {rendered['peak_mb']:.0f} MB vs {static['peak_mb']:.0f} MB "
          f"(+{rendered['peak_mb'] - static['peak_mb']:.0f} MB for the browser, at most 2 pages open)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
