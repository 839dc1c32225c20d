"""The fault suite: every way a site can fail or fight back, each with the outcome a user expects.

One loopback server (tests/mockserver.py) holds a route per fault; each fault is one
unit of one crawl, run as `govfresh crawl` in a child process. The expected outcome
is what a clerk reading the report needs: an outage is 站点无法访问, a site that
answered but could not be read is blocked or unverifiable (a person must look), and
nothing is ever said about content that was not read. RELIABILITY.md lists every case.
"""
import gzip
import json
import random
from datetime import date

import pytest

from mockserver import (MockServer, binary, broken_gzip, challenge_200, challenge_412, drip, endless, hang,
                        html, raw, redirect, reset, truncated)
from test_spider import CRAWL_DATE, listing, nav, page, refused_port, run_crawl

FRESH = "2026-11-25"
OLD = "2026-01-05"


def disclosure(prefix: str) -> str:
    return page("信息公开", nav(("工作动态", f"{prefix}/gzdt/"), ("通知公告", f"{prefix}/tzgg/")))


def fresh_list(prefix: str) -> str:
    return page("工作动态", listing(("全县教育工作会议召开", f"{prefix}/a/1.html", FRESH),
                                   ("秋季开学检查", f"{prefix}/a/2.html", "2026-10-01")))


def old_list(prefix: str) -> str:
    return page("通知公告", listing(("关于调整办公时间的通知", f"{prefix}/a/3.html", OLD),
                                   ("关于冬季供暖的通知", f"{prefix}/a/4.html", "2025-12-01")))


def healthy_unit(routes: dict, prefix: str, gzdt=None, tzgg=None) -> None:
    """A unit whose disclosure page works; its two columns are given (fresh and old by default)."""
    routes[f"{prefix}/"] = html(disclosure(prefix))
    routes[f"{prefix}/gzdt/"] = gzdt if gzdt is not None else html(fresh_list(prefix))
    routes[f"{prefix}/tzgg/"] = tzgg if tzgg is not None else html(old_list(prefix))


