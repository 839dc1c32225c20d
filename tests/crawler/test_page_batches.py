"""A unit's pages read in batches (crawler/batches.py, crawler/spiders/batched_asks.py) say what
the same pages read one request at a time say, and no page is fetched twice when once will do.

The one-at-a-time crawl is the same crawl with `crawl.delay` set: with a delay between
requests, Scrapy's per-request pacing matters and the spider sends no batches.
"""
import gzip
import json
from contextlib import ExitStack

from crawl_cli import comparable, crawl_and_export, govfresh
from mockserver import MockServer, hang, html, redirect
from test_recrawl import conditional
from test_spider import CRAWL_DATE, listing, nav, page, undated

ONE_AT_A_TIME = ("  delay: 0.001",)


def gzipped(text: str):
    return 200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, gzip.compress(text.encode())


def flaky(route, failures: int = 1):
    """503 the first `failures` times, then `route`."""
    calls = []

    def serve(handler):
        calls.append(handler.command)
        if len(calls) <= failures:
            handler.reply(503, {"Content-Type": "text/html"}, b"busy")
        else:
            handler.reply(*route)
    return serve


NAMES = ("工作动态", "通知公告", "人事信息", "财政信息", "规划计划", "政策文件")


def items(path: str, newest: str, title: str = "通知") -> str:
    """A list of three items under `path`, the first of `newest`."""
    return listing((f"关于{title}的说明", f"{path}1.html", newest), (f"{title}第二条", f"{path}2.html", "2026-01-05"),
                   (f"{title}第三条", f"{path}3.html", "2025-12-01"))


def columns(n: int, prefix: str = "/b/") -> list[tuple[str, str]]:
    return [(NAMES[k], f"{prefix}c{k}/") for k in range(n)]


# Each answers in one of the ways the downloader middlewares act on; each sits in the middle
# of its own unit's batch, between two lists that answer plainly.
MISBEHAVING = {
    # compressed: decompressed as the engine's answer would be
    "gzip": ("通知公告", lambda p: {p: gzipped(page("通知公告", items(p, "2026-11-20")))}),
    # moved: the redirect is followed by the page's own request
    "moved": ("人事信息", lambda p: {p: redirect(f"{p}index.html"),
                                  f"{p}index.html": html(page("人事信息", items(p, "2026-09-01")))}),
    # busy once: retried as Scrapy retries
    "busy": ("财政信息", lambda p: {p: flaky(html(page("财政信息", items(p, "2026-03-15"))))}),
    # gone: a 404 is read as a 404
    "gone": ("规划计划", lambda p: {p: html("<h1>页面不存在</h1>", status=404)}),
    # GBK without a charset in its header
    "gbk": ("政策文件", lambda p: {p: html(page("政策文件", items(p, "2026-11-02"), charset_meta="gbk"),
                                         charset=None, encoding="gbk")}),
    # a page that sends its visitor on with a meta refresh
    "refresh": ("统计信息", lambda p: {
        p: html(f'<html><head><meta http-equiv="refresh" content="0;url={p}list.html"></head></html>'),
        f"{p}list.html": html(page("统计信息", items(p, "2026-11-10")))}),
    # no dates in the list: the newest item's own page is read
    "undated": ("采购信息", lambda p: {
        p: html(page("采购信息", undated(("县政府采购中心采购公告", f"{p}202611/t20261118_101.html"),
                                       ("办公设备采购项目结果公示", f"{p}202611/t20261110_99.html"),
                                       ("教学仪器采购项目招标公告", f"{p}202610/t20261021_98.html")))),
        f"{p}202611/t20261118_101.html": html('<html><head><meta name="PubDate" content="2026-11-18 09:30"></head>'
                                              '<body><h1>县政府采购中心采购公告</h1><p>发布时间：2026-11-18</p></body></html>')}),
    # hangs past the timeout: tried as often as the engine tries it, then recorded as timed out
    "hangs": ("公示公告", lambda p: {p: hang(5)}),
}


