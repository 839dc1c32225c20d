"""Deadlines: a crawl never runs past max_duration, SIGTERM ends it within 10 s, and no
one waits forever on a crawl child."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from crawler.run import CrawlError, crawl
from mockserver import MockServer, hang, html
from store import FAILED, FINISHED, Store
from test_spider import govfresh, listing, nav, page

CRAWL_DATE = "2026-11-27"


def write_sites(path, units, **crawl_keys):
    keys = {"timeout": 20, **crawl_keys}
    lines = ["county: 测试县", "crawl:", *(f"  {k}: {v}" for k, v in keys.items()), "units:"]
    for name, url in units:
        lines += [f"  - name: {name}", f"    url: {url}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def heavy_list(rows: int) -> str:
    """An honest but enormous list page: parsing it takes many seconds of CPU."""
    return page("工作动态", listing(*((f"第{i}号全县教育工作会议召开", f"/h/a/{i}.html", "2026-11-25")
                                     for i in range(rows))))


def test_max_duration_ends_the_crawl_with_what_it_has(tmp_path):
    routes = {"/q/xxgk/": html(page("信息公开", nav(("工作动态", "/q/gzdt/")))),
              "/q/gzdt/": html(page("工作动态", listing(("全县教育工作会议召开", "/q/a/1.html", "2026-11-25")))),
              "/slow/xxgk/": hang(40)}
    with MockServer(routes) as server:
        sites = write_sites(tmp_path / "sites.yaml", [("快局", f"{server.url}/q/xxgk/"),
                                                      ("慢局", f"{server.url}/slow/xxgk/")], max_duration=4)
        started = time.monotonic()
        result = govfresh("crawl", "--config", str(sites), "--db", str(tmp_path / "d.db"), "--crawl-date", CRAWL_DATE)
        took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert took < 30                              # not the 3 × 20 s the hanging unit would take
    with Store(tmp_path / "d.db") as store:
        run = store.latest_run()
        assert run["status"] == FINISHED and "max_duration" in run["note"]
    export = json.loads(govfresh("export", "--db", str(tmp_path / "d.db"), "--as-of", CRAWL_DATE).stdout)
    units = {u["name"]: u for u in export["units"]}
    assert units["快局"]["state"] == "read"
    # Not reached in time: not checked — neither unreachable nor a veto, and the report says so.
    assert units["慢局"]["state"] == "not_checked"
    assert [f["rule"] for f in units["慢局"]["findings"]] == ["site_unverifiable"]


def test_sigterm_ends_a_crawl_within_10_seconds_even_while_a_page_is_being_parsed(tmp_path):
    # The page budget is raised so that the work on this page holds the reactor ~10 s of CPU.
    heavy = heavy_list(40_000).replace("</body>", nav(("工作动态", "/h/gzdt/")) + "</body>")
    routes = {"/h/xxgk/": html(heavy), "/h/gzdt/": html(page("工作动态", ""))}
    with MockServer(routes) as server:
        sites = write_sites(tmp_path / "sites.yaml", [("重局", f"{server.url}/h/xxgk/")], page_cpu_budget=60)
        child = subprocess.Popen([sys.executable, "-m", "cli", "crawl", "--config", str(sites),
                                  "--db", str(tmp_path / "t.db"), "--crawl-date", CRAWL_DATE],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while ("GET", "/h/xxgk/") not in server.hits and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)                           # the heavy page is now being parsed
        sent = time.monotonic()
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=15)
        finally:
            child.kill()
        took = time.monotonic() - sent
    assert took < 10, took
    assert child.returncode != 0
    with Store(tmp_path / "t.db") as store:
        assert store.latest_run() is None         # the stopped crawl never counts
        assert store.recent_runs(1)[0]["status"] in ("running", FAILED)


def test_the_stop_watchdog_ends_a_process_whose_main_thread_never_yields():
    # What SIGTERM finds when a callback runs away: Scrapy's handler can only ask the
    # (blocked) reactor to stop; the watchdog ends the process after its grace period.
    code = ("import signal\nfrom crawler.run import _stop_watchdog\n"
            "signal.signal(signal.SIGTERM, lambda s, f: None)\n_stop_watchdog(2.0)\n"
            "print('busy', flush=True)\nwhile True:\n    pass\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "busy"
        sent = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=10)
        took = time.monotonic() - sent
    finally:
        child.kill()
    assert child.returncode == 128 + signal.SIGTERM
    assert 1.5 < took < 6, took


def test_a_page_over_its_cpu_budget_is_unverifiable_and_the_crawl_moves_on(tmp_path):
    routes = {"/b/xxgk/": html(page("信息公开", nav(("工作动态", "/b/gzdt/"), ("通知公告", "/b/tzgg/")))),
              "/b/gzdt/": html(heavy_list(40_000)),
              "/b/tzgg/": html(page("通知公告", listing(("关于调整办公时间的通知", "/b/a/1.html", "2026-11-20"))))}
    with MockServer(routes) as server:
        sites = write_sites(tmp_path / "sites.yaml", [("重局", f"{server.url}/b/xxgk/")], page_cpu_budget=0.5)
        result = govfresh("crawl", "--config", str(sites), "--db", str(tmp_path / "b.db"), "--crawl-date", CRAWL_DATE)
    assert result.returncode == 0, result.stderr
    export = json.loads(govfresh("export", "--db", str(tmp_path / "b.db"), "--as-of", CRAWL_DATE).stdout)
    cols = {c["name"]: c for c in export["units"][0]["columns"]}
    assert cols["工作动态"]["state"] == "unverifiable" and "处理时限" in cols["工作动态"]["error"]
    assert cols["通知公告"]["state"] == "list" and cols["通知公告"]["newest_date"] == "2026-11-20"
    rules = {f["rule"] for f in export["units"][0]["findings"]}
    assert "column_unverifiable" in rules and "homepage_stale" not in rules


def test_the_scheduler_never_waits_forever_on_a_crawl_child(tmp_path):
    with MockServer({"/w/xxgk/": hang(60)}) as server:
        sites = write_sites(tmp_path / "sites.yaml", [("等局", f"{server.url}/w/xxgk/")], timeout=50)
        started = time.monotonic()
        with pytest.raises(CrawlError, match="did not finish"):
            crawl(sites, tmp_path / "w.db", timeout=3)
        assert time.monotonic() - started < 20
    with Store(tmp_path / "w.db") as store:
        assert store.latest_run() is None
