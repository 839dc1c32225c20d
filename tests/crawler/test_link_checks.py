"""Links shown by every unit of a portal (its header and footer) are checked once per crawl, for all of them."""
from mockserver import MockServer, html
from test_spider import listing, nav, page, run_crawl

FOOTER = '<div class="bottom"><a href="/site/map.html">帮助中心</a><a href="/site/old.html">旧版首页</a></div>'


def test_a_link_shared_by_units_is_checked_once_and_reported_for_each(tmp_path):
    routes = {"/site/map.html": html(page("导航", "<p>导航</p>"))}
    for unit in ("a", "b", "c"):
        routes[f"/{unit}/xxgk/"] = html(page("信息公开", nav(("工作动态", f"/{unit}/gzdt/"))
                                             + f'<a href="/{unit}/xxgk/">本页</a>' + FOOTER))
        routes[f"/{unit}/gzdt/"] = html(page("工作动态", listing(("会议召开", f"/{unit}/a/1.html", "2026-11-25"))))
    with MockServer(routes) as server:
        units, _ = run_crawl(tmp_path, [(f"{u}局", f"{server.url}/{u}/xxgk/") for u in "abc"])
        checks = [(m, p) for m, p in server.hits if p.startswith("/site/")]
        self_checks = [(m, p) for m, p in server.hits if m == "HEAD" and p.endswith("/xxgk/")]
    assert sorted(checks) == [("HEAD", "/site/map.html"), ("HEAD", "/site/old.html")]
    assert self_checks == []        # a link to the page itself: it just answered
    for name in ("a局", "b局", "c局"):
        dead = [f for f in units[name]["findings"] if f["rule"] == "dead_link"]
        assert [f["url"].rsplit("/", 1)[-1] for f in dead] == ["old.html"], units[name]["findings"]
