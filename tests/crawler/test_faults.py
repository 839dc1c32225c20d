"""The fault suite: every way a site can fail or fight back, each with the outcome a user expects.

One loopback server (tests/mockserver.py) holds a route per fault; each fault is one
unit of one crawl, run as `govfresh crawl` in a child process. The expected outcome
is what a clerk reading the report needs: an outage is 站点无法访问, a site that
answered but could not be read is blocked or unverifiable (a person must look), and
nothing is ever said about content that was not read. RELIABILITY.md lists every case.
"""
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
    "无尽局": (endless(), "unverifiable", ["site_unverifiable"], "过大"),
    "空白局": ((200, {"Content-Type": "text/html"}, b""), "unverifiable", ["site_unverifiable"], "为空"),
    "文档局": ((200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "unverifiable",
             ["site_unverifiable"], "PDF"),
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

    with MockServer(routes) as server, MockServer({}, host="127.0.0.2") as other:
        for name, url in list(units):
            if url.startswith("SERVER"):
                path = url[len("SERVER"):]
                if routes.get(path) == "OFFHOST":
                    routes[path] = redirect(f"http://127.0.0.2:{other.port}/xxgk/")
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


def test_homepage_is_not_called_stale_because_the_fresh_column_could_not_be_read(county):
    found, *_ = county
    for name in ("藏新局", "藏新二局"):
        rules = {f["rule"] for f in found[name]["findings"]}
        assert "homepage_stale" not in rules
        assert "column_unverifiable" in rules
    # The same unit with its fresh column readable is judged on it (control).
    assert "homepage_stale" not in {f["rule"] for f in found["正常局"]["findings"]}
