"""zones.py: where a candidate list sits — page chrome (dropped), a side box (penalised), or the
column's content (preferred) — judged the way listpage.py judges each group before its dates."""
from datetime import date

import pytest

from candidate_lists import candidate_lists, page
from crawler.extract.dom import Texts, find_by_id, parse_html, text_of
from crawler.extract.zones import _heading_text, _in_zone, _side_box

LIST = ("<ul>" + "".join(f"<li><a href='./202610/t2026100{k}_{k}.html'>关于做好第{k}批次冬季安全生产工作的通知</a>"
                         f"<span>2026-10-0{k}</span></li>" for k in range(1, 6)) + "</ul>")
OTHER = ("<ul>" + "".join(f"<li><a href='/hot/{k}.html'>县长主持召开第{k}次常务会议研究重点工作</a>"
                          f"<span>2026-11-0{k}</span></li>" for k in range(1, 4)) + "</ul>")


def _zoned(body: str):
    """Every candidate list of the page after _zone, as listpage calls it."""
    return candidate_lists(page(body), "https://www.example.gov.cn/", date(2026, 11, 27), dates=False).groups


def _the_list(body: str):
    """The group holding LIST's items (its first title is 第1批次)."""
    return next(g for g in _zoned(body) if "第1批次" in text_of(g.records[0].anchor))


@pytest.mark.parametrize("wrapper", [
    pytest.param("<header>{}</header>", id="header-element"),
    pytest.param("<nav>{}</nav>", id="nav-element"),
    pytest.param("<footer>{}</footer>", id="footer-element"),
    pytest.param("<aside>{}</aside>", id="aside-element"),
    pytest.param("<div class='nav-sub'>{}</div>", id="nav-class"),
    pytest.param("<div class='main-menu'>{}</div>", id="menu-class"),
    pytest.param("<div class='breadcrumb'>{}</div>", id="breadcrumb-class"),
    pytest.param("<div id='yqlj'>{}</div>", id="friend-links-pinyin"),
    pytest.param("<div class='copyright'>{}</div>", id="copyright"),
    pytest.param("<div class='top'>{}</div>", id="top-bar"),
    pytest.param("<div class='pagination'>{}</div>", id="pager-box"),
    pytest.param("<div class='box'><h3>友情链接</h3><div>{}</div></div>", id="friend-links-heading"),
    pytest.param("<div class='box'><h3>部门网站</h3>{}</div>", id="department-sites-heading"),
])
def test_page_chrome_is_not_the_column(wrapper):
    # The chrome list sits beside the column's real list, which holds most of the page's links.
    body = "<div class='main'>" + wrapper.format(OTHER) + "<div class='list'>" + LIST + "</div></div>"
    chrome = next(g for g in _zoned(body) if "常务会议" in text_of(g.records[0].anchor))
    assert chrome.excluded
    assert not _the_list(body).excluded


def test_chrome_class_on_a_wrapper_around_most_links_is_layout():
    # <div id="top"> around the whole page is not a header bar.
    g = _the_list(f"<div id='top'><div class='con'>{LIST}</div></div>")
    assert not g.excluded and g.listish


@pytest.mark.parametrize("wrapper", [
    pytest.param("<div class='sidebar'>{}</div>", id="sidebar-class"),
    pytest.param("<div class='hot-news'>{}</div>", id="hot-class"),
    pytest.param("<div id='djph'>{}</div>", id="click-ranking-pinyin"),
    pytest.param("<div class='xgwz'>{}</div>", id="related-articles-pinyin"),
    pytest.param("<div class='box'><h3>热点信息</h3>{}</div>", id="hot-heading"),
    pytest.param("<div class='box'><div class='tit'>相关文件</div><div>{}</div></div>", id="related-heading"),
    pytest.param("<div class='box'><h4>点击排行</h4>{}</div>", id="ranking-heading"),
])
def test_sidebar_hot_items_are_not_the_column(wrapper):
    body = "<div class='main'><div class='list'>" + LIST + "</div>" + wrapper.format(OTHER) + "</div>"
    hot = next(g for g in _zoned(body) if "常务会议" in text_of(g.records[0].anchor))
    assert hot.penalized and not hot.excluded
    assert not _the_list(body).penalized


def test_side_class_on_the_column_holding_most_links_is_the_main_column():
    # Two-column layouts name the main column "rightside": it is not a side box.
    g = _the_list(f"<div class='leftside'><a href='/a/x.html'>机构概况信息</a></div><div class='rightside'>{LIST}</div>")
    assert not g.penalized


@pytest.mark.parametrize("wrapper,listish", [
    pytest.param("<div class='list'>{}</div>", True, id="list-class"),
    pytest.param("<div class='gl_list'>{}</div>", True, id="trs-gl-list"),
    pytest.param("<div id='zwgk_content'>{}</div>", True, id="disclosure-content"),
    pytest.param("<div class='lb'>{}</div>", True, id="pinyin-liebiao-token"),
    pytest.param("<div class='box'>{}</div>", False, id="plain-box"),
    pytest.param("<div class='blob'>{}</div>", False, id="lb-inside-a-word-is-no-token"),
])
def test_list_and_content_containers_are_preferred(wrapper, listish):
    assert _the_list(wrapper.format(LIST)).listish is listish


def test_list_container_far_above_the_list_earns_nothing():
    deep = "<div>" * 7 + LIST + "</div>" * 7
    assert _the_list(f"<div class='list'>{deep}</div>").listish is False
    assert _the_list(f"<div class='list'>{'<div>' * 4}{LIST}{'</div>' * 4}</div>").listish is True


# --- helpers listpage uses on single elements -------------------------------------------------

def test_heading_text_reads_the_short_titles_before_a_box():
    doc = parse_html(page("<div class='box'><h3>热点信息</h3><p>" + "长段正文" * 10 + "</p><ul id='l'><li>x</li></ul></div>"))
    assert _heading_text(find_by_id(doc, "l"), Texts(doc)) == "热点信息"


@pytest.mark.parametrize("body,inside", [
    pytest.param("<div class='footer'><p id='x'>暂无信息</p></div>", True, id="footer"),
    pytest.param("<nav><span id='x'>暂无信息</span></nav>", True, id="nav"),
    pytest.param("<div class='list'><p id='x'>暂无信息</p></div>", False, id="list"),
])
def test_in_zone(body, inside):
    assert _in_zone(find_by_id(parse_html(page(body)), "x")) is inside


@pytest.mark.parametrize("body,side", [
    pytest.param("<div class='related'><ul id='x'></ul></div>", True, id="related-class"),
    pytest.param("<div class='box'><h3>相关稿件</h3><ul id='x'></ul></div>", True, id="related-heading"),
    pytest.param("<div class='list'><ul id='x'></ul></div>", False, id="list"),
])
def test_side_box(body, side):
    assert _side_box(find_by_id(parse_html(page(body)), "x")) is side
