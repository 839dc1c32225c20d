"""The demo county crawled by `govfresh worker` processes on a real Redis: the same export as one process.

Each test starts its own redis-server and demo portal on 127.0.0.1; the coordinator
(`govfresh crawl --redis`) and the workers are separate processes, as on separate machines.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
import yaml

from crawl_cli import comparable
from demo.server import DemoPortal
from store import Store

TODAY = date(2026, 11, 27)


def govfresh(*args):
    result = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def start(*args, log):
    return subprocess.Popen([sys.executable, "-m", "cli", *args], stdout=subprocess.DEVNULL,
                            stderr=open(log, "w"), text=True)


def sites_for(portal, tmp_path):
    path = portal.sites(tmp_path / "sites.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Short leases so a killed worker's requests come back within the test, but not so short
    # that a live worker's heartbeat (every lease/3) misses one on a loaded machine (2 s did:
    # its requests were handed out again); all units share the portal's one host, so allow a
    # few requests at once there.
    doc["crawl"] = {"concurrency_per_host": 8, "redis_lease": 6,
                    # workers read statically: so does the one-process crawl they are compared with
                    "browser": False}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def export(db):
    return json.loads(govfresh("export", "--db", str(db), "--as-of", TODAY.isoformat()).stdout)


def single_process(sites, tmp_path):
    db = tmp_path / "single.db"
    govfresh("crawl", "--config", str(sites), "--db", str(db), "--crawl-date", TODAY.isoformat())
    return comparable(export(db))


def answered(coordinator_log):
    """{worker: pages answered} and requests requeued, from the coordinator's closing line."""
    line = next(l for l in coordinator_log.splitlines() if "pages answered by" in l)
    workers = dict((w, int(n)) for w, n in re.findall(r"(\S+) (\d+)[,)]", line.split("(", 1)[1]))
    return workers, int(re.search(r"(\d+) requests requeued", line).group(1))


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """The demo portal, its sites.yaml and what one process's crawl of it exports."""
    tmp_path = tmp_path_factory.mktemp("county")
    with DemoPortal(TODAY) as portal:
        sites = sites_for(portal, tmp_path)
        yield portal, sites, single_process(sites, tmp_path)


def test_two_workers_crawl_the_demo_county_as_one_process_does(tmp_path, redis_server, county):
    portal, sites, expected = county
    workers = [start("worker", "--config", str(sites), "--redis", redis_server.url, "--once",
                     log=tmp_path / f"worker{i}.log") for i in (1, 2)]
    db = tmp_path / "distributed.db"
    try:
        result = govfresh("crawl", "--config", str(sites), "--db", str(db), "--crawl-date", TODAY.isoformat(),
                          "--redis", redis_server.url)
        for w in workers:   # told the crawl is over, each worker exits by itself
            assert w.wait(timeout=60) == 0, (tmp_path / "worker1.log").read_text()[-2000:]
    finally:
        for w in workers:
            w.kill()
    assert comparable(export(db)) == expected
    by_worker, requeued = answered(result.stderr)
    assert len(by_worker) == 2 and all(n > 0 for n in by_worker.values()), by_worker
    assert requeued == 0
    with Store(db) as store:
        assert store.latest_run()["status"] == "finished"
    assert redis_server.client().keys("govfresh:*:requests") == []   # the crawl's keys are gone


