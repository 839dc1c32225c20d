"""hidden_lists.py: lists a browser shows but the static DOM does not hold — Hanweb JCMS
recordsets in <script type="text/xml">, items inside an HTML comment, and inline JS/JSON data —
opened the way listpage.py opens them before it looks for lists."""
from datetime import date

import pytest
from lxml import etree

from crawler.extract.dom import Texts, parse_html, text_of
from crawler.extract.hidden_lists import (_json_item, _json_list, _records, _unwrap_comments, _unwrap_hanweb,
                                          best_items, epoch_date)
from crawler.extract.records import _count, _title_anchors
from crawler.extract.types import Item

URL = "https://www.example.gov.cn/col/col1229/index.html"
CRAWL = date(2026, 11, 27)


def _record(k: int, day: int) -> str:
    return (f"<record><![CDATA[\n<li><a href=\"/art/2026/11/{day}/art_1229_{k}.html\">关于印发第{k}号工作方案的通知</a>"
            f"<span>2026-11-{day:02d}</span></li>]]></record>")


def _hanweb(records: str, nextgroup: str = "") -> str:
    return ("<html><body><div class='list-wrap'><div id='764752'><script type=\"text/xml\"><datastore>"
            f"{nextgroup}<recordset>{records}</recordset></datastore></script></div></div></body></html>")


# --- Hanweb JCMS recordsets -------------------------------------------------------------------

def test_hanweb_recordset_in_script_xml():
    notes: list[str] = []
    html, count, proxy = _unwrap_hanweb(_hanweb(_record(1, 4) + _record(2, 3)), notes)
    assert count == 2 and proxy is None
    assert notes == ["Hanweb recordset: 2 records"]
    # The records are now ordinary DOM rows where the script stood, in their order.
    rows = parse_html(html).xpath("//div[@id='764752']/div[@data-govfresh='recordset']/li")
    assert [li.find("a").get("href") for li in rows] == ["/art/2026/11/4/art_1229_1.html", "/art/2026/11/3/art_1229_2.html"]
    assert "<script" not in html


def test_hanweb_nextgroup_names_the_dataproxy():
    nextgroup = ("<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&amp;webid=73&amp;columnid=1229\">"
                 "</a>]]></nextgroup>")
    _, count, proxy = _unwrap_hanweb(_hanweb(_record(1, 4), nextgroup), [])
    assert count == 1
    assert proxy == "/module/web/jpage/dataproxy.jsp?page=1&webid=73&columnid=1229"


def test_empty_hanweb_recordset_is_counted_as_zero():
    notes: list[str] = []
    _, count, _ = _unwrap_hanweb(_hanweb(""), notes)
    assert count == 0   # not None: the page is a Hanweb list, and it says it has nothing
    assert notes == ["Hanweb recordset: 0 records"]


@pytest.mark.parametrize("html", [
    pytest.param("<ul><li><a href='/a.html'>关于开展冬季消防检查的通知</a></li></ul>", id="no-script"),
    pytest.param("<script type='text/xml'><config><item>1</item></config></script>", id="xml-without-recordset"),
    pytest.param("<script>var recordset = '<recordset>';</script>", id="javascript-mentioning-recordset"),
    pytest.param("<script type='text/xml'><recordset>" + _record(1, 4) + "</recordset>", id="unclosed-script"),
])
def test_page_without_a_hanweb_recordset_is_left_alone(html):
    notes: list[str] = []
    assert _unwrap_hanweb(html, notes) == (html, None, None)
    assert notes == []


def test_two_recordsets_add_up():
    page = _hanweb(_record(1, 4)) + _hanweb(_record(2, 3) + _record(3, 2))
    html, count, _ = _unwrap_hanweb(page, [])
    assert count == 3
    assert html.count('data-govfresh="recordset"') == 2


def test_records_in_order_and_unterminated_record_ignored():
    assert _records("<record><![CDATA[<li>a</li>]]></record><record id='2'>\n<![CDATA[<li>b</li>]]></record>"
                    "<record><![CDATA[<li>c</li>") == ["<li>a</li>", "<li>b</li>"]


# --- lists inside an HTML comment ------------------------------------------------------------

_COMMENTED = ("<html><body><div class='zfxxgk'><ul class='xxgklist'><!--\n"
              "<li><a href='/c110634/202511/174240943.shtml'>关于开展课题结项工作的通知</a><b>2026-11-17</b></li>\n"
              "<li><a href='/c110634/202511/174235671.shtml'>关于做好银龄讲学计划实施工作的通知</a><b>2026-11-05</b></li>\n"
              "-->{live}</ul></div></body></html>")


