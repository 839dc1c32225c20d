"""records.py: title links, the record each belongs to, the list it is part of, and each record's
title, date and pin — called the way listpage.py calls them, on small pages of each CMS family."""
from datetime import date

import pytest

from candidate_lists import candidate_lists, page
from crawler.extract.dom import Texts, parse_html, text_of
from crawler.extract.records import _directory_list, _fill, _item, _score, _title_anchors, _undated_list
from crawler.extract.types import Item

URL = "https://www.example.gov.cn/col/tzgg/index.html"
CRAWL = date(2026, 11, 27)


def _groups(body: str, crawl: date = CRAWL, fill: bool = True):
    """Candidate lists of a page, as listpage builds them (zones aside: see test_zones.py)."""
    return candidate_lists(page(body), URL, crawl, zones=False, dates=fill).groups


def _only(body: str, crawl: date = CRAWL):
    groups = [g for g in _groups(body, crawl) if not g.excluded]
    assert len(groups) == 1, [[r.title for r in g.records] for g in groups]
    return groups[0]


def _lis(n: int, day0: int = 1, tag: str = "li", date_tag: str = "span") -> str:
    return "".join(f"<{tag}><a href='./202610/t202610{day0 + k:02d}_{k}.html'>关于做好第{k}批次冬季安全生产工作的通知</a>"
                   f"<{date_tag}>2026-10-{day0 + k:02d}</{date_tag}></{tag}>" for k in range(n))


# --- which links are titles ----------------------------------------------------------------

@pytest.mark.parametrize("link", [
    pytest.param("<a href='/more/'>更多</a>", id="more-link"),
    pytest.param("<a href='index_1.html'>下一页</a>", id="pager-next"),
    pytest.param("<a href='index_2.html'>3</a>", id="pager-number"),
    pytest.param("<a href='/'>首页</a>", id="home-link"),
    pytest.param("<a href='/'>&gt;&gt; 返回顶部</a>", id="back-to-top-with-arrows"),
    pytest.param("<a href='mailto:xxgk@example.gov.cn'>县政府办公室政务公开邮箱</a>", id="mailto"),
    pytest.param("<a href='tel:05911234567'>县政府办公室值班电话</a>", id="phone"),
    pytest.param("<a href='/a/1.html'>通知</a>", id="too-short-to-be-a-title"),
    pytest.param("<a href='javascript:void(0);' class='aged_link_01'>长者模式</a>", id="script-toggle"),
    pytest.param("<a href='#'>关于开展冬季消防检查的通知</a>", id="bare-hash-without-handler"),
    pytest.param("<select><option><a href='/bm/1/'>县教育局政府信息公开</a></option></select>", id="inside-select"),
    pytest.param("<template><a href='/a/1.html'>关于开展冬季消防检查的通知</a></template>", id="inside-template"),
    pytest.param("<a href='/a/1.html' title='关于开展冬季消防检查的通知'>详</a>", id="short-text-beats-title-attr"),
])
def test_chrome_links_are_not_titles(link):
    doc = parse_html(page(link))
    assert _title_anchors(doc, Texts(doc)) == []


@pytest.mark.parametrize("link,text", [
    pytest.param("<a href='./202611/t20261120_1.html'>关于开展冬季消防检查的通知</a>", "关于开展冬季消防检查的通知",
                 id="trs-article"),
    pytest.param("<a href='javascript:openDetail(\"123\")'>关于开展冬季消防检查的通知</a>", "关于开展冬季消防检查的通知",
                 id="script-opened-document"),
    pytest.param("<a href='#' onclick='show(5)'>关于开展冬季消防检查的通知</a>", "关于开展冬季消防检查的通知",
                 id="onclick-document"),
    pytest.param("<a href='/a/1.html' title='关于开展冬季消防检查的通知'><img src='i.png'></a>", "",
                 id="icon-link-named-by-title-attr"),
])
def test_document_links_are_titles(link, text):
    doc = parse_html(page(link))
    anchors = _title_anchors(doc, Texts(doc))
    assert [text_of(a) for a in anchors] == [text]


# --- records and the lists they form --------------------------------------------------------

