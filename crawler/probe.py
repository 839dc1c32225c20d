"""Availability probes: does each unit's disclosure page load within 15 seconds?

The 2019 indicators probe a site at least 20 times a day for a week; a probe
that does not load within 15 s fails, and ≥ 5% failures is a veto. A probe is
one small GET, far lighter than a crawl, so it uses plain urllib threads.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from config import Config
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


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only within the unit's own host and only over http(s)."""

    def __init__(self, host: str):
        self.host = host

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        parts = urlsplit(newurl)
        if parts.scheme not in ("http", "https") or parts.hostname != self.host:
            raise urllib.error.HTTPError(newurl, code, f"redirect off {self.host}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def probe_one(name: str, url: str, timeout: float = PROBE_TIMEOUT) -> ProbeResult:
    """One probe: the page must answer below 400 and arrive whole within `timeout` seconds."""
    opener = urllib.request.build_opener(_SameHostRedirects(urlsplit(url).hostname or ""))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    started = time.monotonic()
    status, error = None, None
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
            response.read(_MAX_BODY)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        error = "连接超时" if "timed out" in str(reason) else f"无法连接（{reason}）"
    elapsed = time.monotonic() - started
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
