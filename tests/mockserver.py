"""A local HTTP server with one route per situation, like Scrapy's own mock server.

Routes map a path to (status, headers, body) or to a callable for behaviour
(hanging, redirecting). Only ever bound to 127.0.0.1.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union

Route = Union[tuple[int, dict, bytes], Callable[["Handler"], None]]


class Handler(BaseHTTPRequestHandler):
    # Headers and body go out as separate writes; with Nagle on, each response
    # waits ~40 ms for the client's delayed ACK, which made crawls 4x slower.
    disable_nagle_algorithm = True
    server: "MockServer"

    def log_message(self, *args):  # keep test output clean
        pass

    def reply(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.server.hits.append((self.command, self.path))
        route = self.server.routes.get(self.path)
        if route is None:
            self.reply(404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404 页面不存在</h1>".encode())
        elif callable(route):
            route(self)
        else:
            self.reply(*route)

    do_HEAD = do_GET
    do_POST = do_GET   # Hanweb's dataproxy.jsp pager posts


class MockServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1"):
        super().__init__((host, 0), Handler)
        self.routes: dict[str, Route] = routes or {}
        self.hits: list[tuple[str, str]] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> "MockServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def html(text: str, status: int = 200, charset: str | None = "utf-8", encoding: str = "utf-8",
         extra: dict | None = None) -> tuple[int, dict, bytes]:
    ctype = "text/html" + (f"; charset={charset}" if charset else "")
    return status, {"Content-Type": ctype, **(extra or {})}, text.encode(encoding)


def redirect(location: str, status: int = 301) -> tuple[int, dict, bytes]:
    return status, {"Location": location}, b""


def hang(seconds: float) -> Callable[[Handler], None]:
    def route(handler: Handler) -> None:
        time.sleep(seconds)
        handler.reply(200, {"Content-Type": "text/html"}, b"<html>late</html>")
    return route