# Disclosure pages that misbehave; each unit sits between two plain ones on a host of its own,
# so each is in the middle of a batch of the host's units.
HOMES = {
    "home-moved": lambda p, body: {p: redirect(f"{p}index.html"), f"{p}index.html": body},
    "home-busy": lambda p, body: {p: flaky(body)},
    "home-gzip": lambda p, body: {p: gzipped(body[2].decode())},
    "home-gone": lambda p, body: {p: html("<h1>页面不存在</h1>", status=404)},
    "home-hangs": lambda p, body: {p: hang(5)},
}
PLAIN = ("通知公告", lambda p: {p: html(page("通知公告", items(p, "2026-11-20")))})


def county_routes() -> dict:
    """Every unit's pages (each server of the test serves them all)."""
    routes = {}
    kinds = {**MISBEHAVING, **{kind: PLAIN for kind in (*HOMES, "plain-before", "plain-after")}}
    for kind, (name, serve) in kinds.items():
        base = f"/{kind}/"
        cols = [("工作动态", f"{base}gzdt/"), (name, f"{base}odd/"), ("政府信息公开指南", f"{base}zn/")]
        # Two links besides the columns, one fine and one dead: their checks ride with the
        # unit's batch of pages.
        home = html(page("信息公开", nav(*cols) + f'<p><a href="{base}about.html">关于我们</a>'
                                          f'<a href="{base}old.html">旧版栏目</a></p>'))
        routes[f"{base}about.html"] = html(page("关于我们", "<p>简介</p>"))
        routes.update(HOMES[kind](f"{base}xxgk/", home) if kind in HOMES else {f"{base}xxgk/": home})
        routes[f"{base}gzdt/"] = html(page("工作动态", items(f"{base}a/", "2026-11-25")))
        routes.update(serve(f"{base}odd/"))
        routes[f"{base}zn/"] = html(page("政府信息公开指南", "<div class='content'><p>受理机构：办公室。办公地址：人民路1号。"
                                                          "办公时间：工作日。联系电话：0591-1234567。</p></div>"))
    return routes


def crawl_county(work, extra) -> tuple[dict, list[tuple[int, str]]]:
    """The export of one crawl of the county, hosts named host0…, and the GETs each host saw."""
    with ExitStack() as stack:
        servers = [stack.enter_context(MockServer(county_routes(), host=f"127.0.0.{1 + n}"))
                   for n in range(1 + len(HOMES))]
        units = {kind: f"{servers[0].url}/{kind}/xxgk/" for kind in MISBEHAVING}
        for server, kind in zip(servers[1:], HOMES):
            units.update({f"{kind}-before": f"{server.url}/plain-before/xxgk/", kind: f"{server.url}/{kind}/xxgk/",
                          f"{kind}-after": f"{server.url}/plain-after/xxgk/"})
        crawl_and_export(work, units, CRAWL_DATE, crawl=extra, timeout=1)
        text = govfresh("export", "--db", str(work / "t.db"), "--as-of", CRAWL_DATE.isoformat()).stdout
        for n, server in enumerate(servers):
            text = text.replace(server.url, f"http://host{n}")
        return (comparable(json.loads(text)),
                [(n, path) for n, server in enumerate(servers) for method, path in server.hits if method == "GET"])