@pytest.mark.parametrize("body,tag,n", [
    pytest.param(f"<ul>{_lis(4)}</ul>", "li", 4, id="li-rows"),
    pytest.param("<table>" + "".join(f"<tr><td><a href='./t{k}.html'>关于做好第{k}批次冬季安全生产工作的通知</a></td>"
                                     f"<td>2026-10-0{k}</td></tr>" for k in range(1, 5)) + "</table>",
                 "tr", 4, id="table-rows"),
    pytest.param(f"<dl>{_lis(4, tag='dd')}</dl>", "dd", 4, id="dd-rows"),
    pytest.param(f"<div class='list'>{_lis(4, tag='div')}</div>", "div", 4, id="div-rows"),
])
def test_each_row_is_one_record(body, tag, n):
    g = _only(body)
    assert [r.node.tag for r in g.records] == [tag] * n
    assert g.dated == n


def test_department_tag_and_title_in_one_row_are_one_record():
    # <li><a>[县财政局]</a><a>title</a><span>date</span></li>: the longer link is the title.
    rows = "".join(f"<li><a href='/bm/cz/'>[县财政局]</a><a href='./202610/t2026100{k}_{k}.html'>"
                   f"关于下达第{k}批财政衔接推进乡村振兴补助资金的通知</a><span>2026-10-0{k}</span></li>"
                   for k in range(1, 4))
    g = _only(f"<ul>{rows}</ul>")
    assert [r.title for r in g.records] == [f"关于下达第{k}批财政衔接推进乡村振兴补助资金的通知" for k in (1, 2, 3)]
    assert [r.url for r in g.records] == [f"https://www.example.gov.cn/col/tzgg/202610/t2026100{k}_{k}.html"
                                          for k in (1, 2, 3)]


def test_trs_split_blocks_are_one_list():
    # pingtan_zfxxgkzd: 15 items in three sibling <ul> of five; a per-<ul> reader sees five.
    body = "<div class='list_base'>" + "".join(f"<ul class='pad_b_xl'>{_lis(5, day0)}</ul>" for day0 in (1, 6, 11)) + "</div>"
    g = _only(body)
    assert len(g.records) == 15
    assert g.root.get("class") == "list_base"


def test_avalon_wrapped_blocks_are_one_list():
    # TRS trt/avalon: each <ul> in its own bare <div ms-visible> with an empty separator.
    blocks = "".join(f"<div ms-visible='$showStatic({k * 5 + 1})'><ul>{_lis(5, k * 5 + 1)}</ul>"
                     f"<div class='border_b_dashed'></div></div>" for k in range(3))
    g = _only(f"<div class='list_base'><div ms-visible='showStatic'>{blocks}</div></div>")
    assert len(g.records) == 15


def test_boxes_under_their_own_headings_stay_separate_lists():
    # Home-page blocks: the same markup, but each box shows a heading a reader sees.
    body = ("<div class='home'><h3>政务要闻</h3><div><ul>" + _lis(5, 1) + "</ul></div>"
            "<h3>通知公告</h3><div><ul>" + _lis(5, 10) + "</ul></div></div>")
    groups = [g for g in _groups(body) if not g.excluded]
    assert sorted(len(g.records) for g in groups) == [5, 5]


def test_a_lone_link_is_not_a_list():
    g = _groups("<div class='text'><p>详见<a href='/zwgk/sq/'>依申请公开办理流程说明</a>。</p></div>")[0]
    assert g.excluded and not g.lone


# --- titles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("anchor,title", [
    pytest.param("<a href='/a/1.html'><span>[11-20]</span>关于开展冬季消防检查的通知</a>", "关于开展冬季消防检查的通知",
                 id="date-inside-link-is-not-title"),
    pytest.param("<a href='/a/1.html'><font color=red>置顶</font>关于开展冬季消防检查的通知</a>", "关于开展冬季消防检查的通知",
                 id="pin-marker-is-not-title"),
    pytest.param("<a href='/a/1.html' title='关于开展全县冬季消防安全大检查的通知'>关于开展全县冬季...</a>",
                 "关于开展全县冬季消防安全大检查的通知", id="truncated-text-takes-title-attr"),
    pytest.param("<a href='/a/1.html' title='消防'>关于开展冬季消防检查的通知</a>", "关于开展冬季消防检查的通知",
                 id="full-text-beats-shorter-title-attr"),
    pytest.param("<a href='/a/1.html'>关于\n    开展冬季\xa0消防检查的通知</a>", "关于 开展冬季 消防检查的通知",
                 id="whitespace-folded"),
])
def test_record_title(anchor, title):
    rows = f"<li>{anchor}<span>2026-11-20</span></li><li><a href='/a/2.html'>关于做好冬季供暖工作的通知</a><span>2026-11-19</span></li>"
    assert _only(f"<ul>{rows}</ul>").records[0].title == title


