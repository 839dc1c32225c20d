"""A local HTTP server with one route per situation, like Scrapy's own mock server.

Routes map a path to (status, headers, body) or to a callable for behaviour
(hanging, redirecting). Only ever bound to 127.0.0.1.
"""
from __future__ import annotations

import json
import random
import socket
import struct
import sys
import threading
import time
from typing import Callable, Union

from demo.loopback import LoopbackServer, Request

Route = Union[tuple[int, dict, bytes], Callable[["Handler"], None]]
Handler = Request     # what a callable route gets: reply(), params(), body, the raw socket


class MockServer(LoopbackServer):
    """The loopback server (demo/loopback.py) answering from a dict of routes."""

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = routes or {}
        super().__init__(self._route, host=host)

    def serve_tls(self, key_bits: int = 2048, seclevel: int | None = None) -> str:
        """Serve HTTPS with a fresh self-signed certificate (as many county sites do; an old one has a
        1024-bit key, which needs `seclevel` 0 on a server built with today's OpenSSL); the base URL.
        Call before the server starts."""
        import datetime
        import ssl
        import tempfile

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xxgk.example.gov.cn")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if seclevel is not None:
            context.set_ciphers(f"DEFAULT:@SECLEVEL={seclevel}")
        with tempfile.NamedTemporaryFile("wb", suffix=".pem") as pem:
            pem.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
            pem.write(cert.public_bytes(serialization.Encoding.PEM))
            pem.flush()
            context.load_cert_chain(pem.name)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        return f"https://{self.host}:{self.port}"

    def _route(self, handler: Handler) -> None:
        # A route keyed by its bare path answers whatever the query (data calls carry their paging there).
        route = self.routes.get(handler.path, self.routes.get(handler.url_path))
        if route is None:
            handler.reply(404, {"Content-Type": "text/html; charset=utf-8"}, "<h1>404 页面不存在</h1>".encode())
        elif callable(route):
            route(handler)
        else:
            handler.reply(*route)


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


# ---- faults: what hostile or broken sites do ------------------------------------------------
# Each returns a route; the fault suite (tests/crawler/test_faults.py) gives every one a unit.

def raw(status: int, headers: dict, body: bytes) -> Callable[[Handler], None]:
    """An answer sent exactly as given: no Content-Length added, the connection closed after it."""
    def route(handler: Handler) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True
    return route


def wire(answer: bytes) -> Callable[[Handler], None]:
    """These exact bytes, status line and headers included, whatever was asked (a HEAD too), then the
    connection closed: a server breaking HTTP's rules the way county servers do."""
    def route(handler: Handler) -> None:
        handler.wfile.write(answer)
        handler.wfile.flush()
        handler.close_connection = True
    return route


def drip(body: bytes = b"<html>" + b" " * 100, interval: float = 1.0) -> Callable[[Handler], None]:
    """Headers at once, then one byte every `interval` seconds: each read succeeds, the page never ends."""
    def route(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for i in range(len(body)):
            handler.wfile.write(body[i:i + 1])
            handler.wfile.flush()
            time.sleep(interval)
    return route


def reset() -> Callable[[Handler], None]:
    """The connection is reset (RST) as soon as the request arrives."""
    def route(handler: Handler) -> None:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True
    return route


def truncated(body: bytes, claimed: int) -> Callable[[Handler], None]:
    """Content-Length says `claimed` bytes; fewer arrive before the connection closes."""
    return raw(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(claimed)}, body)


def endless(chunk: bytes = b"<p>" + "无尽".encode() * 500 + b"</p>\n") -> Callable[[Handler], None]:
    """A chunked body that never ends (stops when the client goes away)."""
    def route(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            while True:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            handler.close_connection = True
    return route


def broken_gzip() -> tuple[int, dict, bytes]:
    """Content-Encoding: gzip over bytes that are not gzip past the magic number."""
    return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4


def binary(size: int = 20_000, seed: int = 7) -> tuple[int, dict, bytes]:
    """Random bytes served as an HTML page."""
    return 200, {"Content-Type": "text/html; charset=utf-8"}, random.Random(seed).randbytes(size)


def challenge_412() -> tuple[int, dict, bytes]:
    """瑞数-style: HTTP 412 and a script that computes a cookie."""
    return html('<html><script>var _0x3f2a=["cookie"];document.cookie="FSSBBIl1UgzbN7N80S=1";'
                'location.reload()</script></html>', status=412)


def challenge_200() -> tuple[int, dict, bytes]:
    """云锁/安全狗-style: HTTP 200 and a page that is only a script setting a cookie and reloading."""
    return html('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                '<script>function YunSuoAutoJump(){document.cookie="security_session_verify=a1b2c3; path=/";'
                'self.location=location.href}setTimeout(YunSuoAutoJump,100)</script></body></html>')


# ---- pages that load their list by script --------------------------------------------------

def json_data(value: object, status: int = 200) -> tuple[int, dict, bytes]:
    """A JSON answer, as a list API sends it."""
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(value, ensure_ascii=False).encode()


def hanweb_dataproxy(records: list[str], columnid: str) -> Callable[[Handler], None]:
    """Hanweb's /module/web/jpage/dataproxy.jsp: records startrecord–endrecord of a column, as a datastore.

    Only a POST naming the column answers with records, as the real proxy does.
    """
    def route(handler: Handler) -> None:
        p = handler.params()
        if handler.command != "POST" or p.get("columnid") != columnid:
            handler.reply(200, {"Content-Type": "text/xml; charset=utf-8"}, b"<datastore></datastore>")
            return
        start, end = int(p.get("startrecord", 1)), int(p.get("endrecord", 15))
        chosen = "".join(f"<record><![CDATA[{r}]]></record>" for r in records[start - 1:end])
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(records)}</totalrecord>'
               f"<recordset>{chosen}</recordset></datastore>")
        handler.reply(200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode())
    return route


def cookie_challenge(route: Route, status: int = 412, cookie: str = "wzws_cid=7f3a9c") -> Callable[[Handler], None]:
    """A web application firewall in front of `route`: without its cookie, a page whose script sets it.

    status 412: 瑞数-style, the script sets the cookie and reloads at once; 200: 云锁/安全狗-style,
    a near-empty page that sets it and jumps back after a moment. With the cookie, `route` answers.
    """
    if status == 412:
        script = f'var _0x3f2a=["cookie"];document.cookie="{cookie}; path=/";location.reload();'
    else:
        script = (f'function YunSuoAutoJump(){{document.cookie="{cookie}; path=/";self.location=location.href}}'
                  "setTimeout(YunSuoAutoJump,100);")
    challenge = html(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>{script}</script>'
                     "</body></html>", status=status)

    def guarded(handler: Handler) -> None:
        if cookie not in (handler.headers.get("Cookie") or ""):
            handler.reply(*challenge)
        elif callable(route):
            route(handler)
        else:
            handler.reply(*route)
    return guarded
