"""The real spider against a loopback mock server, one route per situation.

Each crawl runs as `govfresh crawl` in a child process, as a user runs it.
"""
import json
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from crawl_cli import crawl_and_export
from mockserver import MockServer, hang, html, redirect
from store import Store

CRAWL_DATE = date(2026, 11, 27)


def page(title, body, charset_meta="utf-8"):
    return (f'<html><head><meta charset="{charset_meta}"><title>{title}</title></head>'
            f'<body><div class="top">今天是2026年11月27日 星期五</div>{body}'
            f'<div class="footer">版权所有 2010-2026</div></body></html>')


def nav(*cols):
    return '<ul class="nav">' + "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in cols) + "</ul>"


def listing(*rows):
    return '<ul class="list">' + "".join(
        f'<li><a href="{u}" title="{t}">{t}</a><span>{d}</span></li>' for t, u, d in rows) + "</ul>"


def undated(*rows):
    return '<ul class="list">' + "".join(f'<li><a href="{u}" title="{t}">{t}</a></li>' for t, u in rows) + "</ul>"


def refused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def govfresh(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def run_crawl(tmp_path, units, timeout=10):
    found, db, _ = crawl_and_export(tmp_path, dict(units), CRAWL_DATE, timeout=timeout)
    return found, db


@pytest.fixture(scope="module")
def site():
    gbk_list = page("工作动态", nav() + listing(("王堃同志调研教育工作", "/gbk/1.html", "2026-11-20")),
                    charset_meta="gb2312")
    routes = {
        "/ok/xxgk/": html(page("信息公开", nav(("工作动态", "/ok/xxgk/gzdt/"), ("通知公告", "/ok/xxgk/tzgg/"),
                                                ("政府信息公开指南", "/ok/xxgk/zn/"))
                               + '<p><a href="/ok/xxgk/202611/t20261101_9.html">关于全县教育工作要点的政策解读</a></p>')),
        "/ok/xxgk/gzdt/": html(page("工作动态", listing(("全县教育工作会议召开", "/ok/a/1.html", "2026-11-25"),
                                                    ("秋季开学检查", "/ok/a/2.html", "2026-10-01")))),
        "/ok/xxgk/tzgg/": html(page("通知公告", '<ul class="list"></ul><p>暂无信息</p>')),
        "/ok/xxgk/zn/": html(page("指南", "<div class='content'><p>办公地址：人民路1号。联系电话：0311-1234567。</p></div>")),
        "/moved/": redirect("/ok/xxgk/"),
        "/down/": html(page("维护", "系统维护中"), status=503),
        "/slow/": hang(9),
        "/guarded/": html('<html><script>var _0x=1;document.cookie="x";location.reload()</script></html>', status=412),
        "/gbk/xxgk/": html(page("信息公开", nav(("工作动态", "/gbk/gzdt/")), charset_meta="gb2312"),
                           charset=None, encoding="gb18030"),
        "/gbk/gzdt/": (200, {"Content-Type": "text/html"}, gbk_list.encode("gb18030")),
        "/offhost/xxgk/": html(page("信息公开", nav(("工作动态", "/offhost/gzdt/")))),
        # Lists without dates: the newest item's page has one, or only the server's Last-Modified is left.
        "/nodate/xxgk/": html(page("信息公开", nav(("工作动态", "/nodate/gzdt/"), ("通知公告", "/nodate/tzgg/")))),
        "/nodate/gzdt/": html(page("工作动态", undated(("全县教育工作会议召开", "/nodate/gzdt/202611/t20261124_101.html"),
                                                   ("秋季开学检查工作部署", "/nodate/gzdt/202611/t20261120_99.html"),
                                                   ("教师培训工作顺利完成", "/nodate/gzdt/202611/t20261118_98.html")))),
        "/nodate/gzdt/202611/t20261124_101.html": html('<html><head><meta name="PubDate" content="2026-11-24 09:30"></head>'
                                 '<body><h1>全县教育工作会议召开</h1><p>发布时间：2026-11-24</p></body></html>'),
        "/nodate/tzgg/": html(page("通知公告", undated(("关于开展安全检查的通知", "/nodate/tzgg/202611/t20261103_88.html"),
                                                   ("关于做好冬季供暖工作的通知", "/nodate/tzgg/202610/t20261030_87.html"),
                                                   ("关于调整办公时间的通知", "/nodate/tzgg/202610/t20261021_86.html"))),
                              extra={"Last-Modified": "Tue, 03 Nov 2026 08:00:00 GMT"}),
        "/nodate/tzgg/202611/t20261103_88.html": html("<html><body><h1>关于开展安全检查的通知</h1><p>正文</p></body></html>"),
    }
    with MockServer(routes) as server, MockServer({}, host="127.0.0.2") as other:
        routes["/offhost/gzdt/"] = redirect(f"http://127.0.0.2:{other.port}/steal/")
        yield server, other


def test_crawl_records_columns_guide_and_dead_links(site, tmp_path):
    server, _ = site
    units, _ = run_crawl(tmp_path, [("正常局", f"{server.url}/ok/xxgk/")])
    unit = units["正常局"]
    assert unit["reachable"]
    cols = {c["name"]: c for c in unit["columns"]}
    assert cols["工作动态"]["newest_date"] == "2026-11-25"
    assert cols["工作动态"]["item_count"] == 2
    assert cols["通知公告"]["state"] == "empty" and cols["通知公告"]["newest_date"] is None
    rules = {(f["rule"], f["column"] or f["url"]) for f in unit["findings"]}
    assert ("column_empty", "通知公告") in rules
    assert ("dead_link", f"{server.url}/ok/xxgk/202611/t20261101_9.html") in rules
    assert not any(r == "column_stale" for r, _ in rules)
    # The guide was read: only the elements it lacks are findings.
    missing = {f["element"] for f in unit["findings"] if f["rule"] == "guide_missing_element"}
    assert "address" not in missing and "phone" not in missing and "fax" in missing


def test_broken_units_are_findings_and_the_others_still_crawl(site, tmp_path):
    server, _ = site
    units, db = run_crawl(tmp_path, [
        ("拒绝局", f"http://127.0.0.1:{refused_port()}/xxgk/"),
        ("维护局", f"{server.url}/down/"),
        ("超时局", f"{server.url}/slow/"),
        ("搬家局", f"{server.url}/moved/"),
        ("设防局", f"{server.url}/guarded/"),
    ], timeout=2.5)  # the hanging unit times out (3 tries × 2.5 s < 9 s); a loaded machine still answers the rest
    assert units["拒绝局"]["reachable"] is False and "拒绝" in units["拒绝局"]["error"]
    assert units["维护局"]["reachable"] is False and "503" in units["维护局"]["error"]
    assert units["超时局"]["reachable"] is False and "超时" in units["超时局"]["error"]
    for name in ("拒绝局", "维护局", "超时局"):
        assert [f["rule"] for f in units[name]["findings"]] == ["site_unreachable"]
    # An anti-bot challenge is neither content nor an outage: no veto, a request to look.
    assert [f["rule"] for f in units["设防局"]["findings"]] == ["site_blocked"]
    # A redirected disclosure page is followed and crawled like any other.
    assert units["搬家局"]["reachable"] is True
    assert {c["name"] for c in units["搬家局"]["columns"]} >= {"工作动态", "通知公告"}
    with Store(db) as store:
        assert store.latest_run()["status"] == "finished"


def test_gbk_pages_without_charset_header_decode(site, tmp_path):
    server, _ = site
    units, _ = run_crawl(tmp_path, [("国标局", f"{server.url}/gbk/xxgk/")])
    (col,) = units["国标局"]["columns"]
    assert col["name"] == "工作动态"
    assert col["newest_title"] == "王堃同志调研教育工作"
    assert col["newest_date"] == "2026-11-20"


def test_redirect_off_the_configured_host_is_not_followed(site, tmp_path):
    server, other = site
    units, _ = run_crawl(tmp_path, [("外跳局", f"{server.url}/offhost/xxgk/")])
    (col,) = units["外跳局"]["columns"]
    # The column answered, pointing off the site: not followed, and not called down either.
    assert col["state"] == "unverifiable" and "站点范围外" in col["error"]
    assert other.hits == []


def test_bad_config_exits_2_naming_unit_and_key_and_crawls_nothing(site, tmp_path):
    server, _ = site
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"county: x\nunits:\n  - name: 好局\n    url: {server.url}/ok/xxgk/\n  - name: 坏局\n    kind: department\n",
                     encoding="utf-8")
    before = len(server.hits)
    result = govfresh("crawl", "--config", str(sites), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "坏局" in result.stderr and "url" in result.stderr
    assert len(server.hits) == before
    assert not (tmp_path / "x.db").exists()


def test_undated_lists_fall_back_to_the_item_page_then_last_modified(site, tmp_path):
    server, _ = site
    units, _ = run_crawl(tmp_path, [("无日期局", f"{server.url}/nodate/xxgk/")])
    cols = {c["name"]: c for c in units["无日期局"]["columns"]}
    assert (cols["工作动态"]["newest_date"], cols["工作动态"]["date_source"]) == ("2026-11-24", "detail")
    assert (cols["通知公告"]["newest_date"], cols["通知公告"]["date_source"]) == ("2026-11-03", "last_modified")


def test_unchanged_columns_answer_304_and_are_carried_forward(tmp_path):
    body = page("工作动态", listing(("全县教育工作会议召开", "/e/a/1.html", "2026-11-25"),
                                   ("秋季开学检查", "/e/a/2.html", "2026-10-01"))).encode()
    answered = []

    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            answered.append(304)
            handler.reply(304, {"ETag": '"v1"'}, b"")
        else:
            answered.append(200)
            handler.reply(200, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'}, body)

    routes = {"/e/xxgk/": html(page("信息公开", nav(("工作动态", "/e/xxgk/gzdt/")))), "/e/xxgk/gzdt/": conditional}
    with MockServer(routes) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"county: 测试县\nunits:\n  - name: 条件局\n    url: {server.url}/e/xxgk/\n", encoding="utf-8")
        db = tmp_path / "e.db"
        for day in ("2026-11-26", "2026-11-27"):
            result = govfresh("crawl", "--config", str(sites), "--db", str(db), "--crawl-date", day)
            assert result.returncode == 0, result.stderr
    assert answered == [200, 304]
    export = json.loads(govfresh("export", "--db", str(db), "--as-of", "2026-11-27").stdout)
    (col,) = export["units"][0]["columns"]
    assert (col["newest_date"], col["item_count"], col["http_status"]) == ("2026-11-25", 2, 304)
    with Store(db) as store:
        run = store.latest_run()["id"]
        # The 304 carried the first crawl's items forward into the second.
        assert [i["title"] for i in store.run_items(run)] == ["全县教育工作会议召开", "秋季开学检查"]
        assert run == 2


def test_the_guide_chosen_from_a_guide_list_is_the_units_own():
    from crawler.extract.types import Item as ListItem
    from crawler.spiders.disclosure import choose_guide

    def item(title, day=None):
        return ListItem(title=title, url=f"http://x/{title}.html", date=date.fromisoformat(day) if day else None)
    directory = [item(f"{n}政府信息公开指南") for n in ("清河县教育局", "清河县财政局", "清河县人民政府")]
    assert choose_guide(directory, "清河县财政局").title == "清河县财政局政府信息公开指南"
    versions = [item("政府信息公开指南（2024年版）", "2024-03-01"), item("政府信息公开指南（2020年版）", "2020-01-01")]
    assert choose_guide(versions, "清河县财政局").title == "政府信息公开指南（2024年版）"
    short = [item(n) for n in ("教育局", "财政局", "民政局")]
    assert choose_guide(short, "清河县财政局").title == "财政局"
    others = [item(n) for n in ("清河县教育局", "清河县财政局")]
    assert choose_guide(others, "清河县民政局") is None          # a directory of other units: read the page itself


def test_facts_are_stamped_with_the_current_second_in_utc(monkeypatch):
    import time as clock
    from datetime import datetime, timezone

    from crawler.spiders import disclosure

    now = [1_795_000_000.7]
    monkeypatch.setattr(clock, "time", lambda: now[0])
    assert disclosure.now_iso() == datetime.fromtimestamp(1_795_000_000, timezone.utc).isoformat(timespec="seconds")
    now[0] += 0.2
    assert disclosure.now_iso() == "2026-11-18T11:06:40+00:00"
    now[0] += 1
    assert disclosure.now_iso() == "2026-11-18T11:06:41+00:00"