# Faults of the disclosure page itself: (unit, route, expected state, expected findings, words in error).
UNIT_FAULTS = {
    "拒绝局": (None, "unreachable", ["site_unreachable"], "拒绝"),
    "无响应局": (hang(12), "unreachable", ["site_unreachable"], "超时"),
    "滴答局": (drip(interval=1.0), "unreachable", ["site_unreachable"], "超时"),
    "重置局": (reset(), "unreachable", ["site_unreachable"], ""),
    "循环局": (redirect("/f/loop/"), "unreachable", ["site_unreachable"], "重定向"),
    "维护局": (html(page("维护", "系统维护中"), status=503), "unreachable", ["site_unreachable"], "503"),
    "失踪局": (html(page("404", "页面不存在"), status=404), "unreachable", ["site_unreachable"], "404"),
    "设防局": (challenge_412(), "blocked", ["site_blocked"], "反爬虫"),
    "云锁局": (challenge_200(), "blocked", ["site_blocked"], "反爬虫"),
    "外跳局": ("OFFHOST", "unverifiable", ["site_unverifiable"], "站点范围外"),
    "文件局": (redirect("file:///etc/passwd"), "unverifiable", ["site_unverifiable"], "file:"),
    "乱码局": (binary(), "unverifiable", ["site_unverifiable"], "二进制"),
    "压缩局": (broken_gzip(), "unverifiable", ["site_unverifiable"], "压缩"),
    "截断局": (truncated(b"<html><body><ul><li>", claimed=50_000), "unverifiable", ["site_unverifiable"], "截断"),
    "巨型局": ((200, {"Content-Type": "text/html"}, b"<html>" + b"x" * (9 * 1024 * 1024)), "unverifiable",
             ["site_unverifiable"], "过大"),
    "炸弹局": ((200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
              gzip.compress(b"<html>" + b" " * (9 * 1024 * 1024))), "unverifiable", ["site_unverifiable"], "过大"),
    "无尽局": (endless(), "unverifiable", ["site_unverifiable"], "过大"),
    "空白局": ((200, {"Content-Type": "text/html"}, b""), "unverifiable", ["site_unverifiable"], "为空"),
    "文档局": ((200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "unverifiable",
             ["site_unverifiable"], "PDF"),
    # A 200 that is not the page: the site answered, nothing on it is the disclosure page.
    "登录局": (html(page("用户登录", '<form action="/login" method="post">用户名<input name="username">'
                                   '密码<input type="password" name="password"><button>登录</button></form>')),
             "unverifiable", ["site_unverifiable"], "登录"),
    "软404局": (html(page("提示信息", "<h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>")), "unverifiable",
              ["site_unverifiable"], "页面不存在"),
    "停放局": (html(page("qhx.gov.cn", "<p>This domain is for sale! 该域名正在出售。</p>")), "unverifiable",
             ["site_unverifiable"], "域名停放"),
    "报错局": (html(page("系统错误", "<p>Error 500: Internal Server Error</p>")), "unverifiable",
             ["site_unverifiable"], "错误或维护"),
    "脚本外跳局": ("OFFHOST_SCRIPT", "unverifiable", ["site_unverifiable"], "站点范围外"),
    "框架外跳局": ("OFFHOST_FRAME", "unverifiable", ["site_unverifiable"], "站点范围外"),
    "刷新外跳局": ("OFFHOST_REFRESH", "unverifiable", ["site_unverifiable"], "站点范围外"),
}
# How a page that shows nothing sends a visitor on (followed within the unit's site).
MOVERS = {
    "OFFHOST_SCRIPT": '<html><head><script>window.location.href="{url}";</script></head><body></body></html>',
    "OFFHOST_FRAME": '<html><body><iframe src="{url}" width="100%" height="2000"></iframe></body></html>',
    "OFFHOST_REFRESH": '<html><head><meta http-equiv="refresh" content="0;url={url}"></head><body></body></html>',
}
# Content-dependent rules: never about a page that was not read.
CONTENT_RULES = {"homepage_stale", "column_stale", "column_empty", "guide_missing", "guide_missing_element",
                 "annual_report_missing", "dead_link"}


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    routes: dict = {"/f/loop/": redirect("/f/loop2/"), "/f/loop2/": redirect("/f/loop/")}
    units = []
    for i, (name, (route, *_)) in enumerate(UNIT_FAULTS.items()):
        if route is None:
            units.append((name, f"http://127.0.0.1:{refused_port()}/xxgk/"))
            continue
        path = f"/u{i}/xxgk/"
        routes[path] = route
        units.append((name, "SERVER" + path))
    # Units whose pages work but whose content is odd.
    healthy_unit(routes, "/ok")
    units.append(("正常局", "SERVER/ok/"))
    # Charsets that lie or that Python would take for a codec (rot13, base64…): still read.
    gbk = page("工作动态", listing(("王堃同志调研教育工作", "/lie/a/1.html", FRESH))).encode("gb18030")
    healthy_unit(routes, "/lie", gzdt=(200, {"Content-Type": "text/html; charset=utf-8"}, gbk))
    units.append(("谎报局", "SERVER/lie/"))
    for label in ("rot13", "base64", "hex", "idna"):
        prefix = f"/cs-{label}"
        routes[f"{prefix}/"] = (200, {"Content-Type": f"text/html; charset={label}"},
                                disclosure(prefix).encode("gb18030"))
        routes[f"{prefix}/gzdt/"] = html(fresh_list(prefix))
        routes[f"{prefix}/tzgg/"] = html(old_list(prefix))
        units.append((f"{label}局", f"SERVER{prefix}/"))
    # Malformed HTML: unclosed tags, stray brackets, a broken comment; still read.
    routes["/bad/"] = html('<html><body><div><ul class="nav"><li><a href="/bad/gzdt/">工作动态</a><li><a href="/bad/tzgg/">'
                           '通知公告</a></ul></span></td><<<>>><!-- never closed <p>' + "<div>" * 3000)
    routes["/bad/gzdt/"] = html(fresh_list("/bad"))
    routes["/bad/tzgg/"] = html(old_list("/bad"))
    units.append(("畸形局", "SERVER/bad/"))
    # Ten thousand links on the disclosure page: checked up to the limit, columns capped.
    many = "".join(f'<li><a href="/many/p/{i}.html">链接{i}</a></li>' for i in range(10_000))
    routes["/many/"] = html(disclosure("/many").replace("</body>", f"<ul>{many}</ul></body>"))
    routes["/many/gzdt/"] = html(fresh_list("/many"))
    routes["/many/tzgg/"] = html(old_list("/many"))
    units.append(("万链局", "SERVER/many/"))
    # The newest items are in a column that cannot be read: no 首页不更新 from the old one alone.
    healthy_unit(routes, "/hid", gzdt=challenge_412())
    units.append(("藏新局", "SERVER/hid/"))
    healthy_unit(routes, "/hid2", gzdt=binary(seed=3))
    units.append(("藏新二局", "SERVER/hid2/"))
    # A page that shows nothing but moves the visitor on within the site: followed, and read.
    healthy_unit(routes, "/moved")
    for kind, mover in MOVERS.items():
        routes[f"/go-{kind}/"] = html(mover.format(url="/moved/"))
        units.append((f"{kind}局", f"SERVER/go-{kind}/"))

    with MockServer(routes) as server, MockServer({}, host="127.0.0.2") as other:
        for name, url in list(units):
            if url.startswith("SERVER"):
                path = url[len("SERVER"):]
                if routes.get(path) == "OFFHOST":
                    routes[path] = redirect(f"http://127.0.0.2:{other.port}/xxgk/")
                elif isinstance(routes.get(path), str) and routes[path] in MOVERS:
                    routes[path] = html(MOVERS[routes[path]].format(url=f"http://127.0.0.2:{other.port}/xxgk/"))
        units = [(n, u.replace("SERVER", server.url)) for n, u in units]
        found, db = run_crawl(tmp_path_factory.mktemp("faults"), units, timeout=3)
        yield found, db, server, other


@pytest.mark.parametrize("name", list(UNIT_FAULTS))
def test_a_broken_disclosure_page_is_an_honest_state_and_nothing_more(county, name):
    found, db, _, other = county
    _, state, rules, words = UNIT_FAULTS[name]
    unit = found[name]
    assert unit["state"] == state, unit
    assert [f["rule"] for f in unit["findings"]] == rules
    assert words in (unit["error"] or ""), unit["error"]
    assert unit["columns"] == []      # nothing behind a page that was not read is crawled
    assert other.hits == []           # and nothing off the site is ever asked


def test_lying_and_codec_charsets_are_read_not_vetoed(county):
    found, *_ = county
    (gzdt,) = [c for c in found["谎报局"]["columns"] if c["name"] == "工作动态"]
    assert gzdt["newest_title"] == "王堃同志调研教育工作" and gzdt["newest_date"] == FRESH
    for label in ("rot13", "base64", "hex", "idna"):
        unit = found[f"{label}局"]
        assert unit["state"] == "read", (label, unit["error"])
        assert {c["name"] for c in unit["columns"]} == {"工作动态", "通知公告"}
        assert not {f["rule"] for f in unit["findings"]} & {"site_unreachable", "homepage_stale"}


def test_malformed_html_and_ten_thousand_links_are_read(county):
    found, *_ = county
    for name in ("畸形局", "万链局"):
        unit = found[name]
        assert unit["state"] == "read", (name, unit["error"])
        assert {c["name"] for c in unit["columns"]} >= {"工作动态", "通知公告"}
        assert "homepage_stale" not in {f["rule"] for f in unit["findings"]}
    dead = [f for f in found["万链局"]["findings"] if f["rule"] == "dead_link"]
    assert 0 < len(dead) <= 200       # crawl.max_links_checked


@pytest.mark.parametrize("kind", list(MOVERS))
def test_a_page_that_moves_the_visitor_on_within_the_site_is_followed_and_read(county, kind):
    found, *_ = county
    unit = found[f"{kind}局"]
    assert unit["state"] == "read", unit["error"]
    assert {c["name"] for c in unit["columns"]} == {"工作动态", "通知公告"}
    assert "homepage_stale" not in {f["rule"] for f in unit["findings"]}


def test_homepage_is_not_called_stale_because_the_fresh_column_could_not_be_read(county):
    found, *_ = county
    for name in ("藏新局", "藏新二局"):
        rules = {f["rule"] for f in found[name]["findings"]}
        assert "homepage_stale" not in rules
        assert "column_unverifiable" in rules
    # The same unit with its fresh column readable is judged on it (control).
    assert "homepage_stale" not in {f["rule"] for f in found["正常局"]["findings"]}


# ---- faults inside pages that were read --------------------------------------------------------

def undated(*rows):
    return '<ul class="list">' + "".join(f'<li><a href="{u}">{t}</a></li>' for t, u in rows) + "</ul>"


GUIDE_TEXT = ("<h1>清河县教育局政府信息公开指南</h1>"
              + "<p>一、政府信息分类与编排体系：本机关政府信息按主题分类，编排体系为目录式。</p>"
              + "<p>二、获取方式：主动公开信息通过网站获取，也可依申请获取政府信息。</p>"
              + "<p>三、工作机构名称：清河县教育局办公室。办公地址：清河县人民路1号。办公时间：工作日上午9:00-12:00。"
              + "联系电话：0311-1234567。传真号码：0311-1234568。电子邮箱：jyj@qinghe.gov.cn。</p>" + "<p>说明文字。</p>" * 60)


@pytest.fixture(scope="module")
def odd_pages(tmp_path_factory):
    p = "/c"
    routes = {
        f"{p}/xxgk/": html(page("信息公开", nav(("工作动态", f"{p}/gzdt/"), ("通知公告", f"{p}/tzgg/"),
                                             ("政策文件", f"{p}/zcwj/"), ("规划计划", f"{p}/ghjh/"),
                                             ("政府信息公开指南", f"{p}/zn/"), ("人事信息", f"{p}/rsxx/"),
                                             ("机构职能", f"{p}/jgzn/"), ("财政预决算", f"{p}/czyjs/"),
                                             ("政策解读", f"{p}/zcjd/"), ("统计信息", f"{p}/tjxx/")))),
        # An empty list container and the script that fills it: unverifiable, never 空白栏目.
        f"{p}/tzgg/": html(page("通知公告", '<div class="main"><ul id="newsList" class="list"></ul></div>'
                                          f'<script src="{p}/js/list.js"></script>'
                                          '<script>$(function(){$.getJSON("/c/api/list",function(d){'
                                          '$("#newsList").html(render(d))})})</script>')),
        # An old 置顶 item on top of an undated list: its detail page is not the column's newest.
        f"{p}/gzdt/": html(page("工作动态", undated(("[置顶] 关于开展专项整治工作的通知", f"{p}/gzdt/202001/t20200105_1.html"),
                                                  ("全县教育工作会议召开", f"{p}/gzdt/202611/t20261124_9.html"),
                                                  ("秋季开学检查工作部署", f"{p}/gzdt/202611/t20261120_8.html"),
                                                  ("教师培训工作顺利完成", f"{p}/gzdt/202611/t20261118_7.html")))),
        f"{p}/gzdt/202001/t20200105_1.html": html('<html><head><meta name="PubDate" content="2020-01-05 09:30"></head>'
                                                 '<body><h1>关于开展专项整治工作的通知</h1><p>发布时间：2020-01-05</p></body></html>'),
        f"{p}/gzdt/202611/t20261124_9.html": html('<html><head><meta name="PubDate" content="2026-11-24 09:30"></head>'
                                                 '<body><h1>全县教育工作会议召开</h1><p>发布时间：2026-11-24</p></body></html>'),
        # The guide page carries a breadcrumb ending in its own name: read the page, do not follow it.
        f"{p}/zn/": html(page("公开指南", f'<div class="crumb"><a href="{p}/xxgk/">政府信息公开</a> &gt; '
                                        f'<a href="{p}/zn/index.html">政府信息公开指南</a></div>'
                                        f'<div class="content">{GUIDE_TEXT}</div>')),
        # A column that answers with a challenge, one that redirects to file://, one that is binary.
        f"{p}/zcwj/": challenge_200(),
        f"{p}/ghjh/": redirect("file:///etc/passwd"),
        f"{p}/rsxx/": binary(seed=11),
        # Columns that answer 200 with something other than the column: a login wall, a soft 404,
        # a server's error page.
        f"{p}/czyjs/": html(page("用户登录", '<form>用户名<input name="u">密码<input type="password" name="p"></form>')),
        f"{p}/zcjd/": html(page("页面不存在", "<p>抱歉，您访问的页面不存在！</p>")),
        f"{p}/tjxx/": html(page("清河县教育局", "<p>系统繁忙，请稍后再试。</p>")),
        f"{p}/jgzn/": html(page("机构职能", "<div class='content'><p>主要职责：负责全县教育工作。</p></div>")),
    }
    with MockServer(routes) as server:
        found, db = run_crawl(tmp_path_factory.mktemp("odd"), [("怪页局", f"{server.url}{p}/xxgk/")], timeout=5)
        yield found["怪页局"], server


def test_a_list_a_script_fills_is_unverifiable_not_empty(odd_pages):
    unit, _ = odd_pages
    col = next(c for c in unit["columns"] if c["name"] == "通知公告")
    rules = {(f["rule"], f["column"]) for f in unit["findings"]}
    assert col["state"] == "unverifiable" and ("column_empty", "通知公告") not in rules
    assert ("column_unverifiable", "通知公告") in rules


def test_a_pinned_old_item_is_not_the_columns_newest(odd_pages):
    unit, server = odd_pages
    col = next(c for c in unit["columns"] if c["name"] == "工作动态")
    assert (col["newest_date"], col["date_source"]) == ("2026-11-24", "detail")
    assert ("GET", "/c/gzdt/202001/t20200105_1.html") not in server.hits
    assert ("column_stale", "工作动态") not in {(f["rule"], f["column"]) for f in unit["findings"]}


def test_a_guide_with_a_breadcrumb_is_read_as_the_guide(odd_pages):
    unit, _ = odd_pages
    missing = {f["element"] for f in unit["findings"] if f["rule"] == "guide_missing_element"}
    assert not missing & {"address", "phone", "fax", "office_hours", "online_contact", "agency_name"}
    assert "guide_missing" not in {f["rule"] for f in unit["findings"]}


def test_columns_that_cannot_be_read_say_so_and_nothing_else(odd_pages):
    unit, _ = odd_pages
    cols = {c["name"]: c for c in unit["columns"]}
    for name, words in (("政策文件", "反爬虫"), ("规划计划", "file:"), ("人事信息", "二进制"), ("财政预决算", "登录"),
                        ("政策解读", "页面不存在"), ("统计信息", "错误或维护")):
        assert cols[name]["state"] == "unverifiable" and words in cols[name]["error"], cols[name]
        assert [f["rule"] for f in unit["findings"] if f["column"] == name] == ["column_unverifiable"]
    # With columns that could not be read, 首页不更新 is not claimed from the others.
    assert "homepage_stale" not in {f["rule"] for f in unit["findings"]}


# ---- kill -9 at any moment -----------------------------------------------------------------------

@pytest.mark.parametrize("moment", [0.2, 0.8, 1.6, 3.0])
def test_kill_9_at_any_moment_leaves_nothing_half_counted(tmp_path, moment):
    import os
    import signal
    import subprocess
    import sys
    import time

    from store import Store
    routes = {}
    units = []
    for u in range(8):
        routes[f"/k{u}/xxgk/"] = html(disclosure(f"/k{u}"))
        routes[f"/k{u}/gzdt/"] = html(fresh_list(f"/k{u}")) if u % 3 else hang(5)
        routes[f"/k{u}/tzgg/"] = html(old_list(f"/k{u}"))
    with MockServer(routes) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text("county: 测试县\ncrawl:\n  timeout: 10\nunits:\n" + "".join(
            f"  - name: 局{u}\n    url: {server.url}/k{u}/xxgk/\n" for u in range(8)), encoding="utf-8")
        db = tmp_path / "k.db"
        cmd = [sys.executable, "-m", "crawler.run", "--config", str(sites), "--db", str(db), "--crawl-date", "2026-11-27"]
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        if db.exists():
            with Store(db) as store:
                assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert store.latest_run() is None      # a killed crawl never counts
        # The next crawl stands on its own and counts.
        again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        with Store(db) as store:
            assert store.latest_run() is not None
            assert store.db.execute("SELECT count(*) FROM unit_checks WHERE run=?",
                                    [store.latest_run()["id"]]).fetchone()[0] == 8
