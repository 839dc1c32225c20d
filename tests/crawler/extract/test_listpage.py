"""extract_list on hand-written fixtures (one trap each) and on the real labelled corpus."""
import json
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from crawler.extract.listpage import extract_list
from crawler.extract.types import EMPTY, LIST, NOT_LIST, UNVERIFIABLE

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "extract"
REAL = REPO / ".." / "shared" / "corpus" / "real"

_EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
_DEFAULTS = _EXPECTED["defaults"]
CASES = [
    pytest.param(key, case, id=key.removesuffix(".html").replace(".html", "").replace("_", "-"))
    for key, case in _EXPECTED["pages"].items()
]


def _run(case: dict, key: str, content_type: str | None = None):
    body = (FIXTURES / case.get("file", key)).read_bytes()
    crawl = case.get("crawl_date", _DEFAULTS["crawl_date"])
    return extract_list(body, _DEFAULTS["url"], crawl, content_type), crawl


@pytest.mark.parametrize("key,case", CASES)
def test_fixture(key, case):
    page, crawl = _run(case, key)
    assert page.state == case["state"], page.note
    assert page.newest_date == case["newest_date"]
    assert page.item_count == case["item_count"]
    if "pinned_count" in case:
        assert sum(i.pinned for i in page.items) == case["pinned_count"]
    if "undated_count" in case:
        assert sum(i.date is None for i in page.items) == case["undated_count"]
    if "dates" in case:
        assert [i.date for i in page.items] == case["dates"]
    if "titles_contain" in case:
        titles = [i.title for i in page.items]
        for t in case["titles_contain"]:
            assert t in titles
    if "urls_contain" in case:
        for u in case["urls_contain"]:
            assert u in [i.url for i in page.items]
    if "column_name" in case:
        assert page.column_name == case["column_name"]
    if "total_pages" in case:
        assert page.total_pages == case["total_pages"]
    if "next_pages" in case:
        assert page.next_pages == [urljoin(_DEFAULTS["url"], p) for p in case["next_pages"]]
    # Never a date after the crawl date, whatever the page says.
    assert all(i.date is None or i.date <= crawl for i in page.items)


def test_every_fixture_has_an_expectation():
    named = {c.get("file", k) for k, c in _EXPECTED["pages"].items()}
    on_disk = {p.name for p in FIXTURES.glob("*.html")}
    assert on_disk - {"guide_fullwidth.html"} <= named


def test_gbk_list_with_header_and_no_meta():
    body = (FIXTURES / "gbk_undeclared.html").read_bytes()
    page = extract_list(body, _DEFAULTS["url"], date(2026, 11, 27), "text/html; charset=gb2312")
    assert [i.title for i in page.items] == ["县领导王堃调研冬季农业生产", "县妇联李玥一行走访慰问困难家庭"]


def test_items_keep_page_order_and_absolute_urls():
    page, _ = _run(_EXPECTED["pages"]["ascending_list.html"], "ascending_list.html")
    assert [i.date for i in page.items] == sorted(i.date for i in page.items)
    assert page.items[-1].url == "https://www.example.gov.cn/czyjs/2025/4.html"


def test_pinned_old_item_does_not_hide_newer_ones():
    page, _ = _run(_EXPECTED["pages"]["trs_gbk_pinned_item.html"], "trs_gbk_pinned_item.html")
    assert page.items[0].pinned and page.items[0].date == date(2019, 1, 10)
    assert page.newest_date == date(2026, 11, 20)


def test_year_boundary_crawl_on_new_year():
    # [12-28] seen on 2026-01-05 is 2025-12-28, never 2026-12-28.
    body = (FIXTURES / "short_dates_year_boundary.html").read_bytes()
    page = extract_list(body, _DEFAULTS["url"], date(2026, 1, 5))
    assert date(2025, 12, 28) in [i.date for i in page.items]
    assert page.newest_date == date(2026, 1, 3)


def test_accepts_str_body():
    html = (FIXTURES / "header_today_trap.html").read_text(encoding="utf-8")
    assert extract_list(html, _DEFAULTS["url"], date(2026, 11, 27)).newest_date == date(2026, 10, 8)


def test_inline_json_object_urls_and_ms_dates():
    html = """<html><head><meta charset="utf-8"><script>
    window.__DATA__ = {"data": {"rows": [
      {"docTitle": "关于开展冬季消防检查的通知", "urls": {"pc": "/c/1.html"}, "docRelTime": 1763600000000},
      {"docTitle": "关于做好冬季供暖工作的通知", "urls": {"pc": "/c/2.html"}, "docRelTime": 1762000000000}
    ]}};
    </script></head><body><div id="list"></div></body></html>"""
    page = extract_list(html, "https://x.gov.cn/col/index.html", date(2026, 11, 27))
    assert page.state == LIST
    assert [i.url for i in page.items] == ["https://x.gov.cn/c/1.html", "https://x.gov.cn/c/2.html"]
    assert page.newest_date == date(2025, 11, 20)  # 1763600000000 ms, Beijing time


