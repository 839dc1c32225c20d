"""pager.py: how many pages a column has and where the further ones are, from the raw page the way
listpage.py hands it over (TRS createPageHTML / countPage, Hanweb dataproxy paging, ?page=N links)."""
from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler.extract.pager import _MAX_NEXT_PAGES, _hanweb_pages, _pager

URL = "https://www.example.gov.cn/col/tzgg/index.html"
HERE = "https://www.example.gov.cn/col/tzgg/"


def pager(raw: str, url: str = URL, hanweb_records: int | None = None, hanweb_proxy: str | None = None):
    return _pager(raw, url, url, hanweb_records, hanweb_proxy)


# --- TRS ------------------------------------------------------------------------------------

@pytest.mark.parametrize("script,url,total,further", [
    pytest.param('createPageHTML(5, 0, "index", "html");', URL, 5,
                 ["index_1.html", "index_2.html", "index_3.html", "index_4.html"], id="first-page"),
    pytest.param('createPageHTML(5, 3, "index", "html");', HERE + "index_3.html", 5, ["index_4.html"], id="fourth-page"),
    pytest.param('createPageHTML(5, 4, "index", "html");', HERE + "index_4.html", 5, [], id="last-page"),
    pytest.param("createPageHTML(1, 0, 'index', 'shtml');", URL, 1, [], id="single-page"),
    pytest.param("createPageHTML('page_div',10, 1,'zwgklist','shtml',200);", URL, 10,
                 [f"zwgklist_{i}.shtml" for i in range(2, 11)], id="cluster-form-first-page"),
    pytest.param("createPageHTML('page_div', 4, 3, 'zwgklist', 'shtml', 62);", HERE + "zwgklist_3.shtml", 4,
                 ["zwgklist_4.shtml"], id="cluster-form-third-page"),
])
def test_createPageHTML_announces_pages(script, url, total, further):
    raw = f"<div class='page'><script type='text/javascript'>{script}</script></div>"
    assert pager(raw, url) == (total, [HERE + p for p in further])


def test_pager_inside_an_html_comment_still_counts():
    # gansu_jyt: the list and its createPageHTML call sit in one comment; the raw page still says 4.
    raw = "<ul><!-- <li>…</li><script>createPageHTML('page_div',4, 1,'zwgklist','shtml',62);</script>--></ul>"
    assert pager(raw)[0] == 4


_COUNT_PAGE = """<script language="JavaScript" type="text/javascript">
var currentPage = {current};//所在页从0开始
var countPage = {count}//共多少页
document.write("&nbsp;<a href=\\"index."+"html\\">首页</a>&nbsp;|");
if(i>0) document.write("&nbsp;<a href=\\"{name}"+"_" + i + "."+"{ext}\\">"+(i+1)+"</a>&nbsp;|");
</script>"""


@pytest.mark.parametrize("current,count,name,ext,url,further", [
    pytest.param(0, 3, "index", "html", URL, ["index_1.html", "index_2.html"], id="ordos-first-page"),
    pytest.param(1, 3, "index", "html", HERE + "index_1.html", ["index_2.html"], id="second-page"),
    pytest.param(0, 2, "list", "html", URL, ["list_1.html"], id="named-pages"),
    # The script, not the address the column was crawled at, says how its pages end.
    pytest.param(0, 3, "index", "shtml", HERE, ["index_1.shtml", "index_2.shtml"], id="shtml-pages-of-a-folder-url"),
    pytest.param(0, 2, "index", "htm", URL, ["index_1.htm"], id="htm-pages-of-an-html-url"),
])
def test_countPage_script_announces_pages(current, count, name, ext, url, further):
    raw = _COUNT_PAGE.format(current=current, count=count, name=name, ext=ext)
    assert pager(raw, url) == (count, [HERE + p for p in further])


def test_countPage_without_page_names_follows_the_page_own_extension():
    raw = "<script>var countPage = 3; var currentPage = 0;</script>"
    assert pager(raw, HERE + "index.htm") == (3, [HERE + "index_1.htm", HERE + "index_2.htm"])
    assert pager(raw, HERE) == (3, [HERE + "index_1.html", HERE + "index_2.html"])


