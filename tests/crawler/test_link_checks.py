"""Links shown by every unit of a portal (its header and footer) are checked once per crawl, for all of them."""
from mockserver import MockServer, html
from test_spider import CRAWL_DATE, listing, nav, page, run_crawl

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


def _links(db):
    from store import Store
    with Store(db) as store:
        return {r["url"].rsplit("/", 1)[-1]: (r["http_status"], r["checked"])
                for r in store.run_links(store.latest_run()["id"])}


def test_a_link_check_met_by_a_challenge_or_past_the_limit_is_recorded_unchecked_not_dead(tmp_path):
    from crawl_cli import crawl_and_export
    from mockserver import challenge_412
    links = "".join(f'<a href="/site/{p}">{p}</a>' for p in ("guard.html", "old.html", "late.html"))
    routes = {"/a/xxgk/": html(page("信息公开", nav(("工作动态", "/a/gzdt/")) + links)),
              "/a/gzdt/": html(page("工作动态", listing(("会议召开", "/a/1.html", "2026-11-25")))),
              "/site/guard.html": challenge_412()}
    with MockServer(routes) as server:
        units, db, _ = crawl_and_export(tmp_path, {"甲局": f"{server.url}/a/xxgk/"}, CRAWL_DATE,
                                        crawl=("  max_links_checked: 2", "  browser: false"))
        asked = {p for _, p in server.hits if p.startswith("/site/")}
    assert asked == {"/site/guard.html", "/site/old.html"}           # the limit holds
    # Shown, not checked: neither dead nor fine, so last week's problem stays as it was (rules/ledger.py).
    assert _links(db) == {"guard.html": (None, 0), "old.html": (404, 1), "late.html": (None, 0)}
    dead = [f["url"].rsplit("/", 1)[-1] for f in units["甲局"]["findings"] if f["rule"] == "dead_link"]
    assert dead == ["old.html"]