class Gate:
    """Hold the first request for one page until released: the worker asking for it is mid-request."""

    def __init__(self, portal, path):
        self.portal, self.path = portal, path
        self.asked, self.release = threading.Event(), threading.Event()
        self.respond = portal.site.respond

    def __enter__(self):
        def gated(path, *args):
            if path == self.path and not self.asked.is_set():
                self.asked.set()
                self.release.wait(60)
            return self.respond(path, *args)
        self.portal.site.respond = gated
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.portal.site.respond = self.respond


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path, redis_server, county):
    portal, sites, expected = county
    truth = portal.expected(browser=False)["facts"]
    held = next(u for u in truth[len(truth) // 2:] if u["columns"])["columns"][0]["url"].split(str(portal.port), 1)[1]
    db = tmp_path / "distributed.db"
    survivor = None
    with Gate(portal, held) as gate:
        coordinator = subprocess.Popen(
            [sys.executable, "-m", "cli", "crawl", "--config", str(sites), "--db", str(db), "--crawl-date",
             TODAY.isoformat(), "--redis", redis_server.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        doomed = start("worker", "--config", str(sites), "--redis", redis_server.url, "--once",
                       log=tmp_path / "doomed.log")
        try:
            assert gate.asked.wait(120), "the doomed worker never asked for the held page"
            os.kill(doomed.pid, signal.SIGKILL)       # mid-request: its leases are still in Redis
            doomed.wait()
            gate.release.set()
            survivor = start("worker", "--config", str(sites), "--redis", redis_server.url, "--once",
                             log=tmp_path / "survivor.log")
            out, err = coordinator.communicate(timeout=240)
            assert coordinator.returncode == 0, err[-3000:]
            assert survivor.wait(timeout=60) == 0
        finally:
            for p in (coordinator, doomed, survivor):
                if p is not None and p.poll() is None:
                    p.kill()
    assert comparable(export(db)) == expected
    by_worker, requeued = answered(err)
    assert requeued >= 1                       # the held page (at least) went back to the queue...
    assert len(by_worker) == 2                 # ...and was answered by the survivor


def test_an_unreachable_redis_fails_the_crawl_clearly_and_never_shows_its_password(tmp_path):
    from demo.server import free_port
    sites = tmp_path / "sites.yaml"
    url = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"
    sites.write_text(f"county: 测试县\ncrawl:\n  redis: {url}\nunits:\n  - name: 测试局\n"
                     f"    url: http://127.0.0.1:9/xxgk/\n", encoding="utf-8")
    db = tmp_path / "t.db"
    for args in (["crawl", "--config", str(sites), "--db", str(db)], ["worker", "--config", str(sites), "--once"]):
        result = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, result.stderr
        assert "cannot be used" in result.stderr and "127.0.0.1" in result.stderr
        assert "s3cret" not in result.stderr + result.stdout
    with Store(db) as store:
        assert store.latest_run() is None                        # the run never counts
        assert "s3cret" not in (store.recent_runs(1)[0]["note"] or "")


def test_a_redis_url_of_another_scheme_is_refused_without_echoing_it(tmp_path):
    sites = tmp_path / "sites.yaml"
    sites.write_text("county: 测试县\ncrawl:\n  redis: http://:s3cret@example.org/\nunits:\n  - name: 测试局\n"
                     "    url: http://127.0.0.1:9/xxgk/\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cli", "crawl", "--config", str(sites)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "crawl.redis" in result.stderr.replace(" → ", ".")
    assert "s3cret" not in result.stderr


def test_the_coordinator_keeps_the_crawls_deadline(tmp_path, redis_server, county):
    portal, sites, _ = county
    doc = yaml.safe_load(sites.read_text(encoding="utf-8"))
    doc["crawl"]["max_duration"] = 12   # the held page waits longer than this
    short = tmp_path / "sites.yaml"
    short.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    truth = portal.expected(browser=False)["facts"]
    held_unit = next(u for u in truth[len(truth) // 2:] if u["columns"])   # a unit the crawl walks
    db = tmp_path / "deadline.db"
    with Gate(portal, held_unit["columns"][0]["url"].split(str(portal.port), 1)[1]) as gate:
        worker = start("worker", "--config", str(short), "--redis", redis_server.url, "--once",
                       log=tmp_path / "worker.log")
        try:
            result = govfresh("crawl", "--config", str(short), "--db", str(db), "--crawl-date", TODAY.isoformat(),
                              "--redis", redis_server.url)
            gate.release.set()
            assert worker.wait(timeout=60) == 0
        finally:
            worker.kill()
    with Store(db) as store:
        run = store.latest_run()
        assert run["status"] == "finished" and "max_duration" in run["note"]   # counted, and says it was cut short
        units = store.run_units(run["id"])
    unfinished = {u["name"] for u in units if u["complete"] == 0 or u["state"] == "not_checked"}
    assert held_unit["name"] in unfinished     # its held column was never answered
    assert len(unfinished) < len(units)        # the others were crawled within the deadline
