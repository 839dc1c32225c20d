"""Link checks made in batches by the download handler (crawler/batches.py), through a real crawl.

Each case is a disclosure page whose links misbehave in one way; what matters is the fact
stored for each link (its status or error, or nothing when the link was not followed) and
what the servers saw.
"""
import threading
import time

from crawl_cli import crawl_and_export
from mockserver import MockServer, drip, hang, html, redirect
from store import Store
from test_spider import CRAWL_DATE, page

from crawler.batches import batches


def links_page(*paths):
    return html(page("信息公开", "".join(f'<p><a href="{p}">链接{i}</a></p>' for i, p in enumerate(paths))))


def stored_links(db):
    with Store(db) as store:
        run = store.latest_run("crawl")
        return {row["url"].split("/", 3)[-1]: (row["http_status"], row["error"]) for row in store.run_links(run["id"])}


def refuses_head(then):
    """405 to HEAD; to GET, `then` (a route) or a page with status `then`."""
    def route(handler):
        if handler.command == "HEAD":
            handler.reply(405, {"Allow": "GET"}, b"")
        elif callable(then):
            then(handler)
        else:
            handler.reply(then, {"Content-Type": "text/html"}, b"<html>ok</html>")
    return route


def test_links_refusing_head_are_asked_again_with_get(tmp_path):
    routes = {"/xxgk/": links_page("/works.html", "/gone.html"),
              "/works.html": refuses_head(200), "/gone.html": refuses_head(404)}
    with MockServer(routes) as server:
        _, db, _ = crawl_and_export(tmp_path, {"甲局": f"{server.url}/xxgk/"}, CRAWL_DATE)
        asked = [h for h in server.hits if h[1] in ("/works.html", "/gone.html")]
    assert stored_links(db) == {"works.html": (200, None), "gone.html": (404, None)}
    assert sorted(asked) == [("GET", "/gone.html"), ("GET", "/works.html"),
                             ("HEAD", "/gone.html"), ("HEAD", "/works.html")]


def test_a_link_that_hangs_or_drips_fails_at_the_timeout(tmp_path):
    routes = {"/xxgk/": links_page("/hangs.html", "/drips.html", "/fine.html"),
              "/hangs.html": hang(5), "/drips.html": refuses_head(drip(interval=0.5)), "/fine.html": html("<p>ok</p>")}
    with MockServer(routes) as server:
        _, db, _ = crawl_and_export(tmp_path, {"甲局": f"{server.url}/xxgk/"}, CRAWL_DATE,
                                    crawl=("  concurrency_per_host: 1",), timeout=1)
    links = stored_links(db)
    # Asked with GET, the dripping page sends a byte every half second: each read succeeds, the
    # whole answer never comes.
    assert links["hangs.html"] == (None, "连接超时")
    assert links["drips.html"] == (None, "连接超时")
    assert links["fine.html"] == (200, None)


def test_a_redirect_off_the_units_scope_is_not_followed(tmp_path):
    elsewhere = MockServer({"/landing.html": html("<p>别处</p>")})
    with elsewhere:
        routes = {"/xxgk/": links_page("/out.html", "/in.html", "/loop.html"),
                  "/out.html": redirect(f"{elsewhere.url}/landing.html"),
                  "/in.html": redirect("/landing.html"), "/landing.html": html("<p>到了</p>"),
                  "/loop.html": redirect("/loop.html", status=302)}
        with MockServer(routes) as server:
            _, db, _ = crawl_and_export(tmp_path, {"甲局": f"{server.url}/xxgk/"}, CRAWL_DATE)
        assert elsewhere.hits == []
    links = stored_links(db)
    assert set(links) == {"out.html", "landing.html", "loop.html"}
    assert links["out.html"] == (None, None)         # leads off the site: recorded not checked, never dead
    assert links["landing.html"] == (200, None)      # an in-scope redirect: the page it leads to answered
    assert links["loop.html"] == (None, "重定向次数过多（循环跳转）")


