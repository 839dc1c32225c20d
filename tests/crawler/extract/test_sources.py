"""List sources: the data call a script-filled page makes, found in its HTML and its answers read."""
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler.extract.listpage import extract_list
from crawler.extract.sources import LIST_SOURCES, DataCall, ListSource, find_data_call, read_data_call
from crawler.extract.types import UNVERIFIABLE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
CRAWL_DATE = date(2026, 11, 27)
PAGE = "http://www.test.gov.cn/col/col1229/index.html"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def query(call: DataCall) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(call.url).query))


def test_every_kind_is_registered_by_its_class():
    assert list(LIST_SOURCES) == ["hanweb_dataproxy", "json_api"]
    assert all(issubclass(cls, ListSource) for cls in LIST_SOURCES.values())


@pytest.mark.parametrize("name", ["hanweb_jpage_ajaxparam.html", "json_api_ajax_post.html", "json_api_fetch_get.html"])
def test_fixture_pages_are_unverifiable_to_the_static_reader(name):
    # The premise: without the data call, none of these pages shows a list govfresh can vouch for.
    assert extract_list(fixture(name), PAGE, CRAWL_DATE).state == UNVERIFIABLE


# ---- Hanweb jpage ------------------------------------------------------------------------------

def test_hanweb_jpage_settings_become_the_dataproxy_post():
    kind, call = find_data_call(fixture("hanweb_jpage_ajaxparam.html"), PAGE)
    assert kind == "hanweb_dataproxy"
    assert call.method == "POST"
    assert call.url.startswith("http://www.test.gov.cn/module/web/jpage/dataproxy.jsp?")
    # One group: perPage 15 × groupSize 3 records, as jpage asks.
    assert query(call) == {"startrecord": "1", "endrecord": "45", "perpage": "15"}
    assert dict(call.form) == {"col": "1", "appid": "1", "webid": "2", "path": "/", "columnid": "1229",
                               "sourceContentType": "1", "unitid": "4423580", "webname": "测试县人民政府",
                               "permissiontype": "0"}


def test_hanweb_parameters_written_in_the_call_itself():
    kind, call = find_data_call(fixture("hanweb_dataproxy_in_url.html"), "http://www.test.gov.cn/tzgg/")
    assert kind == "hanweb_dataproxy"
    assert query(call) == {"startrecord": "1", "endrecord": "20", "perpage": "20"}
    assert dict(call.form)["columnid"] == "88" and dict(call.form)["unitid"] == "5501"


def test_hanweb_page_without_a_column_id_names_no_call():
    html = '<div id="x"></div><script src="/module/web/jpage/jpage.js"></script><script>$("#x").jpage({})</script>'
    assert find_data_call(html, PAGE) is None


def test_hanweb_datastore_is_read_and_the_next_group_asked_for():
    call = DataCall(url="http://www.test.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=1",
                    method="POST", form=(("columnid", "1229"),), referer=PAGE)
    batch = read_data_call("hanweb_dataproxy", fixture("hanweb_datastore_group.xml").encode(), call, CRAWL_DATE)
    assert [i.date for i in batch.items] == [date(2026, 11, 25), date(2026, 11, 20), date(2026, 11, 12)]
    assert batch.items[0].url == "http://www.test.gov.cn/art/2026/11/25/art_1229_901.html"
    assert batch.total == 5
    nxt = batch.next_call
    assert (query(nxt)["startrecord"], query(nxt)["endrecord"], nxt.start) == ("4", "6", 4)
    assert nxt.form == call.form and nxt.method == "POST"


def test_hanweb_last_group_asks_for_nothing_more():
    call = DataCall(url="http://www.test.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=1",
                    method="POST", start=4, referer=PAGE)
    batch = read_data_call("hanweb_dataproxy", fixture("hanweb_datastore_group.xml").encode(), call, CRAWL_DATE)
    assert batch.next_call is None


def test_hanweb_error_page_is_not_an_empty_list():
    call = DataCall(url="http://www.test.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45",
                    method="POST")
    batch = read_data_call("hanweb_dataproxy", "<html><body>系统繁忙</body></html>".encode(), call, CRAWL_DATE)
    assert not batch.readable


# ---- JSON APIs -------------------------------------------------------------------------------

