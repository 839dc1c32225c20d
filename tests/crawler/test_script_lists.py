"""Lists a page fills by script, read through the page's own data call, end to end.

A real `govfresh crawl` (child process) against the loopback mock server: a Hanweb jpage column
whose records come from dataproxy.jsp in two groups, a column filled by a JSON API with dates
in epoch milliseconds, a static control, and a column whose call goes to another site.
"""
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from crawl_cli import crawl_and_export, govfresh
from mockserver import MockServer, hanweb_dataproxy, html, json_data
from store import Store

CRAWL_DATE = date(2026, 11, 27)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def disclosure(*cols):
    links = "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in cols)
    return f'<html><head><meta charset="utf-8"><title>信息公开</title></head><body><ul class="nav">{links}</ul></body></html>'


HANWEB_RECORDS = [f'<li><a href="/art/2026/{(CRAWL_DATE - timedelta(days=2 + i)).month}/1/art_1229_{900 - i}.html">'
                  f'第{i + 1}条工作动态</a><span>{(CRAWL_DATE - timedelta(days=2 + i)).isoformat()}</span></li>'
                  for i in range(60)]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("script_lists")
    # Another site: another loopback address, so it is off the unit's scope whatever its port.
    with MockServer(host="127.0.0.2") as elsewhere, MockServer() as server:
        elsewhere_url = f"http://127.0.0.2:{elsewhere.port}"
        elsewhere.routes["/api/list"] = json_data({"list": [{"title": "外站", "url": "/a", "pubDate": "2026-11-26"}]})
        off_site = (f'<html><body><ul id="list"></ul><script>$.ajax({{url: "{elsewhere_url}/api/list",'
                    ' success: function (d) { $("#list").html(d); }});</script></body></html>')
        server.routes.update({
            "/hw/": html(disclosure(("工作动态", "/hw/col/col1229/index.html"))),
            "/hw/col/col1229/index.html": html(fixture("hanweb_jpage_ajaxparam.html"), extra={"ETag": '"shell-1"'}),
            "/module/web/jpage/dataproxy.jsp": hanweb_dataproxy(HANWEB_RECORDS, columnid="1229"),
            "/api-unit/": html(disclosure(("工作动态", "/xxgk/gzdt/"))),
            "/xxgk/gzdt/": html(fixture("json_api_ajax_post.html")),
            "/api/xxgk/articles": json_data(json.loads(fixture("json_list_epoch_ms.json"))),
            "/static-unit/": html(disclosure(("工作动态", "/static-unit/gzdt/"))),
            "/static-unit/gzdt/": html('<html><body><ul class="list">'
                                       '<li><a href="/s/1.html">全县教育工作会议召开</a><span>2026-11-24</span></li>'
                                       '<li><a href="/s/2.html">秋季开学检查</a><span>2026-10-01</span></li></ul></body></html>'),
            "/offsite-unit/": html(disclosure(("工作动态", "/offsite-unit/gzdt/"))),
            "/offsite-unit/gzdt/": html(off_site),
        })
        units = {"汉威单位": "/hw/", "接口单位": "/api-unit/", "静态单位": "/static-unit/", "外站单位": "/offsite-unit/"}
        found, db, run = crawl_and_export(tmp, {n: server.url + p for n, p in units.items()}, CRAWL_DATE,
                                          ("  count_all_pages: true",))
        columns = {name: {c["name"]: c for c in u["columns"]} for name, u in found.items()}
        status = govfresh("status", "--config", str(tmp / "sites.yaml"), "--db", str(db))
        assert status.returncode == 0, status.stderr
        yield columns, server.hits, elsewhere.hits, db, run.stdout + status.stdout


def test_hanweb_dataproxy_two_groups(crawled):
    columns, hits, _, _, _ = crawled
    col = columns["汉威单位"]["工作动态"]
    assert (col["state"], col["list_source"], col["date_source"]) == ("list", "hanweb_dataproxy", "list")
    assert col["newest_date"] == "2026-11-25"
    assert col["item_count"] == 60          # 45 in the first group, 15 in the second
    posts = [path for method, path in hits if method == "POST" and path.startswith("/module/web/jpage/")]
    assert [p.split("?")[1].split("&")[:2] for p in posts] == [["startrecord=1", "endrecord=45"],
                                                               ["startrecord=46", "endrecord=90"]]


def test_json_api_with_epoch_millisecond_dates(crawled):
    columns, hits, _, _, _ = crawled
    col = columns["接口单位"]["工作动态"]
    assert (col["state"], col["list_source"], col["item_count"]) == ("list", "json_api", 3)
    assert col["newest_date"] == "2026-11-25"     # 2026-11-24 16:30 UTC, published 00:30 in China
    assert col["newest_url"].endswith("/xxgk/gzdt/content_31.html")
    assert ("POST", "/api/xxgk/articles") in hits
    assert not any(path.startswith("/api/visit") for _, path in hits)   # the counter beside it is not called


def test_static_control_makes_no_data_call(crawled):
    columns, _, _, _, _ = crawled
    col = columns["静态单位"]["工作动态"]
    assert (col["state"], col["list_source"], col["newest_date"], col["item_count"]) == ("list", "static", "2026-11-24", 2)


def test_a_call_to_another_site_is_not_made(crawled):
    columns, _, elsewhere_hits, _, _ = crawled
    col = columns["外站单位"]["工作动态"]
    assert col["state"] == "unverifiable" and col["newest_date"] is None
    assert elsewhere_hits == []


def test_a_list_read_through_its_data_call_is_asked_for_in_full_next_time(crawled):
    # The shell page's ETag says nothing about the records: a 304 for it must not freeze the column.
    _, _, _, db, _ = crawled
    with Store(db) as store:
        etags = {r["list_source"]: r["etag"] for r in store.db.query("SELECT list_source, etag FROM observations")}
    assert etags["hanweb_dataproxy"] is None


def test_crawl_summary_and_status_count_lists_read_through_data_calls(crawled):
    *_, output = crawled
    # Once in the crawl's summary, once under the run in `govfresh status`.
    assert output.count("2 个栏目列表通过数据接口读取（hanweb_dataproxy 1，json_api 1）") == 2