# --- dates ----------------------------------------------------------------------------------

def _two_rows(first: str, url: str = "./202611/t20261101_1.html") -> str:
    return (f"<ul><li><a href='{url}'>关于开展冬季消防检查的通知</a>{first}</li>"
            "<li><a href='./202610/t20261001_2.html'>关于做好冬季供暖工作的通知</a><span>2026-10-01</span></li></ul>")


@pytest.mark.parametrize("first,url,crawl,expected", [
    pytest.param("<span>2026-11-20</span>", None, CRAWL, date(2026, 11, 20), id="bare-date-span"),
    pytest.param("<span>[11-20]</span>", None, CRAWL, date(2026, 11, 20), id="yearless-bracketed"),
    pytest.param("<span>2026年11月20日</span>", None, CRAWL, date(2026, 11, 20), id="chinese-date"),
    pytest.param("<span>发布时间：2026-11-20</span>", None, CRAWL, date(2026, 11, 20), id="labelled-date"),
    pytest.param("<span>2026-03-10</span>", "./202603/t20260313_1.htm", CRAWL, date(2026, 3, 10),
                 id="shown-date-beats-url-date"),
    pytest.param("", "./202611/t20261120_1.html", CRAWL, None, id="url-date-alone-is-no-date"),
    pytest.param("<span>12-28</span>", None, date(2026, 1, 5), date(2025, 12, 28), id="yearless-never-in-future"),
    pytest.param("<span>2026-12-01</span>", None, CRAWL, None, id="date-after-crawl-is-dropped"),
])
def test_record_date(first, url, crawl, expected):
    g = _only(_two_rows(first, url or "./202611/t20261101_1.html"), crawl)
    assert g.records[0].date == expected


def test_date_in_title_is_not_the_item_date():
    rows = ("<li><a href='/a/1.html'>关于2026年12月1日起施行新版办事指南的公告</a></li>"
            "<li><a href='/a/2.html'>关于做好冬季供暖工作的通知</a><span>2026-10-01</span></li>"
            "<li><a href='/a/3.html'>关于开展冬季消防检查的通知</a><span>2026-09-01</span></li>")
    assert [r.date for r in _only(f"<ul>{rows}</ul>").records] == [None, date(2026, 10, 1), date(2026, 9, 1)]


def test_flat_link_list_takes_the_date_after_each_link():
    # <a>title</a><span>date</span><br>, no row elements: the date follows its own link.
    body = ("<div class='list'>"
            "<a href='/a/1.html'>关于开展冬季消防检查的通知</a><span>2026-11-20</span><br>"
            "<a href='/a/2.html'>关于做好冬季供暖工作的通知</a><br>"
            "<a href='/a/3.html'>关于公布行政许可事项清单的通知</a> 2026-09-21<br></div>")
    assert [r.date for r in _only(body).records] == [date(2026, 11, 20), None, date(2026, 9, 21)]


_CATALOGUE_HEAD = "<tr><th>索引号</th><th>名称</th><th>成文日期</th><th>发布日期</th></tr>"


def _catalogue(*rows: tuple[str, str]) -> str:
    trs = "".join(f"<tr><td>000014349/2026-000{k}</td><td><a href='./t{k}.html'>某某县人民政府关于第{k}号文件的通知</a></td>"
                  f"<td>{written}</td><td>{published}</td></tr>" for k, (written, published) in enumerate(rows, 1))
    return f"<table class='gkml'>{_CATALOGUE_HEAD}{trs}</table>"


def test_catalogue_publication_column_beats_written_date():
    # 集约化 catalogues: 索引号 | 名称 | 成文日期 | 发布日期 — the 发布日期 counts, even when older.
    g = _only(_catalogue(("2026-10-28", "2026-11-03"), ("2026-11-20", "2026-10-15")))
    assert g.header_col == 3
    assert [r.date for r in g.records] == [date(2026, 11, 3), date(2026, 10, 15)]