def _uncomment(html: str):
    doc = parse_html(html)
    notes: list[str] = []
    done = _unwrap_comments(doc, _count(_title_anchors(doc, Texts(doc))), notes)
    return doc, done, notes


def test_list_in_html_comment():
    # gansu_jyt: all items sit in one comment inside the list; a script shows them.
    doc, done, notes = _uncomment(_COMMENTED.format(live=""))
    assert done and notes == ["list read from an HTML comment"]
    assert [text_of(li.find("b")) for li in doc.xpath("//ul[@class='xxgklist']/li")] == ["2026-11-17", "2026-11-05"]


@pytest.mark.parametrize("html", [
    pytest.param(_COMMENTED.format(live="<li><a href='/c/1.shtml'>关于开展冬季消防检查的通知</a><b>2026-11-20</b></li>"),
                 id="container-shows-live-items"),
    pytest.param("<html><body><!-- <ul><li><a href='/old.html'>旧版首页通知公告栏目</a></li></ul> --></body></html>",
                 id="comment-directly-in-body"),
    pytest.param("<html><head><!-- <li><a href='/x.html'>旧版样式表说明文件</a></li> --></head><body></body></html>",
                 id="comment-in-head"),
    pytest.param("<div class='list'><!-- <li>没有链接的旧列表说明</li> --></div>", id="comment-without-links"),
    pytest.param("<div class='list'><!--<a class='ztlink' href='/zt/'></a>--></div>", id="commented-out-banner-link"),
])
def test_comment_left_alone(html):
    doc, done, notes = _uncomment(html)
    assert not done and notes == []
    assert next(doc.iter(etree.Comment), None) is not None   # the comment stays a comment


# --- inline script data ----------------------------------------------------------------------

def _items_of(script: str, attrs: str = ""):
    return _json_list(parse_html(f"<html><head><script{attrs}>{script}</script></head><body></body></html>"), URL, CRAWL)


_LIST_DATA = ("var channelsTagSelf = {'code': 'col1229', 'releaseTime': 1795900000000, 'name': '政策解读'};"
              "var listData = {articleList: ["
              "{title: '《某某县农村集体经济组织管理办法》政策解读', urls: '{\"pc\":\"/col/col1229/content/content_3.html\"}',"
              " pubDate: '2026-07-29 16:59', topStatus: 0},"
              "{title: '一图读懂《某某县优化营商环境若干措施》', url: '/col/col1229/content/content_2.html',"
              " pubDate: '2026-05-13 09:20', topStatus: 1},], perPage: 15};")


def test_inline_list_data_is_read():
    # jiangxi_sthjt: the items live in `var listData = {articleList: [...]}`, not in the DOM.
    assert _items_of(_LIST_DATA) == [
        Item("《某某县农村集体经济组织管理办法》政策解读", "https://www.example.gov.cn/col/col1229/content/content_3.html",
             date(2026, 7, 29), False),
        Item("一图读懂《某某县优化营商环境若干措施》", "https://www.example.gov.cn/col/col1229/content/content_2.html",
             date(2026, 5, 13), True),
    ]


@pytest.mark.parametrize("attrs", [" type='application/json'", " type='text/javascript'", ""])
def test_json_and_javascript_scripts_are_read(attrs):
    data = '{"rows": [{"title": "关于开展冬季消防检查的通知", "url": "/a/1.html", "pubDate": "2026-11-20"}]}'
    script = data if "json" in attrs else f"var d = {data};"
    assert [i.date for i in _items_of(script, attrs)] == [date(2026, 11, 20)]


@pytest.mark.parametrize("script,attrs", [
    pytest.param("<ul>{{#each data}}<li>{{title}}</li>{{/each}}</ul>", " type='text/x-handlebars-template'",
                 id="template-script"),
    pytest.param("<!-- 示例数据 -->var sample = [{title: '示例：关于开展某项工作的通知', pubDate: '2026-11-20'}];",
                 " type='text/template'", id="sample-data-in-a-template-is-not-run"),
    pytest.param("var menus = [{title: '政务公开', url: '/zwgk/'}, {title: '互动交流', url: '/hdjl/'}];", "",
                 id="menu-without-dates"),
    pytest.param("var cfg = {rows: [{name: 'a', value: 1}]};", "", id="config-without-titles"),
])
def test_scripts_that_hold_no_document_list(script, attrs):
    assert _items_of(script, attrs) == []


