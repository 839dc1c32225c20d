"""Availability probes against a loopback server: what counts as a failure."""
import socket
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from config import parse_config
from crawler.probe import probe_all, probe_one
from mockserver import MockServer, drip, hang, html, redirect
from store import Store


def test_probe_outcomes():
    routes = {"/ok/": html("<p>ok</p>"), "/down/": html("维护", status=503), "/slow/": hang(3),
              "/moved/": redirect("/ok/")}
    with MockServer(routes) as server, MockServer({}, host="127.0.0.2") as other:
        routes["/away/"] = redirect(f"http://127.0.0.2:{other.port}/")
        assert probe_one("a", f"{server.url}/ok/").ok
        assert probe_one("a", f"{server.url}/moved/").ok
        down = probe_one("a", f"{server.url}/down/")
        assert not down.ok and down.http_status == 503
        slow = probe_one("a", f"{server.url}/slow/", timeout=1)
        assert not slow.ok and "超时" in slow.error
        away = probe_one("a", f"{server.url}/away/")
        assert not away.ok and other.hits == []
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refused = probe_one("a", f"http://127.0.0.1:{port}/")
    assert not refused.ok and refused.http_status is None


def test_probes_are_recorded_and_counted_for_the_week(tmp_path):
    with MockServer({"/ok/": html("ok"), "/down/": html("x", status=500)}) as server:
        config = parse_config({"county": "测试县", "units": [
            {"name": "好局", "url": f"{server.url}/ok/"}, {"name": "坏局", "url": f"{server.url}/down/"}]})
        for _ in range(3):
            probe_all(config, str(tmp_path / "p.db"))
    with Store(tmp_path / "p.db") as store:
        ids = store.unit_ids()
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()   # probes are dated in the county's time
        assert store.probe_counts(ids["好局"], today) == {"probes_total": 3, "probes_failed": 0}
        assert store.probe_counts(ids["坏局"], today) == {"probes_total": 3, "probes_failed": 3}


def test_a_probe_budget_is_total_not_per_read():
    # A byte a second: every read succeeds, the page never arrives. Before, a 3 s probe took 40 s.
    with MockServer({"/drip/": drip(b"<html>" + b" " * 60, interval=1.0), "/ok/": html("<p>ok</p>")}) as server:
        started = time.monotonic()
        result = probe_one("a", f"{server.url}/drip/", timeout=3)
        took = time.monotonic() - started
        assert not result.ok and "超时" in result.error
        assert took < 4.5, took


def test_one_slow_unit_does_not_hold_the_others(tmp_path):
    routes = {"/drip/": drip(b"<html>" + b" " * 60, interval=1.0), "/slow/": hang(30)}
    routes.update({f"/u{i}/": html(f"<p>{i}</p>") for i in range(10)})
    with MockServer(routes) as server:
        units = [{"name": f"局{i}", "url": f"{server.url}/u{i}/"} for i in range(10)]
        units += [{"name": "滴答局", "url": f"{server.url}/drip/"}, {"name": "挂起局", "url": f"{server.url}/slow/"}]
        config = parse_config({"county": "测试县", "units": units})
        started = time.monotonic()
        results = {r.unit: r for r in probe_all(config, str(tmp_path / "p.db"), timeout=3)}
        took = time.monotonic() - started
    assert took < 8, took
    assert all(results[f"局{i}"].ok for i in range(10))
    assert not results["滴答局"].ok and not results["挂起局"].ok