def test_avalon_record_count_gives_pages_but_no_addresses():
    # pingtan: list2.trsapi recordCount "34", prepage 15 -> 3 pages, fetched by script.
    raw = "<script>var listOpt = {recordCount: \"34\", prepage: 15, url: 'list2.trsapi'};</script>"
    assert pager(raw) == (3, [])


# --- Hanweb ---------------------------------------------------------------------------------

_JPAGE = "<script>$('#764752').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 2, totalRecord: 7});</script>"
_PROXY = "/module/web/jpage/dataproxy.jsp?page=1&webid=73&path=/&columnid=103585&unitid=764752&perpage=20"


def test_hanweb_recordset_pages_ask_the_dataproxy_for_the_records_not_carried():
    # 7 records, 2 a page, the recordset carried 4: records 5-6 and 7 are still to fetch.
    total, further = pager(_JPAGE, hanweb_records=4, hanweb_proxy=_PROXY)
    assert total == 4
    assert [urlsplit(u).path for u in further] == ["/module/web/jpage/dataproxy.jsp"] * 2
    queries = [dict(parse_qsl(urlsplit(u).query)) for u in further]
    assert [(q["startrecord"], q["endrecord"], q["perpage"]) for q in queries] == [("5", "6", "2"), ("7", "7", "2")]
    # The column's own parameters go along; the proxy's stale paging ones do not.
    assert all(q["columnid"] == "103585" and q["unitid"] == "764752" and "page" not in q for q in queries)


def test_hanweb_pages_without_a_nextgroup_use_the_standard_dataproxy():
    assert _hanweb_pages(4, 2, URL, 2, None) == [
        "https://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2"]


def test_hanweb_recordset_holding_everything_has_no_further_pages():
    assert pager(_JPAGE, hanweb_records=7) == (4, [])


def test_hanweb_paging_numbers_without_a_recordset_are_not_read():
    # totalRecord/perPage outside a Hanweb page (some widget's config) say nothing about the column.
    assert pager(_JPAGE) == (None, [])


# --- shown counts and ?page=N links ---------------------------------------------------------

def test_shown_page_count_without_links():
    assert pager("<div class='page'>共<span>6</span>页 当前第1页</div>") == (6, [])


@pytest.mark.parametrize("links,url,total,further", [
    pytest.param("共3页 <a href='?page=2'>2</a><a href='?page=3'>3</a><a href='?page=2'>下一页</a>", URL, 3,
                 [URL + "?page=2", URL + "?page=3"], id="query-only-links"),
    pytest.param("<a href='list.jsp?channelId=5&pageNo=2'>2</a><a href='list.jsp?channelId=5&pageNo=4'>尾页</a>",
                 HERE + "list.jsp?channelId=5", 4,
                 [HERE + f"list.jsp?channelId=5&pageNo={n}" for n in (2, 3, 4)], id="jsp-list-highest-link-counts"),
    # The same links as HTML should write them: "&" in an attribute is "&amp;".
    pytest.param("<a href='list.jsp?channelId=5&amp;pageNo=2'>2</a><a href='list.jsp?channelId=5&amp;pageNo=3'>尾页</a>",
                 HERE + "list.jsp?channelId=5", 3,
                 [HERE + f"list.jsp?channelId=5&pageNo={n}" for n in (2, 3)], id="entity-escaped-ampersand"),
    pytest.param("共5页 <a href='index.html?pn=2'>下一页</a>", URL, 5,
                 [URL + f"?pn={n}" for n in (2, 3, 4, 5)], id="shown-count-beats-links"),
])
def test_query_page_links(links, url, total, further):
    assert pager(f"<div class='page'>{links}</div>", url) == (total, further)


def test_page_links_to_another_address_are_not_this_column():
    # A search box's result pages, or a sibling column's pager in a side box.
    assert pager("<a href='/search/result.jsp?q=x&page=2'>2</a><a href='/search/result.jsp?q=x&page=3'>3</a>") == (None, [])


def test_page_without_a_pager():
    assert pager("<ul><li><a href='/a/1.html'>关于开展冬季消防检查的通知</a></li></ul>") == (None, [])


def test_absurd_page_count_is_capped():
    total, further = pager('createPageHTML(100000, 0, "index", "html");')
    assert total == 100000
    assert len(further) == _MAX_NEXT_PAGES
    assert further[-1] == HERE + f"index_{_MAX_NEXT_PAGES}.html"