def test_external_script_is_not_read():
    doc = parse_html("<script src='/js/list.js'>var d = [{title: '关于开展检查的通知', pubDate: '2026-11-20'}];</script>")
    assert _json_list(doc, URL, CRAWL) == []


# --- choosing among script lists -------------------------------------------------------------

def test_most_dated_list_wins():
    undated = [{"title": f"栏目{k}"} for k in range(5)]
    dated = [{"title": "关于开展冬季消防检查的通知", "pubDate": "2026-11-20"}, {"title": "关于做好冬季供暖工作的通知"}]
    assert [i.title for i in best_items([undated, dated], URL, CRAWL)] == ["关于开展冬季消防检查的通知", "关于做好冬季供暖工作的通知"]


def test_undated_list_is_an_answer_only_from_a_data_endpoint():
    docs = [{"title": "某某县2026年部门预算", "url": "/a/1.html"}, {"title": "某某县2025年部门决算", "url": "/a/2.html"}]
    assert best_items([docs], URL, CRAWL) == []
    assert [i.url for i in best_items([docs], URL, CRAWL, dated_only=False)] == [
        "https://www.example.gov.cn/a/1.html", "https://www.example.gov.cn/a/2.html"]


def test_list_mostly_without_titles_is_not_a_document_list():
    mixed = [{"title": "关于开展冬季消防检查的通知", "pubDate": "2026-11-20"}, {"id": 1}, {"id": 2}, {"id": 3}]
    assert best_items([mixed], URL, CRAWL) == []


# --- one record of script data ---------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    pytest.param(1795104000000, date(2026, 11, 20), id="milliseconds"),
    pytest.param(1795104000, date(2026, 11, 20), id="seconds"),
    pytest.param("1795104000000", date(2026, 11, 20), id="digit-string"),
    pytest.param(1795192200000, date(2026, 11, 21), id="after-midnight-in-china-not-in-utc"),   # 2026-11-20 16:30 UTC
    pytest.param(20261120, None, id="compact-date-is-no-epoch"),
    pytest.param(True, None, id="boolean"),
    pytest.param("2026-11-20", None, id="date-string"),
    pytest.param(None, None, id="null"),
])
def test_epoch_date(value, expected):
    assert epoch_date(value) == expected


@pytest.mark.parametrize("record,expected", [
    pytest.param({"DocTitle": "关于开展冬季消防检查的通知", "DocPubUrl": "./t1.html", "DocRelTime": "2026-11-20 09:30"},
                 Item("关于开展冬季消防检查的通知", "https://www.example.gov.cn/col/col1229/t1.html", date(2026, 11, 20)),
                 id="trs-keys-any-case"),
    pytest.param({"title": "<em>关于开展</em>冬季消防检查的通知", "url": "/a/1.html"},
                 Item("关于开展冬季消防检查的通知", "https://www.example.gov.cn/a/1.html"), id="markup-in-title-removed"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "urls": {"mobile": "/m/1.html", "pc": "/a/1.html"}},
                 Item("关于开展冬季消防检查的通知", "https://www.example.gov.cn/a/1.html"), id="pc-url-of-an-url-object"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "createDate": "2026-10-28", "pubDate": "2026-11-03"},
                 Item("关于开展冬季消防检查的通知", "", date(2026, 11, 3)), id="publication-beats-creation"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "cwrq": "2026-10-28"},
                 Item("关于开展冬季消防检查的通知", "", date(2026, 10, 28)), id="written-date-when-alone"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "updateTime": "2026-11-26", "pubDate": "2026-11-03"},
                 Item("关于开展冬季消防检查的通知", "", date(2026, 11, 3)), id="update-stamp-ignored"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "pubDate": "2027-01-01"},
                 Item("关于开展冬季消防检查的通知", ""), id="future-date-dropped"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "isTop": "true"},
                 Item("关于开展冬季消防检查的通知", "", None, True), id="pinned-flag"),
    pytest.param({"title": "关于开展冬季消防检查的通知", "url": "/" + "a" * 3000},
                 Item("关于开展冬季消防检查的通知", ""), id="megabyte-url-is-no-url"),
    pytest.param({"title": "   ", "url": "/a/1.html"}, None, id="blank-title"),
    pytest.param({"name": "政务公开", "url": "/zwgk/"}, None, id="no-title-key"),
])
def test_json_item(record, expected):
    assert _json_item(record, URL, CRAWL) == expected