def test_catalogue_future_publication_date_does_not_fall_back_to_written_date():
    g = _only(_catalogue(("2026-10-28", "2027-01-03"), ("2026-10-01", "2026-10-15")))
    assert [r.date for r in g.records] == [None, date(2026, 10, 15)]


def test_catalogue_with_one_row_is_still_a_list():
    g = _only(_catalogue(("2026-10-28", "2026-11-03")))
    assert g.score > 0 and not g.lone


def test_index_number_is_not_a_date():
    # 000014349/2026-00012 looks like a date to a naive reader; with no date column the row is undated.
    rows = "".join(f"<tr><td>000014349/2026-0001{k}</td><td><a href='./t{k}.html'>某某县人民政府关于第{k}号文件的通知</a></td></tr>"
                   for k in range(3))
    assert [r.date for r in _only(f"<table>{rows}</table>").records] == [None] * 3


# --- rows that share the list's container but are not items ---------------------------------

def test_breadcrumb_row_is_not_a_record():
    # The list's first <li> is the "当前位置" trail: undated, of another class than the dated rows.
    body = ("<ul><li class='crumb'><a href='/zwgk/'>当前位置：政府信息公开</a></li>"
            f"{_lis(4)}</ul>")
    g = _only(body)
    assert len(g.records) == 4
    assert all("当前位置" not in r.title for r in g.records)


def test_undated_row_of_the_same_kind_stays_an_item():
    # An item that lacks its date is still an item (it counts as not updated, never dropped).
    body = f"<ul>{_lis(3)}<li><a href='/a/9.html'>关于开展冬季消防检查工作的补充通知</a></li></ul>"
    assert len(_only(body).records) == 4


def test_same_item_twice_is_one_record():
    # Mobile and desktop copies of a row inside one list.
    row = "<li><a href='/a/1.html'>关于开展冬季消防检查的通知</a><span>2026-11-20</span></li>"
    body = f"<ul>{row}{row}<li><a href='/a/2.html'>关于做好冬季供暖工作的通知</a><span>2026-11-01</span></li></ul>"
    assert [r.url for r in _only(body).records] == ["https://www.example.gov.cn/a/1.html",
                                                    "https://www.example.gov.cn/a/2.html"]


# --- pins -----------------------------------------------------------------------------------

@pytest.mark.parametrize("row", [
    pytest.param("<li><span>[置顶]</span><a href='/a/1.html'>关于开展冬季消防检查的通知</a><span>2019-01-10</span></li>",
                 id="text-marker"),
    pytest.param("<li class='istop'><a href='/a/1.html'>关于开展冬季消防检查的通知</a><span>2019-01-10</span></li>",
                 id="class-marker"),
    pytest.param("<li><img src='top.gif' alt='置顶'><a href='/a/1.html'>关于开展冬季消防检查的通知</a><span>2019-01-10</span></li>",
                 id="image-marker"),
])
def test_pinned_old_item_is_marked(row):
    g = _only(f"<ul>{row}{_lis(2)}</ul>")
    assert [r.pinned for r in g.records] == [True, False, False]
    assert g.records[0].date == date(2019, 1, 10)


def test_class_merely_containing_top_is_no_pin():
    # "desktop-row" is a layout class; only a whole "top"/"istop"/"zd" word marks a pin.
    row = "<li class='desktop-row'><a href='/a/1.html'>关于stop违规收费的通知公告</a><span>2026-11-20</span></li>"
    assert _only(f"<ul>{row}{_lis(2)}</ul>").records[0].pinned is False


# --- scores and the lists that are kept ------------------------------------------------------

def test_dated_records_count_triple_and_list_containers_half_again():
    g = _only(f"<ul>{_lis(3)}<li><a href='/a/9.html'>关于开展冬季消防检查工作的补充通知</a></li></ul>")
    assert g.score == 3 * 3 + 1
    g.listish = True
    _score(g)
    assert g.score == (3 * 3 + 1) * 1.5
    g.listish, g.penalized = False, True
    _score(g)
    assert g.score == (3 * 3 + 1) * 0.25


