"""crawl.count_all_pages: the crawler follows a column's pager, so 条数 is the column's total."""
import json
from datetime import date, timedelta

from mockserver import MockServer, html
from test_spider import govfresh, listing, nav, page


def rows(prefix, n, start=0):
    day = date(2026, 11, 25)
    return [(f"{prefix}第{k + 1}号文件的通知", f"/p/a/{prefix}{k}.html", (day - timedelta(days=3 * k)).isoformat())
            for k in range(start, start + n)]


def trs(k, pages, items):
    pager = f'<script>createPageHTML({pages}, {k}, "index", "html");</script>'
    return html(page("工作动态", listing(*items) + pager))


def hanweb_record(t, u, d):
    return f'<record><![CDATA[<li><a href="{u}" title="{t}">{t}</a><span>{d}</span></li>]]></record>'


def hanweb_column(items, total, per):
    recs = "".join(hanweb_record(*r) for r in items)
    return html(page("通知公告", f'<div class="list"><script type="text/xml"><datastore>'
                               f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?columnid=7"></a>]]></nextgroup>'
                               f'<recordset>{recs}</recordset></datastore></script></div>'
                               f'<script>var totalRecord={total}; var perPage={per};</script>'))


def site():
    trs_rows, query_rows, hanweb_rows = rows("动态", 25), rows("政策", 12), rows("公告", 7)
    return {
        "/p/xxgk/": html(page("信息公开", nav(("工作动态", "/p/xxgk/gzdt/index.html"), ("政策文件", "/p/xxgk/zcwj/list.jsp"),
                                              ("通知公告", "/p/xxgk/tzgg/")))),
        # TRS: three pages of 10, 10 and 5.
        "/p/xxgk/gzdt/index.html": trs(0, 3, trs_rows[:10]),
        "/p/xxgk/gzdt/index_1.html": trs(1, 3, trs_rows[10:20]),
        "/p/xxgk/gzdt/index_2.html": trs(2, 3, trs_rows[20:]),
        # ?page=N: 5 + 5 + 2, announced as 共3页.
        "/p/xxgk/zcwj/list.jsp": html(page("政策文件", listing(*query_rows[:5]) +
                                           '<div class="pages">共3页 <a href="list.jsp?page=2">下一页</a></div>')),
        "/p/xxgk/zcwj/list.jsp?page=2": html(page("政策文件", listing(*query_rows[5:10]))),
        "/p/xxgk/zcwj/list.jsp?page=3": html(page("政策文件", listing(*query_rows[10:]))),
        # Hanweb: 3 records in the page, 4 more from dataproxy.jsp (3 per request).
        "/p/xxgk/tzgg/": hanweb_column(hanweb_rows[:3], 7, 3),
        "/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3&columnid=7": html(
            "<datastore><recordset>" + "".join(hanweb_record(*r) for r in hanweb_rows[3:6]) + "</recordset></datastore>",
            charset="utf-8"),
        "/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=7&perpage=3&columnid=7": html(
            "<datastore><recordset>" + hanweb_record(*hanweb_rows[6]) + "</recordset></datastore>", charset="utf-8"),
    }


def crawl(tmp_path, server, extra=""):
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"county: 测试县\ncrawl:\n  timeout: 10\n{extra}units:\n  - name: 分页局\n    url: {server.url}/p/xxgk/\n",
                     encoding="utf-8")
    db = tmp_path / "p.db"
    result = govfresh("crawl", "--config", str(sites), "--db", str(db), "--crawl-date", "2026-11-27")
    assert result.returncode == 0, result.stderr
    export = json.loads(govfresh("export", "--db", str(db), "--as-of", "2026-11-27").stdout)
    return {c["name"]: c for c in export["units"][0]["columns"]}


def test_count_all_pages_counts_every_page_of_trs_query_and_hanweb_lists(tmp_path):
    with MockServer(site()) as server:
        cols = crawl(tmp_path, server, "  count_all_pages: true\n")
        posts = [p for m, p in server.hits if m == "POST"]
    assert {n: c["item_count"] for n, c in cols.items()} == {"工作动态": 25, "政策文件": 12, "通知公告": 7}
    assert {n: c["newest_date"] for n, c in cols.items()} == {n: "2026-11-25" for n in cols}
    assert len(posts) == 2 and all("dataproxy.jsp" in p for p in posts)


def test_max_pages_per_column_bounds_the_pages_read(tmp_path):
    with MockServer(site()) as server:
        cols = crawl(tmp_path, server, "  count_all_pages: true\n  max_pages_per_column: 2\n")
    assert {n: c["item_count"] for n, c in cols.items()} == {"工作动态": 20, "政策文件": 10, "通知公告": 6}


def test_by_default_only_the_first_page_is_read(tmp_path):
    with MockServer(site()) as server:
        cols = crawl(tmp_path, server)
        fetched = {p for _, p in server.hits}
    assert {n: c["item_count"] for n, c in cols.items()} == {"工作动态": 10, "政策文件": 5, "通知公告": 3}
    assert "/p/xxgk/gzdt/index_1.html" not in fetched
