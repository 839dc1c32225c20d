"""Sloppy HTTP servers: what the old client read is still read (crawler/download.py).

The crawl's HTTP client is aiohttp's strict C parser; county servers break HTTP's rules
in ways Twisted's client shrugs off. Each unit's disclosure page below is sent as raw
bytes breaking one such rule; the unit must be read as any other, its columns judged,
and a link whose server answers HEAD with a body checked as alive. HTTPS with a self-signed
or an old 1024-bit certificate is read too (certificates are not what govfresh judges).
"""
import pytest

from mockserver import MockServer, html, wire
from test_faults import FRESH, disclosure, fresh_list, old_list
from test_link_checks import _links
from test_spider import page, run_crawl


def answer(body: str, *headers: bytes, status: bytes = b"200 OK", length: bool = True) -> bytes:
    data = body.encode()
    lines = [b"HTTP/1.1 " + status, b"Content-Type: text/html; charset=utf-8", *headers]
    if length:
        lines.append(b"Content-Length: %d" % len(data))
    return b"\r\n".join(lines) + b"\r\n\r\n" + data


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)


# (unit, how its server breaks the rules: the disclosure page's answer for a prefix)
SLOPPY = {
    "国标头局": lambda p: answer(disclosure(p), "X-Site: 县政务公开".encode("gbk"),
                              'Content-Disposition: inline; filename="公开.html"'.encode("gbk")),
    "缺冒号局": lambda p: answer(disclosure(p), b"X-Cache-Status HIT"),
    "双长度局": lambda p: answer(disclosure(p), b"Content-Length: %d" % len(disclosure(p).encode())),
    "长度分块局": lambda p: answer(disclosure(p), b"Content-Length: 99999", b"Transfer-Encoding: chunked",
                                length=False)[:-len(disclosure(p).encode())] + chunked(disclosure(p).encode()),
    "控制符头局": lambda p: answer(disclosure(p), b"X-Trace: a\x00b"),
}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    routes = {}
    units = []
    for i, (name, sloppy) in enumerate(SLOPPY.items()):
        prefix = f"/s{i}"
        routes[f"{prefix}/"] = wire(sloppy(prefix))
        routes[f"{prefix}/gzdt/"] = html(fresh_list(prefix))
        routes[f"{prefix}/tzgg/"] = html(old_list(prefix))
        units.append((name, prefix))
    # A link whose server answers HEAD with a body (and keeps a GET's headers): alive.
    routes["/h/"] = html(disclosure("/h").replace("</body>", '<a href="/site/notice.html">附件下载</a></body>'))
    routes["/h/gzdt/"] = html(fresh_list("/h"))
    routes["/h/tzgg/"] = html(old_list("/h"))
    routes["/site/notice.html"] = wire(answer(page("附件", "<p>附件正文</p>")))
    units.append(("头体局", "/h"))
    # HTTPS with a self-signed certificate, and an old one with a 1024-bit key.
    tls_units = []
    for name, prefix in (("自签证书局", "/t"), ("旧证书局", "/o")):
        routes[f"{prefix}/"] = html(disclosure(prefix))
        routes[f"{prefix}/gzdt/"] = html(fresh_list(prefix))
        routes[f"{prefix}/tzgg/"] = html(old_list(prefix))
        tls_units.append((name, prefix))
    modern, old = MockServer(routes), MockServer(routes)
    bases = {"自签证书局": modern.serve_tls(), "旧证书局": old.serve_tls(key_bits=1024, seclevel=0)}
    with MockServer(routes) as server, modern, old:
        tmp = tmp_path_factory.mktemp("sloppy")
        found, db = run_crawl(tmp, [(n, f"{server.url}{p}/") for n, p in units]
                              + [(n, f"{bases[n]}{p}/") for n, p in tls_units])
        yield found, db


