"""A unit's pages read in batches (crawler/batches.py, crawler/spiders/batched_asks.py) say what
the same pages read one request at a time say, and no page is fetched twice when once will do.

The one-at-a-time crawl is the same crawl with `crawl.delay` set: with a delay between
requests, Scrapy's per-request pacing matters and the spider sends no batches.
"""
import gzip
import json

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


def misbehaving_county() -> tuple[dict, dict]:
    """Routes, and per unit the path of its disclosure page."""
    routes, units = {}, {}
    for kind, (name, serve) in MISBEHAVING.items():
        base = f"/{kind}/"
        cols = [("工作动态", f"{base}gzdt/"), (name, f"{base}odd/"), ("政府信息公开指南", f"{base}zn/")]
        routes[f"{base}xxgk/"] = html(page("信息公开", nav(*cols)))
        routes[f"{base}gzdt/"] = html(page("工作动态", items(f"{base}a/", "2026-11-25")))
        routes.update(serve(f"{base}odd/"))
        routes[f"{base}zn/"] = html(page("政府信息公开指南", "<div class='content'><p>受理机构：办公室。办公地址：人民路1号。"
                                                          "办公时间：工作日。联系电话：0591-1234567。</p></div>"))
        units[kind] = f"{base}xxgk/"
    return routes, units


def test_pages_read_in_batches_say_what_pages_read_one_at_a_time_say(tmp_path):
    exports, gets = [], []
    for k, extra in enumerate(((), ONE_AT_A_TIME)):
        routes, units = misbehaving_county()
        with MockServer(routes) as server:
            work = tmp_path / f"crawl{k}"
            work.mkdir()
            crawl_and_export(work, {kind: server.url + path for kind, path in units.items()}, CRAWL_DATE,
                             crawl=extra, timeout=1)
            export = govfresh("export", "--db", str(work / "t.db"), "--as-of", CRAWL_DATE.isoformat())
            exports.append(comparable(json.loads(export.stdout.replace(server.url, "http://county"))))
            gets.append([path for method, path in server.hits if method == "GET"])
    batched, alone = exports
    assert batched == alone
    odd = {u["name"]: next((c["newest_date"], c["item_count"], c["http_status"]) for c in u["columns"]
                           if "/odd/" in c["url"]) for u in batched["units"]}
    assert odd == {"gzip": ("2026-11-20", 3, 200), "moved": ("2026-09-01", 3, 200), "busy": ("2026-03-15", 3, 200),
                   "gone": (None, 0, 404), "gbk": ("2026-11-02", 3, 200), "refresh": ("2026-11-10", 3, 200),
                   "undated": ("2026-11-18", 3, 200), "hangs": (None, 0, None)}
    assert all(c["newest_date"] == "2026-11-25" for u in batched["units"] for c in u["columns"] if "/gzdt/" in c["url"])
    # A page that answered plainly was fetched once, in a batch or alone; one that moved or
    # sent its visitor on was asked again by its own request, which followed it; one busy or
    # hanging was tried as often as one crawled a request at a time is.
    for path in {p for p in gets[1] if p.count("/") > 1}:
        n = gets[0].count(path)
        if path in ("/moved/odd/", "/refresh/odd/"):
            assert n == 2, (path, gets[0])
        else:
            assert n == gets[1].count(path), (path, gets[0], gets[1])
    assert gets[0].count("/busy/odd/") == 2 and gets[0].count("/hangs/odd/") == 3


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
