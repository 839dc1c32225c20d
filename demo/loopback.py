"""The one HTTP server govfresh runs on loopback: the demo portal, the tests' mock sites and
fake chat platforms, and the benchmarks' synthetic counties are all this server with an app.

    with LoopbackServer(app) as server:      # app(request) is called for every request
        crawl(server.url + "/xxgk/")

An app gets the request handler: `reply(status, headers, body)` answers in one
go, and the raw socket (`wfile`, `connection`) is there for behaviour under
test (a hang, a drip, a reset). Only ever bound to 127.0.0.1 unless told.
"""
from __future__ import annotations

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable
from urllib.parse import parse_qsl, urlsplit

App = Callable[["Request"], None]


class Request(BaseHTTPRequestHandler):
    """One request as an app sees it."""
    # Headers and body go out as separate writes; with Nagle on, each response
    # waits ~40 ms for the client's delayed ACK, which made crawls 4x slower.
    disable_nagle_algorithm = True
    server: "_Server"
    body: bytes = b""

    def version_string(self) -> str:
        return self.server.server_name

    def log_message(self, *args) -> None:      # quiet: tests and `make demo` stay readable
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""    # a POSTed form (Hanweb's dataproxy.jsp)
        self.server.hits.append((self.command, self.path))
        self.server.app(self)

    do_GET = do_HEAD = do_POST = _dispatch

    @property
    def url_path(self) -> str:
        """The path without its query."""
        return urlsplit(self.path).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.path).query

    def params(self) -> dict[str, str]:
        """The query's and the POSTed form's parameters, as a server-side getParameter sees them."""
        return dict(parse_qsl(self.query) + parse_qsl(self.body.decode("utf-8", "replace")))

    def reply(self, status: int, headers: dict | Iterable[tuple[str, str]], body: bytes = b"") -> None:
        """Answer with a Content-Length; a HEAD request gets the headers only."""
        self.send_response(status)
        for name, value in (headers.items() if isinstance(headers, dict) else headers):
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: "LoopbackServer"

    def __getattr__(self, name: str):
        # An app's state lives on the LoopbackServer it was given to: request.server.<name> finds it.
        if name == "owner":
            raise AttributeError(name)
        return getattr(self.owner, name)

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (a crawl's timeout, a killed crawl) is a case under test, not an error.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class LoopbackServer:
    """A threaded HTTP server on loopback (port 0 unless given) that hands each request to `app`."""

    def __init__(self, app: App, *, host: str = "127.0.0.1", port: int = 0, server_name: str = "Apache",
                 keep_alive: bool = False):
        handler = type("Handler", (Request,), {"protocol_version": "HTTP/1.1"}) if keep_alive else Request
        self._server = _Server((host, port), handler)
        self._server.owner = self
        self._server.app = app
        self._server.server_name = server_name
        self._server.hits = []
        self.host = host
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def hits(self) -> list[tuple[str, str]]:
        """(method, path) of every request so far."""
        return self._server.hits

    def start(self) -> "LoopbackServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"loopback-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "LoopbackServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound and released at once): connecting there is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