def test_garbage_is_not_a_list():
    for body in (b"", b"\x00\xff\xfe", b"<html></html>", "<p>纯文本</p>".encode()):
        assert extract_list(body, "https://x.gov.cn/", date(2026, 11, 27)).state == NOT_LIST


# --- real corpus ----------------------------------------------------------------------------

CRAWL = date(2026, 11, 27)


def _labels():
    if not (REAL / "labels.json").is_file():
        return []
    return json.loads((REAL / "labels.json").read_text(encoding="utf-8"))


def _real(kind_filter):
    return [pytest.param(l, id=l["file"].removesuffix(".html").replace("_", "-"))
            for l in _labels() if kind_filter(l["kind"])]


@pytest.fixture
def real_corpus():
    if not REAL.is_dir():
        pytest.skip("shared real corpus not present")
    return REAL


@pytest.mark.parametrize("label", _real(lambda k: k == "list") or [pytest.param(None, id="absent")])
def test_real_list_pages(real_corpus, label):
    if label is None:
        pytest.skip("no labels")
    page = extract_list((real_corpus / label["file"]).read_bytes(), "https://example.gov.cn/col/index.html", CRAWL)
    assert page.state == LIST, page.note
    assert page.newest_date == date.fromisoformat(label["newest_date"])
    assert page.item_count == label["item_count"]


@pytest.mark.parametrize("label", _real(lambda k: k in ("article", "guide", "report")) or [pytest.param(None, id="absent")])
def test_real_non_list_pages(real_corpus, label):
    if label is None:
        pytest.skip("no labels")
    page = extract_list((real_corpus / label["file"]).read_bytes(), "https://example.gov.cn/a/t.html", CRAWL)
    assert page.state == NOT_LIST, page.note
    assert page.newest_date is None


@pytest.mark.parametrize("crawl", [date(2023, 10, 11), date(2024, 6, 1), CRAWL], ids=str)
def test_real_home_page_newest_is_2023_10_11(real_corpus, crawl):
    # Home page with many blocks, yearless MM-DD dates in some: whatever block is chosen,
    # the years come out right even when crawled years later.
    page = extract_list((real_corpus / "yichun_home.html").read_bytes(), "https://www.yichun.gov.cn/", crawl)
    assert page.state in (LIST, NOT_LIST)
    if page.state == LIST:
        assert page.newest_date == date(2023, 10, 11)


@pytest.mark.parametrize(
    "file,column,total_pages,first_next",
    [
        ("gansu_jyt_c110634_list_commented.html", "文件通知", 10, "zwgklist_2.shtml"),
        ("ordos_egb_xxgknb_list_trs.html", None, 2, "index_1.html"),
        ("handan_jinqixxgk_list.html", "邯郸市政府信息公开", 56, "index_1.html"),
        ("pingtan_zfxxgkzd_list.html", "政府信息公开制度", 3, None),
        ("jiangxi_sthjt_col42150_list_inlinejson.html", "政策法规解读· 以案释法", None, None),
    ],
    ids=["gansu-cluster-pager", "ordos-countpage", "handan-countpage", "pingtan-recordcount", "jiangxi-no-pager"],
)
def test_real_column_name_and_pager(real_corpus, file, column, total_pages, first_next):
    url = "https://example.gov.cn/col/index.html"
    page = extract_list((real_corpus / file).read_bytes(), url, CRAWL)
    assert page.column_name == column
    assert page.total_pages == total_pages
    if first_next:
        assert page.next_pages[0] == urljoin(url, first_next)
        assert len(page.next_pages) == total_pages - 1
    else:
        assert page.next_pages == []


def test_real_shown_dates_beat_url_dates(real_corpus):
    # pingtan_zfxxgkzd: first URL t20250818 but shown 2025-05-21; ordos: t20181102 shown 2018-03-26.
    page = extract_list((real_corpus / "pingtan_zfxxgkzd_list.html").read_bytes(), "https://example.gov.cn/", CRAWL)
    assert page.items[0].url.endswith("t20250818_100984.htm") and page.items[0].date == date(2025, 5, 21)
    page = extract_list((real_corpus / "ordos_egb_xxgknb_list_trs.html").read_bytes(), "https://example.gov.cn/", CRAWL)
    assert [i.date for i in page.items][6:8] == [date(2018, 3, 26), date(2018, 1, 5)]


def test_real_inline_json_is_read_whole(real_corpus):
    # jiangxi: 50 items in listData although the browser shows 15 per page; HtmlGenerateTime
    # (2025-06-06) and channel releaseTime (2025-11-25) are not item dates.
    page = extract_list((real_corpus / "jiangxi_sthjt_col42150_list_inlinejson.html").read_bytes(),
                        "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html", CRAWL)
    assert page.items[-1].date == date(2022, 12, 16)
    assert page.items[0].url == "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1951206363677671424.html"


# --- list shapes a reader sees, and their look-alikes that are not lists ----------------------

def _page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


