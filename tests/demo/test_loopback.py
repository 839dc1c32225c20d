"""demo/loopback.py: the one loopback HTTP server behind the demo portal, the tests' mock sites and
fake chat platforms, and the benchmarks: requests reach the app, replies are well formed."""
import http.client
import socket
import threading

import pytest

from demo.loopback import LoopbackServer, free_port


def _echo(request) -> None:
    """Answers with what it was asked: method, path, query and parameters."""
    body = f"{request.command} {request.url_path} {request.query} {sorted(request.params().items())}".encode()
    request.reply(200, {"Content-Type": "text/plain; charset=utf-8"}, body)


@pytest.fixture
def server():
    with LoopbackServer(_echo) as s:
        yield s


def _ask(server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def _raw(server, request: bytes) -> bytes:
    """Everything the server sends for one raw request, until it closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=5) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_get_reaches_the_app(server):
    status, headers, body = _ask(server, "GET", "/xxgk/list.jsp?col=1&page=2")
    assert status == 200
    assert body == b"GET /xxgk/list.jsp col=1&page=2 [('col', '1'), ('page', '2')]"
    assert headers["Content-Length"] == str(len(body))
    assert headers["Server"] == "Apache"


def test_post_form_and_query_are_both_parameters(server):
    # Hanweb's dataproxy.jsp: paging in the query, the column in the POSTed form.
    status, _, body = _ask(server, "POST", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45",
                           b"columnid=1229&unitid=4423580",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert body == (b"POST /module/web/jpage/dataproxy.jsp startrecord=1&endrecord=45 "
                    b"[('columnid', '1229'), ('endrecord', '45'), ('startrecord', '1'), ('unitid', '4423580')]")


def test_head_gets_the_headers_and_no_body():
    page = "<html><body>政府信息公开</body></html>".encode()

    def app(request):
        request.reply(200, {"Content-Type": "text/html; charset=utf-8"}, page)

    with LoopbackServer(app) as s:
        get = _raw(s, b"GET /a HTTP/1.0\r\n\r\n")
        head = _raw(s, b"HEAD /a HTTP/1.0\r\n\r\n")
        assert s.hits == [("GET", "/a"), ("HEAD", "/a")]
    assert get.endswith(b"\r\n\r\n" + page)
    headers, _, rest = head.partition(b"\r\n\r\n")
    assert rest == b""                                        # not one byte after the headers
    assert f"Content-Length: {len(page)}".encode() in headers  # the length a GET gets


@pytest.mark.parametrize("status", [204, 304])
def test_no_content_replies_carry_no_length_and_no_body(status):
    def app(request):
        request.reply(status, {"ETag": '"v1"'}, b"ignored")

    with LoopbackServer(app) as s:
        head, _, rest = _raw(s, b"GET / HTTP/1.0\r\n\r\n").partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.0 {status}".encode())
    assert b"Content-Length" not in head and b'ETag: "v1"' in head
    assert rest == b""


def test_hits_are_recorded_in_order(server):
    _ask(server, "GET", "/a?x=1")
    _ask(server, "HEAD", "/b")
    _ask(server, "POST", "/c", b"k=v")
    assert server.hits == [("GET", "/a?x=1"), ("HEAD", "/b"), ("POST", "/c")]


def test_keep_alive_serves_two_requests_on_one_connection():
    with LoopbackServer(_echo, keep_alive=True) as s:
        conn = http.client.HTTPConnection(s.host, s.port, timeout=5)
        conn.request("GET", "/one")
        assert conn.getresponse().read().startswith(b"GET /one")
        first = conn.sock
        conn.request("GET", "/two")
        assert conn.getresponse().read().startswith(b"GET /two")
        assert conn.sock is first is not None
        conn.close()
        assert s.hits == [("GET", "/one"), ("GET", "/two")]


def test_without_keep_alive_each_request_closes_its_connection(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("GET", "/one")
    conn.getresponse().read()
    assert conn.sock is None   # the server said HTTP/1.0: the client closed after the reply
    conn.close()


def _served_after_error(app, capfd) -> str:
    """What the server printed when a client hung up while `app` answered; it still serves after."""
    handled = threading.Event()
    with LoopbackServer(app) as s:
        original = s._server.handle_error
        s._server.handle_error = lambda *a: (original(*a), handled.set())
        client = socket.create_connection((s.host, s.port), timeout=5)
        client.sendall(b"GET /big HTTP/1.0\r\n\r\n")
        # Reset, not a polite close: the server's next writes fail at once.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        client.close()
        app.hung_up.set()
        assert handled.wait(5)
        s._server.app = _echo
        assert _ask(s, "GET", "/after")[0] == 200
    return capfd.readouterr().err


class _SlowApp:
    """Starts answering only after the client has gone, then writes a large body."""

    def __init__(self, fail: Exception | None = None):
        self.hung_up = threading.Event()
        self.fail = fail

    def __call__(self, request):
        self.hung_up.wait(5)
        if self.fail:
            raise self.fail
        request.reply(200, {}, b"x" * 8_000_000)


def test_client_that_disconnects_is_not_an_error(capfd):
    assert _served_after_error(_SlowApp(), capfd) == ""


def test_app_error_is_still_reported(capfd):
    # The other side of the rule above: a real bug in an app is not swallowed.
    assert "ValueError: app bug" in _served_after_error(_SlowApp(ValueError("app bug")), capfd)


def test_binds_to_loopback_only_by_default(server):
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server._server.server_address[0] == "127.0.0.1"
    # Another loopback address reaches a server on all interfaces, not this one.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", server.port), timeout=5).close()


def test_stop_frees_the_port():
    s = LoopbackServer(_echo).start()
    port = s.port
    s.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_free_port_is_refused():
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", free_port()), timeout=5).close()