def test_a_redirect_whose_location_is_not_utf8_is_followed_as_scrapy_would(tmp_path):
    # GBK bytes in a Location header (old IIS sites send them): percent-encoded, then followed.
    routes = {"/xxgk/": links_page("/gbk.html"), "/gbk.html": redirect("/\xc2\xe4\xb5\xd8.html", status=302),
              "/%C2%E4%B5%D8.html": html("<p>落地</p>")}
    with MockServer(routes) as server:
        _, db, _ = crawl_and_export(tmp_path, {"甲局": f"{server.url}/xxgk/"}, CRAWL_DATE)
    assert stored_links(db) == {"%C2%E4%B5%D8.html": (200, None)}


def test_many_links_of_one_host_are_all_checked_and_never_more_at_once_than_per_host_concurrency(tmp_path):
    lock, now, peak = threading.Lock(), [0], [0]

    def slow(handler):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1
        handler.reply(200 if not handler.path.endswith("7.html") else 404, {"Content-Type": "text/html"}, b"")

    paths = [f"/doc/{i}.html" for i in range(45)]
    routes = {"/xxgk/": links_page(*paths), **{p: slow for p in paths}}
    with MockServer(routes) as server:
        _, db, _ = crawl_and_export(tmp_path, {"甲局": f"{server.url}/xxgk/"}, CRAWL_DATE,
                                    crawl=("  concurrency_per_host: 2",))
        heads = [p for m, p in server.hits if m == "HEAD"]
    links = stored_links(db)
    assert sorted(heads) == sorted(paths)                       # each link asked once
    assert len(links) == 45 and links["doc/7.html"] == (404, None)
    assert peak[0] <= 2


def test_batches_hold_one_host_and_at_most_their_size():
    links = [(f"http://a.gov.cn/{i}", "") for i in range(5)] + [("http://B.gov.cn:8080/x", ""), ("http://a.gov.cn/z", "")]
    got = batches(links, size=3)
    assert [[u for u, _ in b] for b in got] == [["http://a.gov.cn/0", "http://a.gov.cn/1", "http://a.gov.cn/2"],
                                                ["http://a.gov.cn/3", "http://a.gov.cn/4", "http://a.gov.cn/z"],
                                                ["http://B.gov.cn:8080/x"]]


def test_a_recrawl_reads_what_changed_and_asks_again_what_failed_to_answer(tmp_path):
    from test_recrawl import conditional, crawl
    from test_spider import listing, nav

    cols = [("工作动态", "/q/gzdt/"), ("通知公告", "/q/tzgg/"), ("人事信息", "/q/rsxx/"), ("财政信息", "/q/czxx/")]
    routes = {"/q/xxgk/": conditional(html(page("信息公开", nav(*cols))))}
    for k, (name, path) in enumerate(cols):
        routes[path] = conditional(html(page(name, listing((f"{name}第一条", f"{path}1.html", f"2026-11-0{k + 1}")))))
    with MockServer(routes) as server:
        server.not_modified = []
        first = crawl(server, tmp_path, "2026-11-26")
        # A week later: two lists have a new item; another fails once (503) before answering again.
        for name, path in (cols[0], cols[3]):
            server.routes[path] = conditional(html(page(name, listing(
                ("新的一条", f"{path}2.html", "2026-11-27"), (f"{name}第一条", f"{path}1.html", "2026-11-01")))))
        flaky, calls = routes["/q/tzgg/"], []

        def fails_once(handler):
            calls.append(handler.command)
            if len(calls) == 1:
                handler.reply(503, {"Content-Type": "text/html"}, b"busy")
            else:
                flaky(handler)
        server.routes["/q/tzgg/"] = fails_once
        server.hits.clear()
        second = crawl(server, tmp_path, "2026-11-27")
    before = {c["url"].rsplit("/q/", 1)[-1]: (c["newest_date"], c["item_count"]) for c in first["columns"]}
    after = {c["url"].rsplit("/q/", 1)[-1]: (c["newest_date"], c["item_count"]) for c in second["columns"]}
    changed = ("gzdt/", "czxx/")
    assert [after[k] for k in changed] == [("2026-11-27", 2)] * 2          # read again: the new item counts
    assert {k: v for k, v in after.items() if k not in changed} == {k: v for k, v in before.items() if k not in changed}
    assert len(calls) >= 2                                                 # the list that failed was asked again
    assert "/q/rsxx/" in server.not_modified