_GUIDE_TEXT = "".join(f"<p>（{i}）本机关政府信息公开工作由办公室负责，申请人可以通过信函、传真或者当面提交申请。</p>"
                      for i in range(1, 9))


@pytest.mark.parametrize("crumb", [
    # Unclassed breadcrumb with two links, the date under the title.
    "<div class='dq'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/'>政府信息公开</a> &gt; "
    "<a href='./'>政府信息公开指南</a></div><h1>某某县政府信息公开指南</h1><p>(2024年03月23日)</p>",
    # One counted link and the publication date in the same small box.
    "<div class='dq'>当前位置：<a href='/'>首页</a> &gt; <a href='./'>政府信息公开指南</a>"
    "<span>发布日期：2024-03-23</span></div><h1>某某县政府信息公开指南</h1>",
], ids=["crumb-and-date-under-title", "crumb-with-date-beside"])
def test_guide_page_breadcrumb_is_not_a_one_item_list(crumb):
    page = extract_list(_page(f"<div class='wrap'>{crumb}<div class='text'>{_GUIDE_TEXT}</div></div>"),
                        "https://x.gov.cn/zwgk/zn/", date(2026, 11, 27))
    assert page.state == NOT_LIST, page.note
    assert page.items == []


@pytest.mark.parametrize("after", [
    "",
    "<div class='tools'><a href='/zwgk/sq/'>在线申请政府信息公开</a></div>",   # a second link elsewhere
], ids=["only-link", "with-another-link"])
def test_guide_body_with_a_dated_attachment_is_not_a_one_item_list(after):
    body = (f"<div class='main'><div class='content'><h1>某某县政府信息公开指南</h1><div class='text'>{_GUIDE_TEXT}"
            "<p>附：<a href='./P020240323_1.doc'>政府信息公开申请表</a>(2024-03-23)</p></div>"
            f"{after}</div></div>")
    page = extract_list(_page(body), "https://x.gov.cn/zwgk/zn/", date(2026, 11, 27))
    assert page.state == NOT_LIST, page.note


def test_parent_column_with_many_sub_columns_stays_navigation():
    names = ["机构职能", "领导信息", "政策文件", "规划计划", "财政预决算", "人事信息", "工作动态", "通知公告",
             "政府采购", "重大项目", "行政许可", "行政处罚", "统计信息", "应急管理", "建议提案办理"]
    lis = "".join(f"<li><a href='/zwgk/fdzdgknr/c{i}/'>{n}</a></li>" for i, n in enumerate(names))
    page = extract_list(_page(f"<div class='main'><ul class='sub-columns'>{lis}</ul></div>"),
                        "https://x.gov.cn/zwgk/fdzdgknr/", date(2026, 11, 27))
    assert page.state == NOT_LIST, page.note


def test_short_link_menu_of_units_is_not_a_directory():
    units = "".join(f"<li><a href='/bm/{i}/'>县{n}局</a></li>" for i, n in enumerate(["教育", "财政", "民政", "公安"]))
    page = extract_list(_page(f"<div class='main'><ul>{units}</ul></div>"), "https://x.gov.cn/bm/", date(2026, 11, 27))
    assert page.state == NOT_LIST


def _box(title: str, day0: int) -> str:
    lis = "".join(f"<li><a href='/a/2026{day0:02d}{k}.html'>{title}第{k}号工作简报正文</a>"
                  f"<span>2026-10-{day0 + k:02d}</span></li>" for k in range(1, 6))
    return f"<div class='bd'><ul>{lis}</ul></div>"


def test_separate_boxes_under_their_own_headings_are_not_merged():
    # Home-page blocks: each bare <div><ul> follows its heading; the headings keep them apart.
    body = f"<div class='home'><h3>政务要闻</h3>{_box('要闻', 1)}<h3>通知公告</h3>{_box('公告', 10)}</div>"
    page = extract_list(_page(body), "https://x.gov.cn/", date(2026, 11, 27))
    assert page.item_count == 5


def test_split_blocks_are_one_list_whatever_block_holds_the_newest():
    # Three bare wrappers (each a <ul> and an empty separator); the middle block is newest.
    blocks = "".join(f"<div ms-visible='$showStatic({g * 5 + 1})'>{_box('制度', day0)}<div class='sep'></div></div>"
                     for g, day0 in enumerate((1, 20, 10)))
    page = extract_list(_page(f"<div class='list_base'><div ms-visible='showStatic'>{blocks}</div></div>"),
                        "https://x.gov.cn/zd/", date(2026, 11, 27))
    assert page.item_count == 15
    assert page.newest_date == date(2026, 10, 25)


def test_one_item_row_needs_a_date():
    # The same row without its date is one undated link: not a list.
    body = ("<div class='right'><h3>机构职能</h3><div class='col-body'><div class='item'>"
            "<a href='./202210/t20221022_3391.html'>某某县林业局主要职责内设机构和人员编制规定</a></div></div></div>")
    page = extract_list(_page(body), "https://x.gov.cn/jgzn/", date(2026, 11, 27))
    assert page.state == NOT_LIST