def test_pages_read_in_batches_say_what_pages_read_one_at_a_time_say(tmp_path):
    (tmp_path / "batched").mkdir()
    (tmp_path / "alone").mkdir()
    batched, gets = crawl_county(tmp_path / "batched", ())
    alone, gets_alone = crawl_county(tmp_path / "alone", ONE_AT_A_TIME)
    assert batched == alone
    odd = {u["name"]: next((c["newest_date"], c["item_count"], c["http_status"]) for c in u["columns"]
                           if "/odd/" in c["url"]) for u in batched["units"] if u["name"] in MISBEHAVING}
    assert odd == {"gzip": ("2026-11-20", 3, 200), "moved": ("2026-09-01", 3, 200), "busy": ("2026-03-15", 3, 200),
                   "gone": (None, 0, 404), "gbk": ("2026-11-02", 3, 200), "refresh": ("2026-11-10", 3, 200),
                   "undated": ("2026-11-18", 3, 200), "hangs": (None, 0, None)}
    assert all(c["newest_date"] == "2026-11-25" for u in batched["units"] for c in u["columns"] if "/gzdt/" in c["url"])
    homes = {u["name"]: (u["reachable"], len(u["columns"])) for u in batched["units"] if u["name"] not in MISBEHAVING}
    assert homes == {"home-moved": (True, 3), "home-busy": (True, 3), "home-gzip": (True, 3),
                     "home-gone": (False, 0), "home-hangs": (False, 0),
                     **{f"{kind}-{side}": (True, 3) for kind in HOMES for side in ("before", "after")}}
    # A page that answered plainly was fetched once, in a batch or alone; one that moved or
    # sent its visitor on was asked again by its own request, which followed it; one busy or
    # hanging was tried as often as one crawled a request at a time is.
    moved = {(0, "/moved/odd/"), (0, "/refresh/odd/"), (1, "/home-moved/xxgk/")}
    for got in set(gets_alone):
        assert gets.count(got) == gets_alone.count(got) + (got in moved), (got, gets, gets_alone)
    assert gets.count((0, "/busy/odd/")) == gets.count((2, "/home-busy/xxgk/")) == 2
    assert gets.count((0, "/hangs/odd/")) == gets.count((5, "/home-hangs/xxgk/")) == 3


def test_a_batch_reads_a_bounded_amount_and_asks_for_the_rest_alone(tmp_path):
    """Pages of 1.5 MB each: a batch stops reading at READ_BYTES (4 MB); the pages after it are
    asked for by their own requests, read all the same, each fetched once."""
    cols = columns(6)
    routes = {"/b/xxgk/": html(page("信息公开", nav(*cols)))}
    padding = "<!--" + "说明" * 250_000 + "-->"
    for k, (name, path) in enumerate(cols):
        routes[path] = html(page(name, items(path, f"2026-11-{k + 10}", name) + padding))
    with MockServer(routes) as server:
        units, _, _ = crawl_and_export(tmp_path, {"乙局": f"{server.url}/b/xxgk/"}, CRAWL_DATE)
        gets = [path for method, path in server.hits if method == "GET"]
    read = {c["url"].split("/b/", 1)[1]: c["newest_date"] for c in units["乙局"]["columns"]}
    assert read == {f"c{k}/": f"2026-11-{k + 10}" for k in range(6)}
    assert sorted(gets) == sorted(["/b/xxgk/", *(path for _, path in cols)])


def test_a_recrawl_fetches_a_changed_page_once(tmp_path):
    from test_recrawl import crawl

    cols = columns(5, "/q/")
    routes = {"/q/xxgk/": conditional(html(page("信息公开", nav(*cols))))}
    for k, (name, path) in enumerate(cols):
        routes[path] = conditional(html(page(name, items(path, f"2026-11-0{k + 1}", name))))
    with MockServer(routes) as server:
        server.not_modified = []
        crawl(server, tmp_path, "2026-11-26")
        name, path = cols[2]
        server.routes[path] = conditional(html(page(name, listing(("新的一条", f"{path}4.html", "2026-11-27"))
                                                    + items(path, "2026-11-03", name))))
        server.hits.clear()
        second = crawl(server, tmp_path, "2026-11-27")
        gets = [p for method, p in server.hits if method == "GET"]
    changed = next(c for c in second["columns"] if c["url"].endswith(path))
    assert (changed["newest_date"], changed["item_count"]) == ("2026-11-27", 4)
    assert gets.count(path) == 1
    assert sorted(set(gets)) == sorted(gets)