@pytest.mark.parametrize("name", [*SLOPPY, "自签证书局", "旧证书局"])
def test_a_sloppy_server_is_read_like_any_other(county, name):
    found, _ = county
    unit = found[name]
    assert unit["state"] == "read", unit["error"]
    dates = {c["name"]: c["newest_date"] for c in unit["columns"]}
    assert dates["工作动态"] == FRESH
    assert {f["rule"] for f in unit["findings"]} & {"site_unreachable", "site_unverifiable"} == set()


def test_a_link_answered_with_a_body_to_head_is_alive(county):
    found, db = county
    assert found["头体局"]["state"] == "read"
    assert _links(db)["notice.html"] == (200, 1)
    assert "dead_link" not in {f["rule"] for f in found["头体局"]["findings"]}


def test_only_scrapys_slots_bound_connections_not_a_pool_of_the_clients_own():
    """aiohttp's pool caps count a connection until aiohttp lets it go: behind pages that hang
    past the timeout, a healthy page waited for a place and timed out itself."""
    import asyncio

    from scrapy.utils.test import get_crawler

    from crawler.download import _Aiohttp

    async def caps():
        handler = _Aiohttp(get_crawler(settings_dict={"CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}))
        try:
            return handler._session.connector.limit, handler._session.connector.limit_per_host
        finally:
            await handler.close()
    assert asyncio.run(caps()) == (0, 0)


def test_gets_and_heads_go_without_a_body_or_its_length(tmp_path):
    # As Twisted's client sent them, and browsers do: a GET or HEAD with `Content-Length: 0`
    # is refused by some firewalls in front of county sites.
    asked = []

    def recorded(route):
        def answer(handler):
            asked.append((handler.command, handler.path, handler.headers.get("Content-Length"),
                          handler.headers.get("Transfer-Encoding")))
            handler.reply(*route)
        return answer

    routes = {"/r/": html(disclosure("/r").replace("</body>", '<a href="/r/notice.pdf">附件下载</a></body>')),
              "/r/gzdt/": html(fresh_list("/r")), "/r/tzgg/": html(old_list("/r")),
              "/r/notice.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")}
    with MockServer({path: recorded(route) for path, route in routes.items()}) as server:
        found, _ = run_crawl(tmp_path, [("记录局", f"{server.url}/r/")])
    assert found["记录局"]["reachable"]
    assert {(method, path) for method, path, _, _ in asked} >= {
        ("GET", "/r/"), ("GET", "/r/gzdt/"), ("GET", "/r/tzgg/"), ("HEAD", "/r/notice.pdf")}
    assert [a for a in asked if a[2] is not None or a[3] is not None] == []


@pytest.mark.parametrize("lines", [
    [b"Content-Type: text/html; charset=utf-8", b"Set-Cookie: a=1", b"set-cookie: b=2; Path=/",
     b"ETag:  \"33a64df5\" ", b"X-B3-TraceId: 0af7", b"x-empty:", b"WWW-Authenticate: Basic"],
    [b"Content-Type: text/html", "X-Site: 县政务公开".encode("utf-8")],
    [b"Content-Type: text/html", "X-Site: 县政务公开".encode("gbk")],
])
def test_the_answers_headers_read_as_scrapy_reads_them(lines):
    import asyncio

    import aiohttp
    from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler

    from crawler.download import _Aiohttp

    async def both(url):
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            async with session.get(url) as response:
                try:
                    scrapys = AiohttpDownloadHandler._extract_headers(response)
                except UnicodeError as exc:
                    scrapys = type(exc)
                try:
                    ours = _Aiohttp._extract_headers(response)
                except UnicodeError as exc:
                    ours = type(exc)
                return scrapys, ours

    with MockServer({"/h": wire(answer("<p>页</p>", *lines))}) as server:
        scrapys, ours = asyncio.run(both(f"{server.url}/h"))
    assert ours == scrapys
    if isinstance(ours, dict):
        assert list(ours) == list(scrapys)   # in the order they came
