"""The browser fallback, end to end: a real `govfresh crawl` driving Debian's Chromium on loopback.

Pages only a browser can read — a list a script fetches from an address it builds, dates a
script renders from epoch milliseconds, a 200 and a 412 cookie challenge — are read right;
what the browser still cannot show stays unverifiable; a static control never needs it; the
browser contacts nothing off the unit's scope; `crawl.browser: false` and a missing Chromium
behave as before.
"""
from datetime import date

import pytest

from crawl_cli import crawl_and_export
from crawler.browser import chromium_path
from mockserver import MockServer, challenge_412, cookie_challenge, html, json_data
from store import Store

CRAWL_DATE = date(2026, 11, 27)
pytestmark = pytest.mark.skipif(chromium_path() is None, reason="needs Debian's chromium (make test installs it)")


def page(title, body):
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


def disclosure(*cols):
    return page("信息公开", '<ul class="nav">' + "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in cols) + "</ul>")


STATIC_LIST = page("工作动态", '<ul class="list"><li><a href="/a/1.html">全县安全生产会议召开</a><span>2026-11-24</span></li>'
                             '<li><a href="/a/2.html">秋季征兵工作完成</a><span>2026-10-09</span></li></ul>')


def fetched_list(api_expr: str) -> str:
    """A list filled by a script from an address it builds at run time (no data call to rebuild statically);
    dates rendered from epoch milliseconds in the visitor's local time."""
    return page("工作动态", f"""<div class="main"><ul class="list" id="list"></ul></div>
<script>
  var col = "gzdt";
  fetch({api_expr} + "?col=" + col).then(function (r) {{ return r.json(); }}).then(function (d) {{
    var pad = function (n) {{ return (n < 10 ? "0" : "") + n; }};
    document.getElementById("list").innerHTML = d.rows.map(function (a) {{
      var t = new Date(a.ts);
      return '<li><a href="' + a.href + '">' + a.name + '</a><span>' + t.getFullYear() + "-" +
             pad(t.getMonth() + 1) + "-" + pad(t.getDate()) + "</span></li>";
    }}).join("");
  }});
</script>""")


# 2026-11-25 00:30 in China is 2026-11-24 in UTC: only a browser showing China's time reads it right.
ROWS = {"rows": [{"name": "全县冬季森林防火工作部署会召开", "href": "/a/31.html", "ts": 1795537800000},
                 {"name": "县长带队检查重点项目建设", "href": "/a/30.html", "ts": 1795141800000}]}


def crawl(tmp, units, extra=()):
    return crawl_and_export(tmp, units, CRAWL_DATE, ("  browser_timeout: 15", *extra))


@pytest.fixture(scope="module")
def portal():
    with MockServer(host="127.0.0.2") as elsewhere, MockServer() as server:
        off_site = f'"{elsewhere.url}/data/" + "rows"'
        elsewhere.routes["/data/rows"] = json_data(ROWS)
        server.routes.update({
            "/c412/": cookie_challenge(html(disclosure(*[(f"工作动态{i}", f"/c412/gzdt{i}/") for i in range(4)])),
                                       status=412),
            **{f"/c412/gzdt{i}/": cookie_challenge(html(STATIC_LIST), status=412) for i in range(4)},
            "/c200/": cookie_challenge(html(disclosure(("工作动态", "/c200/gzdt/"))), status=200,
                                       cookie="security_session_verify=a1b2"),
            "/c200/gzdt/": cookie_challenge(html(STATIC_LIST), status=200, cookie="security_session_verify=a1b2"),
            "/xhr/": html(disclosure(("工作动态", "/xhr/gzdt/"))),
            "/xhr/gzdt/": html(fetched_list('"/data/" + "rows"')),
            "/data/rows": json_data(ROWS),
            "/gone/": html(disclosure(("工作动态", "/gone/gzdt/"))),
            "/gone/gzdt/": html(fetched_list('"/data/" + "missing"')),
            "/offsite/": html(disclosure(("工作动态", "/offsite/gzdt/"))),
            "/offsite/gzdt/": html(fetched_list(off_site)),
            "/forever/": challenge_412(),        # a challenge no browser passes: it reloads for ever
            # Behind the challenge, the server's error page: passed, but not the disclosure page.
            "/broken/": cookie_challenge(html(page("系统错误", "<p>系统繁忙，请稍后再试。</p>")), status=412),
            "/static/": html(disclosure(("工作动态", "/static/gzdt/"))),
            "/static/gzdt/": html(STATIC_LIST),
        })
        units = {"挑战412单位": f"{server.url}/c412/", "挑战200单位": f"{server.url}/c200/",
                 "脚本列表单位": f"{server.url}/xhr/", "接口失效单位": f"{server.url}/gone/",
                 "外站接口单位": f"{server.url}/offsite/", "静态单位": f"{server.url}/static/",
                 "永挑战单位": f"{server.url}/forever/", "挑战后报错单位": f"{server.url}/broken/"}
        yield server, elsewhere, units


@pytest.fixture(scope="module")
def rendered(portal, tmp_path_factory):
    server, elsewhere, units = portal
    return crawl(tmp_path_factory.mktemp("rendered"), units)


def test_xhr_list_with_script_rendered_dates(rendered):
    units, _, _ = rendered
    col = units["脚本列表单位"]["columns"][0]
    assert (col["state"], col["list_source"], col["date_source"]) == ("list", "browser", "browser")
    assert col["item_count"] == 2
    assert col["newest_date"] == "2026-11-25"      # rendered in China's time, as a local visitor sees it
    assert col["newest_url"].endswith("/a/31.html")


@pytest.mark.parametrize("unit", ["挑战412单位", "挑战200单位"])
def test_cookie_challenge_is_passed_as_a_browser_passes_it(rendered, unit):
    units, db, _ = rendered
    u = units[unit]
    assert u["read"] and not u["blocked"]
    col = u["columns"][0]
    assert (col["state"], col["newest_date"], col["item_count"]) == ("list", "2026-11-24", 2)
    with Store(db) as store:
        read_with = {r["name"]: r["read_with"] for r in store.db.query(
            "SELECT u.name, c.read_with FROM unit_checks c JOIN units u ON u.id = c.unit")}
    assert read_with[unit] == "browser"
    assert not any(f["rule"] == "site_blocked" for f in u["findings"])


def test_a_challenge_that_still_stands_is_blocked_after_a_few_polite_reloads(portal, rendered):
    server, _, _ = portal
    units, _, _ = rendered
    u = units["永挑战单位"]
    assert u["blocked"] and [f["rule"] for f in u["findings"]] == ["site_blocked"]
    # One plain request, then the browser's first load and at most two reloads: never a reload storm.
    assert 2 <= sum(1 for _, path in server.hits if path == "/forever/") <= 4


def test_a_challenge_passed_onto_an_error_page_is_not_read(rendered):
    units, _, _ = rendered
    u = units["挑战后报错单位"]
    assert (u["state"], u["columns"]) == ("unverifiable", [])
    assert "错误或维护" in u["error"]
    assert [f["rule"] for f in u["findings"]] == ["site_unverifiable"]


def test_a_passed_challenge_lets_the_plain_crawl_go_on(rendered):
    # The cookie the challenge's script set is the plain crawl's too: every column (whatever order
    # its request is sent in) is read statically, none needs the browser again.
    units, _, _ = rendered
    cols = units["挑战412单位"]["columns"]
    assert len(cols) == 4 and {c["list_source"] for c in cols} == {"static"}
    assert {c["newest_date"] for c in cols} == {"2026-11-24"}


def test_a_list_the_browser_still_cannot_see_is_unverifiable_not_empty(rendered):
    units, _, _ = rendered
    col = units["接口失效单位"]["columns"][0]
    assert col["state"] == "unverifiable" and col["item_count"] == 0
    findings = {f["rule"] for f in units["接口失效单位"]["findings"]}
    assert "column_unverifiable" in findings and "column_empty" not in findings


def test_the_browser_contacts_nothing_off_the_units_scope(portal, rendered):
    server, elsewhere, _ = portal
    units, _, _ = rendered
    assert units["外站接口单位"]["columns"][0]["state"] == "unverifiable"
    assert elsewhere.hits == []


def test_static_control_never_needs_the_browser(rendered):
    units, _, _ = rendered
    col = units["静态单位"]["columns"][0]
    assert (col["list_source"], col["date_source"], col["newest_date"]) == ("static", "list", "2026-11-24")


def test_summary_counts_what_needed_the_browser(rendered):
    _, _, run = rendered
    assert "1 个栏目列表用浏览器读取" in run.stdout
    assert "2 个信息公开页在浏览器中通过反爬虫验证后读取" in run.stdout


@pytest.mark.parametrize("extra, says", [(["  browser: false"], None),
                                         (["  browser_path: /nonexistent/chromium"], "未找到 Chromium")])
def test_without_the_browser_the_crawl_reads_as_before(portal, tmp_path, extra, says):
    server, _, units = portal
    chosen = {k: units[k] for k in ("挑战412单位", "脚本列表单位", "静态单位")}
    got, _, run = crawl(tmp_path, chosen, extra)
    assert got["挑战412单位"]["blocked"]
    assert got["脚本列表单位"]["columns"][0]["state"] == "unverifiable"
    assert got["静态单位"]["columns"][0]["newest_date"] == "2026-11-24"
    if says:
        assert run.stderr.count(says) == 1      # said once, not per page
    else:
        assert "Chromium" not in run.stderr