@pytest.mark.parametrize("body,lone", [
    pytest.param("<div class='col-body'><div class='item'><a href='./202210/t20221022_3391.html'>"
                 "某某县林业局主要职责内设机构和人员编制规定</a><span>2022-10-22</span></div></div>", True,
                 id="one-dated-document"),
    pytest.param("<div class='col-body'><div class='item'><a href='./202210/t20221022_3391.html'>"
                 "某某县林业局主要职责内设机构和人员编制规定</a></div></div>", False, id="one-undated-link"),
    pytest.param("<div class='dq'>当前位置：<a href='./'>政府信息公开指南栏目</a><span>发布日期：2024-03-23</span></div>",
                 False, id="breadcrumb-with-date"),
    pytest.param("<div class='text'><p>" + "本机关政府信息公开工作由办公室负责，申请人可以通过信函或者当面提交申请。" * 2 + "</p>"
                 "<p><a href='./P020240323_1.doc'>政府信息公开申请表</a>(2024-03-23)</p></div>", False,
                 id="attachment-in-prose"),
    pytest.param("<div class='col-body'><div class='item'><a href='./t1.html'>某某县林业局主要职责</a>"
                 "<span>2022-10-22</span><span>本文件自印发之日起施行，由县林业局负责解释，有效期五年，到期自动失效。</span></div></div>",
                 False, id="row-with-running-text"),
])
def test_one_item_column_is_a_list_of_one_only_when_it_reads_like_one(body, lone):
    g = _groups(body)[0]
    assert g.lone is lone
    assert g.excluded is not lone


def test_penalized_single_row_is_no_list_of_one():
    g = _groups("<div class='item'><a href='./t1.html'>某某县林业局主要职责内设机构</a><span>2022-10-22</span></div>",
                fill=False)[0]
    _fill(g, URL, CRAWL, Texts())
    g.penalized = True
    _score(g)
    assert g.excluded and not g.lone


# --- undated lists: documents or a directory, not a menu -------------------------------------

def _undated(titles: list[str], urls: list[str]):
    lis = "".join(f"<li><a href='{u}'>{t}</a></li>" for t, u in zip(titles, urls))
    return _only(f"<ul>{lis}</ul>")


def test_undated_documents_are_a_list():
    titles = [f"某某县{n}年度部门预算公开说明" for n in ("2023", "2024", "2025", "2026")]
    g = _undated(titles, [f"./202{k}01/t202{k}0110_{k}.html" for k in range(3, 7)])
    assert _undated_list(g) and not _directory_list(g)


def test_undated_link_menu_is_not_a_list():
    titles = ["机构职能", "领导信息", "政策文件", "规划计划"]
    g = _undated(titles, [f"/zwgk/c{k}/" for k in range(4)])
    assert not _undated_list(g) and not _directory_list(g)


_UNITS = ["县教育局", "县财政局", "县民政局", "县公安局", "县卫生健康委员会", "县自然资源局", "县应急管理局",
          "县统计局", "城关镇人民政府", "东城街道办事处"]


def test_directory_of_units_is_a_list():
    # A 公开指南 column that lists each department: undated links named for government units.
    g = _undated(_UNITS, [f"/bm/{k}/zn/" for k in range(len(_UNITS))])
    assert _directory_list(g)


def test_directory_of_same_kind_pages_is_a_list():
    titles = [f"{u}政府信息公开指南" for u in ("教育", "财政", "民政", "公安", "卫健", "自然资源", "应急", "统计")]
    g = _undated(titles, [f"/bm/{k}/zn/" for k in range(len(titles))])
    assert _directory_list(g)


@pytest.mark.parametrize("titles,urls", [
    pytest.param(_UNITS[:7], [f"/bm/{k}/" for k in range(7)], id="too-few-to-be-a-directory"),
    pytest.param(_UNITS, ["/bm/"] * len(_UNITS), id="all-links-to-one-page"),
    pytest.param(["机构职能", "领导信息", "政策文件", "规划计划", "财政预决算", "人事信息", "工作动态", "通知公告", "政府采购"],
                 [f"/zwgk/c{k}/" for k in range(9)], id="sub-column-navigation"),
])
def test_not_a_directory(titles, urls):
    assert not _directory_list(_undated(titles, urls))


def test_item_is_what_the_record_holds():
    g = _only(f"<ul><li class='top'><a href='./t1.html'>关于开展冬季消防检查的通知</a><span>2026-11-20</span></li>{_lis(2)}</ul>")
    assert _item(g.records[0]) == Item(title="关于开展冬季消防检查的通知", url="https://www.example.gov.cn/col/tzgg/t1.html",
                                       date=date(2026, 11, 20), pinned=True)
