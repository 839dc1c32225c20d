"""Serve the simulated county on loopback: `with DemoPortal(today) as portal: ...`.

A stdlib ThreadingHTTPServer in a daemon thread answers from `demo.pages.Site`.
Bodies hold root-relative links only, so the same `today` gives the same bytes
whatever port the portal lands on.
"""
from __future__ import annotations

import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from demo import county as county_module
from demo.pages import Response, Site


class _Handler(BaseHTTPRequestHandler):
    # Headers and body go out as separate writes; with Nagle on, each response
    # waits ~40 ms for the client's delayed ACK, which made crawls 4x slower.
    disable_nagle_algorithm = True
    def version_string(self) -> str:
        return "Apache"                # what county portals usually admit to

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_POST(self) -> None:        # JCMS's dataproxy.jsp is posted to
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(send_body=True, form=self.rfile.read(length) if length else b"")

    def _answer(self, send_body: bool, form: bytes = b"") -> None:
        url = urlsplit(self.path)
        response: Response = self.server.site.respond(url.path or "/", url.query, form)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:   # noqa: A002 - stdlib signature
        pass                                              # quiet: tests and `make demo` stay readable


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: Site):
        self.site = site
        super().__init__(address, _Handler)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound and released at once): connecting there is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class DemoPortal:
    """The simulated 清河县 portal for one `today`, served on loopback."""

    def __init__(self, today: date | None = None, host: str = "127.0.0.1", port: int = 0):
        self.today = today or date.today()
        self.host, self.port = host, port
        self.site = Site(self.today)
        self.base_url: str | None = None            # http://127.0.0.1:PORT once started
        self.refused_base_url: str | None = None    # where the unreachable unit "lives"
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        self._server = _Server((self.host, self.port), self.site)
        self.port = self._server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        # Picked while our own port is held, so it cannot be the same one.
        self.refused_base_url = f"http://{self.host}:{free_port(self.host)}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"demo-portal-{self.port}", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> DemoPortal:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what the portal holds ------------------------------------------------
    def url(self, path: str = "/") -> str:
        self._require_started()
        return self.base_url + path

    def units(self) -> list[dict]:
        """sites.yaml units: name, kind, url of the disclosure page."""
        self._require_started()
        return county_module.sites_entries(self.site.county, self.base_url, self.refused_base_url)

    def sites(self, path: str | Path) -> Path:
        """Write a sites.yaml for this portal and return its path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"county": county_module.COUNTY, "units": self.units()}
        header = f"# govfresh demo portal {self.base_url}, today = {self.today.isoformat()}\n"
        path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path

    def expected(self) -> dict:
        """The correct crawl result for this portal: see `demo.county.expected`."""
        self._require_started()
        return county_module.expected(self.today, self.base_url, self.refused_base_url)

    def _require_started(self) -> None:
        if self.base_url is None:
            raise RuntimeError("DemoPortal is not started: call start() or use it as a context manager")