def test_ajax_post_call_with_variables_and_page_number():
    kind, call = find_data_call(fixture("json_api_ajax_post.html"), "http://www.test.gov.cn/xxgk/gzdt/")
    assert kind == "json_api"
    # The visit counter beside it is not the list's call.
    assert (call.url, call.method) == ("http://www.test.gov.cn/api/xxgk/articles", "POST")
    assert dict(call.form) == {"channelId": "1204", "pageNo": "1", "pageSize": "15"}


def test_fetch_of_a_json_list_not_of_a_stylesheet():
    kind, call = find_data_call(fixture("json_api_fetch_get.html"), "http://www.test.gov.cn/zcwj/")
    assert (kind, call.method) == ("json_api", "GET")
    assert call.url == "http://www.test.gov.cn/interface/doc/list.json?channel=zcwj&size=10"


@pytest.mark.parametrize("script, url", [
    ("$.getJSON('/api/list', {cid: 7, page: 1}, function(d){})", "http://www.test.gov.cn/api/list?cid=7&page=1"),
    ("axios.get('/api/news', {params: {col: 'gzdt'}}).then(r => show(r.data))", "http://www.test.gov.cn/api/news?col=gzdt"),
    ("$.ajax({url: base + 'x', data: {a: 1}}); $.ajax({url: '/api/gk/list', data: {a: 1}})",
     "http://www.test.gov.cn/api/gk/list?a=1"),
])
def test_call_forms(script, url):
    _, call = find_data_call(f"<ul id='l'></ul><script>{script}</script>", "http://www.test.gov.cn/x/")
    assert call.url == url


def test_calls_for_other_things_are_not_list_calls():
    html = ("<script src='/js/app.js'></script><script>$.get('/js/lang.js'); $.post('/api/visit/count');"
            " fetch('/user/login')</script>")
    assert find_data_call(html, "http://www.test.gov.cn/x/") is None


def test_epoch_milliseconds_are_china_dates():
    call = DataCall(url="http://www.test.gov.cn/api/xxgk/articles", method="POST",
                    form=(("channelId", "1204"), ("pageNo", "1")), referer="http://www.test.gov.cn/xxgk/gzdt/")
    batch = read_data_call("json_api", fixture("json_list_epoch_ms.json").encode(), call, CRAWL_DATE)
    # 1795537800000 is 2026-11-24 16:30 UTC: 2026-11-25 00:30 in China, where the page was published.
    assert [i.date for i in batch.items] == [date(2026, 11, 25), date(2026, 11, 20), date(2026, 11, 6)]
    assert batch.items[0].url == "http://www.test.gov.cn/xxgk/gzdt/content_31.html"
    assert batch.total == 3 and batch.next_call is None


def test_jsonp_answer_and_links_relative_to_the_list_page():
    call = DataCall(url="http://www.test.gov.cn/interface/doc/list.json", referer="http://www.test.gov.cn/zcwj/")
    batch = read_data_call("json_api", fixture("jsonp_list.js").encode(), call, CRAWL_DATE)
    assert [(i.date, i.url) for i in batch.items] == [
        (date(2026, 11, 18), "http://www.test.gov.cn/zcwj/202611/t20261118_77.html"),
        (date(2026, 10, 8), "http://www.test.gov.cn/zcwj/202610/t20261008_70.html")]


def test_next_page_while_the_total_says_there_are_more():
    call = DataCall(url="http://www.test.gov.cn/api/l?pageNo=1&pageSize=2", referer="http://www.test.gov.cn/x/")
    body = ('{"total": 5, "list": [{"title": "a", "url": "/a", "pubDate": "2026-11-20"},'
            ' {"title": "b", "url": "/b", "pubDate": "2026-11-19"}]}').encode()
    batch = read_data_call("json_api", body, call, CRAWL_DATE)
    assert query(batch.next_call) == {"pageNo": "2", "pageSize": "2"} and batch.next_call.start == 3


@pytest.mark.parametrize("body, readable, count", [
    ('{"total": 0, "list": []}', True, 0),                       # the API says the column is empty
    ('{"code": 500, "msg": "error"}', False, 0),                  # an error: not an empty column
    ('<html>登录</html>', False, 0),
    ('{"menu": [{"title": "首页", "url": "/"}]}', False, 0),      # undated records vouch for nothing
])
def test_answers_that_are_not_a_list(body, readable, count):
    batch = read_data_call("json_api", body.encode(), DataCall(url="http://www.test.gov.cn/api/l"), CRAWL_DATE)
    assert (batch.readable, len(batch.items)) == (readable, count)
