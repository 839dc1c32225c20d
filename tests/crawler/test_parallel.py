"""A crawl in several processes (crawl.processes): the same facts as one process, a host's units in one.

Units on three loopback hosts; the crawl runs as `govfresh crawl` in a child process, as users run it.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from crawl_cli import comparable
from crawler.parallel import shares
from mockserver import MockServer, hang, html
from store import Store
from test_faults import disclosure, fresh_list, old_list
from test_spider import CRAWL_DATE

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")


def test_a_hosts_units_stay_in_one_share_and_shares_are_balanced():
    urls = [f"http://{h}/u{i}/" for h, n in (("a.gov.cn", 5), ("b.gov.cn", 3), ("c.gov.cn", 2), ("d.gov.cn", 1))
            for i in range(n)]
    urls += ["http://a.gov.cn:8080/x/", "http://B.GOV.CN/late/"]      # another port is another host
    parts = shares(urls, 2)
    assert sorted(i for part in parts for i in part) == list(range(len(urls)))
    host = {i: urls[i].split("/")[2].lower() for i in range(len(urls))}
    assert all(len({host[i] for part in parts for i in part if host[i] == h} and
                   [k for k, part in enumerate(parts) if any(host[i] == h for i in part)]) == 1
               for h in set(host.values()))
    assert sorted(len(p) for p in parts) == [6, 7]
    assert shares(urls[:5], 3) == [list(range(5))]                 # one host: one share, whatever is asked
    assert shares(urls, 2) == parts                                  # the same every time


def county_routes(host_index: int) -> dict:
    routes = {}
    for u in range(3):
        prefix = f"/h{host_index}u{u}"
        routes[f"{prefix}/"] = html(disclosure(prefix).replace(
            "</body>", f'<a href="/gone/{u}.html">旧版</a><a href="{prefix}/">本页</a></body>'))
        routes[f"{prefix}/gzdt/"] = html(fresh_list(prefix))
        routes[f"{prefix}/tzgg/"] = html(old_list(prefix))
    return routes


def write_sites(path, servers, processes: int, extra: str = "") -> None:
    lines = ["county: 测试县", "crawl:", "  timeout: 10", "  browser: false", f"  processes: {processes}", extra,
             "units:"]
    for k, server in enumerate(servers):
        for u in range(3):
            lines += [f"  - name: 第{k}站{u}局", f"    url: {server.url}/h{k}u{u}/"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def crawl_export(tmp_path, servers, processes):
    sites, db = tmp_path / f"sites{processes}.yaml", tmp_path / f"p{processes}.db"
    write_sites(sites, servers, processes)
    run = subprocess.run([sys.executable, "-m", "cli", "crawl", "--config", str(sites), "--db", str(db),
                          "--crawl-date", CRAWL_DATE.isoformat()], capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    out = subprocess.run([sys.executable, "-m", "cli", "export", "--db", str(db), "--as-of", CRAWL_DATE.isoformat()],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return comparable(json.loads(out.stdout)), run


def test_two_processes_find_what_one_process_finds(tmp_path):
    servers = [MockServer(county_routes(k), host=h) for k, h in enumerate(HOSTS)]
    for s in servers:
        s.start()
    try:
        one, _ = crawl_export(tmp_path, servers, 1)
        two, run = crawl_export(tmp_path, servers, 2)
    finally:
        for s in servers:
            s.stop()
    assert two == one
    assert len(one["units"]) == 9
    found = {f["rule"] for u in one["units"] for f in u["findings"]}
    assert {"column_stale", "dead_link"} <= found
    assert "2 个进程" in run.stderr


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_or_killed_crawl_takes_its_shares_with_it_and_never_counts(tmp_path, sig):
    routes = [county_routes(k) for k in range(2)]
    for k, r in enumerate(routes):      # every column hangs: the kill lands mid-crawl
        for path in [p for p in r if p.endswith(("/gzdt/", "/tzgg/"))]:
            r[path] = hang(60)
    servers = [MockServer(r, host=h) for r, h in zip(routes, HOSTS)]
    for s in servers:
        s.start()
    try:
        sites, db = tmp_path / "sites.yaml", tmp_path / "k.db"
        write_sites(sites, servers, 2)
        parent = subprocess.Popen([sys.executable, "-m", "crawler.run", "--config", str(sites), "--db", str(db),
                                   "--crawl-date", CRAWL_DATE.isoformat()],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline and not (len(children) == 2 and sum(s.hits.__len__() for s in servers) >= 6):
            children = [int(p) for p in subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True,
                                                       text=True).stdout.split()]
            time.sleep(0.2)
        assert len(children) == 2
        os.kill(parent.pid, sig)
        parent.wait(timeout=20)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(os.path.exists(f"/proc/{c}") for c in children):
            time.sleep(0.2)
        alive = [c for c in children if os.path.exists(f"/proc/{c}")
                 and open(f"/proc/{c}/stat").read().split()[2] != "Z"]
        assert alive == []
        with Store(db) as store:
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert store.latest_run() is None
    finally:
        for s in servers:
            s.stop()