def test_a_batch_weighs_on_scrapys_backpressure_as_the_pages_it_read():
    """Scrapy's scraper stops taking responses past SCRAPER_SLOT_MAX_ACTIVE_SIZE, counting each
    response's body: a batch's answer counts the pages it holds, not its own empty body."""
    from scrapy import Request
    from scrapy.core.scraper import Slot
    from scrapy.http import Response

    from crawler.batches import Weight

    slot = Slot(max_active_size=5_000_000)
    for k in range(2):
        request = Request(f"http://a.gov.cn/{k}")
        slot.add_response_request(Response(request.url, body=Weight(3_000_000), request=request), request)
    assert slot.needs_backout()
    assert Weight(3_000_000) == b"" and bytes(Weight(5)) == b""


def test_a_batch_queued_for_another_machine_carries_its_pages_by_name():
    """In one process a batch carries its requests; pickled into a distributed crawl's queue,
    their plain form, from which the spider on the answering machine rebuilds them."""
    import pickle

    from scrapy import Request

    from crawler.spiders.batched_asks import Pages
    from crawler.spiders.disclosure import DisclosureSpider

    spider = DisclosureSpider(units=[{"name": "甲局", "url": "http://a.gov.cn/xxgk/"}], crawl_date=CRAWL_DATE)
    page = Request("http://a.gov.cn/xxgk/gzdt/", callback=spider.parse_column, errback=spider.column_failed,
                   headers={"If-None-Match": '"e1"'}, meta={"unit": "甲局", "column": "工作动态", "depth": 1},
                   dont_filter=True)
    carried = pickle.loads(pickle.dumps(Pages([page])))
    assert carried == [{"url": page.url, "callback": "parse_column", "errback": "column_failed",
                        "headers": {b"If-None-Match": [b'"e1"']}, "cookies": {},
                        "meta": {"unit": "甲局", "column": "工作动态", "depth": 1}}]
    rebuilt = spider._request_of(carried[0])
    assert (rebuilt.url, rebuilt.callback, rebuilt.errback, rebuilt.headers, rebuilt.meta) == \
        (page.url, spider.parse_column, spider.column_failed, page.headers, page.meta)
    assert spider._request_of(page) is page


def test_one_units_failing_callback_in_a_batch_never_stops_the_others():
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from crawler import batches
    from crawler.spiders.batched_asks import Pages
    from crawler.spiders.disclosure import DisclosureSpider

    spider = DisclosureSpider(units=[{"name": "甲局", "url": "http://a.gov.cn/j/"},
                                     {"name": "乙局", "url": "http://a.gov.cn/y/"}], crawl_date=CRAWL_DATE)

    def broken(response):
        yield {"type": "unit", "unit": "甲局"}
        raise RuntimeError("a bug met on this unit's page")

    def fine(response):
        yield {"type": "unit", "unit": "乙局", "status": response.status}

    pages = [Request("http://a.gov.cn/j/", callback=broken, meta={"unit": "甲局"}),
             Request("http://a.gov.cn/y/", callback=fine, meta={"unit": "乙局"})]
    batch = Request(pages[0].url, meta={"asked": Pages(pages), batches.UNCHANGED: [False, False],
                                        batches.ASKS: [(r.url, {}) for r in pages],
                                        batches.READ: {k: HtmlResponse(r.url, body=b"<p>x</p>") for k, r in enumerate(pages)}})
    out = list(spider.units_asked(HtmlResponse(batch.url, request=batch)))
    assert out == [{"type": "unit", "unit": "甲局"}, {"type": "unit", "unit": "乙局", "status": 200}]


