"""Availability probes: does each unit's disclosure page load within 15 seconds?

The 2019 indicators probe a site at least 20 times a day for a week; a probe
that does not load within 15 s fails, and ≥ 5% failures is a veto. A probe is
one small GET, far lighter than a crawl, so it uses plain urllib threads.
"""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from config import Config
from crawler.scope import Scope
from crawler.settings import USER_AGENT
from store import Store

PROBE_TIMEOUT = 15.0
_MAX_BODY = 512 * 1024


@dataclass(frozen=True)
class ProbeResult:
    unit: str
    ok: bool
    http_status: int | None
    elapsed_ms: int
    error: str | None


class _InScopeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only within the unit's scope (scheme + host + port, crawler/scope.py)."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not self.scope.allows(newurl):
            raise urllib.error.HTTPError(newurl, code, "redirect off the unit's site", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Tracked(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """http(s) handlers that remember their connections, so a probe past its deadline can cut them."""

    def __init__(self, connections: list):
        urllib.request.HTTPHandler.__init__(self)
        urllib.request.HTTPSHandler.__init__(self)
        self.connections = connections

    def _factory(self, cls):
        def make(host, **kwargs):
            connection = cls(host, **kwargs)
            self.connections.append(connection)
            return connection
        return make

    def http_open(self, req):
        return self.do_open(self._factory(http.client.HTTPConnection), req)

    def https_open(self, req):
        return self.do_open(self._factory(http.client.HTTPSConnection), req, context=self._context)


def _cut(connections: list) -> None:
    """Shut the sockets down under a reader blocked on them (close alone does not wake it)."""
    for connection in connections:
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        connection.close()


def _fetch(url: str, timeout: float, connections: list, outcome: dict) -> None:
    opener = urllib.request.build_opener(_InScopeRedirects(Scope([url])), _Tracked(connections))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            outcome["status"] = response.status
            response.read(_MAX_BODY)
        outcome["done"] = True
    except urllib.error.HTTPError as exc:
        outcome.update(status=exc.code, error=f"HTTP {exc.code}", done=True)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        outcome.update(error="连接超时" if "timed out" in str(reason) else f"无法连接（{reason}）", done=True)


def probe_one(name: str, url: str, timeout: float = PROBE_TIMEOUT) -> ProbeResult:
    """One probe: the page must answer below 400 and arrive whole within `timeout` seconds in total.

    The budget is for the whole load, not per read: a server that drips a byte a
    second (each read succeeds) is cut off at the deadline like one that says nothing.
    """
    started = time.monotonic()
    connections: list = []
    outcome: dict = {}
    worker = threading.Thread(target=_fetch, args=(url, timeout, connections, outcome), daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        _cut(connections)
        worker.join(1.0)
        outcome = {"status": outcome.get("status"), "error": "加载超时"}
    elapsed = time.monotonic() - started
    status, error = outcome.get("status"), outcome.get("error")
    if error is None and elapsed > timeout:
        error = "加载超时"
    ok = error is None and status is not None and status < 400
    return ProbeResult(name, ok, status, int(elapsed * 1000), error)


def probe_all(config: Config, db_path: str, timeout: float = PROBE_TIMEOUT,
              workers: int = 8) -> list[ProbeResult]:
    """Probe every unit once, concurrently, and record each result with the local time."""
    at = datetime.now(ZoneInfo(config.timezone)).isoformat(timespec="seconds")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda u: probe_one(u.name, u.url, timeout), config.units))
    with Store(db_path) as store:
        with store.transaction():
            ids = {u.name: store.unit_id(u.name, u.kind, u.url) for u in config.units}
        for r in results:
            store.record_probe(ids[r.unit], at, r.ok, r.http_status, r.elapsed_ms, r.error)
    return results
