"""A re-crawl of an unchanged site asks for every page conditionally and carries forward what it knew."""
import json
import zlib
from pathlib import Path

from mockserver import MockServer, html
from store import Store
from test_spider import govfresh, listing, nav, page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "annual_report"


def conditional(route):
    """Serve `route` with an ETag; answer 304 when the client already has this content."""
    status, headers, body = route

    def serve(handler):
        etag = f'"{zlib.crc32(body):08x}"'
        if status == 200 and handler.headers.get("If-None-Match") == etag:
            handler.server.not_modified.append(handler.path)
            handler.reply(304, {"ETag": etag}, b"")
        else:
            handler.reply(status, {**headers, "ETag": etag} if status == 200 else headers, body)
    return serve


def county_site(guide_text):
    report = (FIXTURES / "table3_row_total.html").read_text(encoding="utf-8")
    return {
        "/q/xxgk/": html(page("信息公开", nav(("工作动态", "/q/xxgk/gzdt/"), ("法定主动公开内容", "/q/xxgk/fdzd/"),
                                              ("政府信息公开指南", "/q/xxgk/zn/"), ("政府信息公开年报", "/q/xxgk/nb/"))
                              + '<p><a href="/q/zt/index.html">专题专栏网页</a><a href="/q/old.html">旧版网页栏目</a></p>')),
        "/q/zt/index.html": html(page("专题", "<p>专题</p>")),
        "/q/xxgk/gzdt/": html(page("工作动态", listing(("全县教育工作会议召开", "/q/a/1.html", "2026-11-25"),
                                                   ("秋季开学检查", "/q/a/2.html", "2026-10-01")))),
        "/q/xxgk/fdzd/": html(page("法定主动公开内容", nav(("通知公告", "/q/xxgk/fdzd/tzgg/")))),
        "/q/xxgk/fdzd/tzgg/": html(page("通知公告", listing(("关于做好冬季安全工作的通知", "/q/a/3.html", "2026-11-20")))),
        "/q/xxgk/zn/": html(page("政府信息公开指南", listing(("清河县教育局政府信息公开指南", "/q/zn/1.html", "2025-03-01")))),
        "/q/zn/1.html": html(page("政府信息公开指南", f"<div class='content'><p>{guide_text}</p></div>")),
        "/q/xxgk/nb/": html(page("政府信息公开年报", listing(
            ("清河县教育局2025年政府信息公开工作年度报告", "/q/nb/2025.html", "2026-01-20")))),
        "/q/nb/2025.html": html(report),
    }


def crawl(server, tmp_path, day):
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"county: 测试县\nunits:\n  - name: 条件局\n    url: {server.url}/q/xxgk/\n", encoding="utf-8")
    result = govfresh("crawl", "--config", str(sites), "--db", str(tmp_path / "q.db"), "--crawl-date", day)
    assert result.returncode == 0, result.stderr
    export = json.loads(govfresh("export", "--db", str(tmp_path / "q.db"), "--as-of", day).stdout)
    return export["units"][0]


def facts(unit):
    """What the crawl knew, without when and how it was fetched."""
    columns = sorted((c["name"], c["url"], c["newest_date"], c["item_count"], c.get("state")) for c in unit["columns"])
    findings = sorted((f["rule"], f["column"] or "", f["element"] or "") for f in unit["findings"])
    return columns, findings


GUIDE = "受理机构：清河县教育局办公室。办公地址：人民路1号。办公时间：工作日。联系电话：0591-1234567。"


def test_an_unchanged_site_is_all_304_and_nothing_is_lost(tmp_path):
    routes = {path: conditional(route) for path, route in county_site(GUIDE).items()}
    with MockServer(routes) as server:
        server.not_modified = []
        first = crawl(server, tmp_path, "2026-11-26")
        server.hits.clear()
        second = crawl(server, tmp_path, "2026-11-27")
        gets = [path for method, path in server.hits if method == "GET"]
        heads = [path for method, path in server.hits if method == "HEAD"]
    # Every page kind was asked conditionally and answered 304: the disclosure page, lists,
    # the parent column and its sub-column, the guide and the annual report.
    assert sorted(gets) == sorted(server.not_modified)
    assert {"/q/xxgk/", "/q/xxgk/gzdt/", "/q/xxgk/fdzd/", "/q/xxgk/fdzd/tzgg/", "/q/xxgk/zn/", "/q/zn/1.html",
            "/q/xxgk/nb/", "/q/nb/2025.html"} <= set(gets)
    # Links are still checked every crawl: a dead one is a finding of this week.
    assert sorted(heads) == ["/q/old.html", "/q/zt/index.html"]
    assert facts(second) == facts(first)
    assert any(f["rule"] == "dead_link" for f in second["findings"])
    assert any(f["rule"].startswith("annual_report_table") for f in second["findings"])   # the report was judged
    with Store(tmp_path / "q.db") as store:
        # The guide and the report are stored once, however many crawls read them.
        assert store.db["page_contents"].count == 2
        assert [p["text"] for p in store.run_pages(2, "guide")] == [p["text"] for p in store.run_pages(1, "guide")]
        assert GUIDE.split("。")[1] in store.run_pages(2, "guide")[0]["text"]


def test_a_changed_guide_is_read_again(tmp_path):
    routes = {path: conditional(route) for path, route in county_site(GUIDE).items()}
    with MockServer(routes) as server:
        server.not_modified = []
        crawl(server, tmp_path, "2026-11-26")
        # The guide loses its telephone number; its list page is unchanged.
        server.routes["/q/zn/1.html"] = conditional(county_site(GUIDE.replace("联系电话：0591-1234567。", ""))
                                                    ["/q/zn/1.html"])
        second = crawl(server, tmp_path, "2026-11-27")
    assert ("guide_missing_element", "phone") in {(f["rule"], f["element"]) for f in second["findings"]}
    with Store(tmp_path / "q.db") as store:
        assert store.db["page_contents"].count == 3


def test_a_changed_report_column_is_read_anew_and_its_unchanged_report_stands(tmp_path):
    routes = {path: conditional(route) for path, route in county_site(GUIDE).items()}
    report = (FIXTURES / "table3_row_total.html").read_text(encoding="utf-8")
    with MockServer(routes) as server:
        server.not_modified = []
        crawl(server, tmp_path, "2026-11-26")
        # The 年报 column now lists an older report too; the 2025 report itself is unchanged.
        server.routes["/q/xxgk/nb/"] = conditional(html(page("政府信息公开年报", listing(
            ("清河县教育局2025年政府信息公开工作年度报告", "/q/nb/2025.html", "2026-01-20"),
            ("清河县教育局2024年政府信息公开工作年度报告", "/q/nb/2024.html", "2025-01-20")))))
        server.routes["/q/nb/2024.html"] = conditional(html(report.replace("2025", "2024")))
        server.not_modified.clear()
        crawl(server, tmp_path, "2026-11-27")
        not_modified = list(server.not_modified)
    assert "/q/xxgk/nb/" not in not_modified and "/q/nb/2025.html" in not_modified
    with Store(tmp_path / "q.db") as store:
        reports = {(p["url"].rsplit("/", 1)[1], p["year"]): p["text"] for p in store.run_pages(2, "report")}
        column = next(c for c in store.run_columns(2) if c["name"] == "政府信息公开年报")
    assert set(reports) == {("2025.html", 2025), ("2024.html", 2024)}
    assert all(reports.values())            # both read: the new one in full, the old one carried
    assert column["item_count"] == 2 and column["http_status"] == 200
