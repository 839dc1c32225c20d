"""Availability probes against a loopback server: what counts as a failure."""
import socket
from datetime import datetime
from zoneinfo import ZoneInfo

from config import parse_config
from crawler.probe import probe_all, probe_one
from mockserver import MockServer, hang, html, redirect
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