def test_a_link_checks_cookies_stay_behind_once_a_redirect_leaves_the_batchs_host():
    import asyncio

    from scrapy import Request

    from crawler.batches import LinkBatchMixin

    class Recorder(LinkBatchMixin):
        def __init__(self, answers):
            self._answers, self.asked = answers, []
            self._retry_times, self._retry_codes, self._retry_errors = 0, frozenset(), ()
            self._max_redirects, self._closing = 5, False

        async def status_of(self, request):
            self.asked.append((request.url, request.headers.get(b"Cookie")))
            return self._answers[request.url]

    a, b = "http://127.0.0.1:8001", "http://127.0.0.2:8001"
    checker = Recorder({f"{a}/1": (302, f"{a}/2".encode()), f"{a}/2": (302, f"{b}/3".encode()),
                        f"{b}/3": (302, f"{a}/4".encode()), f"{a}/4": (200, None)})
    batch = Request(f"{a}/1", headers={"Cookie": "sid=1"})
    assert asyncio.run(checker._check(batch, f"{a}/1")) == (f"{a}/4", 200, None)
    assert checker.asked == [(f"{a}/1", b"sid=1"), (f"{a}/2", b"sid=1"), (f"{b}/3", None), (f"{a}/4", None)]
    assert batch.headers.get(b"Cookie") == b"sid=1"


def _batching_spider():
    from scrapy.settings import Settings

    from crawler.spiders.disclosure import DisclosureSpider

    spider = DisclosureSpider(units=[{"name": "甲局", "url": "http://a.gov.cn/xxgk/"}], crawl_date=CRAWL_DATE)
    spider.settings = Settings({"GOVFRESH_LINK_BATCH": 20})
    return spider


def test_a_units_link_checks_ride_with_its_pages_asks_and_go_alone_if_that_batch_fails():
    from scrapy import Request
    from twisted.python.failure import Failure

    from crawler import batches

    spider = _batching_spider()
    pages = [spider._request("甲局", f"http://a.gov.cn/xxgk/c{k}/", spider.parse_column, spider.column_failed,
                             headers={"If-None-Match": f'"e{k}"'}, column=f"栏目{k}", depth=1) for k in range(3)]
    links = [("http://a.gov.cn/old.html", "旧版"), ("http://a.gov.cn/about.html", "关于")]
    elsewhere = [("http://b.gov.cn/x.html", "外站")]
    checks = [spider._request("甲局", batch[0][0], spider.links_checked, spider.links_failed, method="HEAD",
                              **{batches.BATCH: batch}) for batch in (links, elsewhere)]
    out = list(spider._asked_in_batches("甲局", [*pages, *checks, {"type": "unit", "unit": "甲局"}]))
    requests = [o for o in out if isinstance(o, Request)]
    # One request asks the three pages and checks the host's links; the other host's go alone.
    assert [(r.callback, r.meta.get(batches.BATCH)) for r in requests] == \
        [(spider.asked, links), (spider.links_checked, elsewhere)]
    assert [url for url, _ in requests[0].meta[batches.ASKS]] == [p.url for p in pages]
    assert spider.pending["甲局"] == 2 + 3   # the two requests, and the three pages answered in the batch

    # A batch that fails as a whole: its pages are asked alone, its links checked in their own batch.
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = requests[0]
    again = list(spider.asks_failed(failure))
    assert [(r.url, r.callback) for r in again] == [(p.url, spider.parse_column) for p in pages] + \
        [(links[0][0], spider.links_checked)]
    assert again[-1].meta[batches.BATCH] == links and again[-1].method == "HEAD"
