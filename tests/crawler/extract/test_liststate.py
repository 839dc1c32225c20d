"""liststate.py: when no convincing list is readable, is the page an article, an empty column, or
a column whose list a script fills (unverifiable)?  Never call a column empty that was not read."""
from datetime import date

import pytest

from candidate_lists import candidate_lists, page
from crawler.extract.dom import find_by_id, parse_html
from crawler.extract.liststate import (_article_like, _empty_container, _loader_evidence, _loader_targets,
                                       _no_list_state, _placeholder, _script_filled_hole, _templated, _text_block)
from crawler.extract.types import EMPTY, UNVERIFIABLE

URL = "https://www.example.gov.cn/col/tzgg/index.html"
CRAWL = date(2026, 11, 27)


def _rows(n: int, cls: str = "list") -> str:
    lis = "".join(f"<li><a href='./202610/t2026100{k}_{k}.html'>关于做好第{k}批次冬季安全生产工作的通知</a>"
                  f"<span>2026-10-0{k}</span></li>" for k in range(1, n + 1))
    return f"<div class='{cls}'><ul>{lis}</ul></div>"


class Read:
    """A page as listpage reads it before deciding its state: tree, script text, best dated list."""

    def __init__(self, body: str, head: str = ""):
        self.raw = page(body, head)
        lists = candidate_lists(self.raw, URL, CRAWL)
        self.doc, self.script_text, self.best = lists.doc, lists.script_text, lists.best

    def state(self, hanweb_records: int | None = None):
        return _no_list_state(self.doc, self.script_text, self.raw, hanweb_records, self.best)


# --- articles are not lists -----------------------------------------------------------------

_BODY_TEXT = "".join(f"<p>第{k}条 本机关政府信息公开工作由办公室负责，申请人可以通过信函、传真、网络或者当面提交申请，"
                     f"行政机关收到申请后应当在二十个工作日内予以答复；需要延长答复期限的应当经负责人同意。</p>"
                     for k in range(1, 21))


@pytest.mark.parametrize("body,head,article", [
    pytest.param(_rows(6), "<meta name='ArticleTitle' content='关于开展冬季消防检查的通知'>", True,
                 id="ArticleTitle-meta-wins-over-any-list"),
    pytest.param("<h1>关于开展冬季消防检查的通知</h1><p>正文。</p>", "<meta name='PubDate' content='2026-11-20 09:30'>", True,
                 id="PubDate-meta-without-a-list"),
    pytest.param(_rows(6), "<meta name='PubDate' content='2026-11-20 09:30'>", False,
                 id="PubDate-meta-beside-a-strong-list"),
    pytest.param(f"<div class='TRS_Editor'>{_BODY_TEXT}</div>", "", True, id="long-body-text"),
    pytest.param(f"{_rows(6)}<div class='text'>{_BODY_TEXT}</div>", "", False, id="long-text-beside-a-strong-list"),
    pytest.param(_rows(3), "", False, id="plain-list"),
])
def test_article_like(body, head, article):
    page = Read(body, head)
    assert _article_like(page.doc, page.best) is article


def test_text_block_counts_one_container_not_the_page():
    spread = "".join(f"<div><p>{'政务公开' * 100}</p></div>" for _ in range(5))      # 400 chars in each of five boxes
    assert _text_block(parse_html(page(spread))) == 400
    linked = f"<div><a href='/a.html'><p>{'政务公开' * 500}</p></a><p>短文</p></div>"
    assert _text_block(parse_html(page(linked))) == 2
    footer = f"<footer><p>{'版权所有' * 500}</p></footer>"
    assert _text_block(parse_html(page(footer))) == 0


# --- script-filled lists --------------------------------------------------------------------

@pytest.mark.parametrize("body,templated", [
    pytest.param("<ul ms-repeat='list'><li id='x'>暂无信息</li></ul>", True, id="avalon-repeat"),
    pytest.param("<div v-if='!rows.length'><p id='x'>暂无数据</p></div>", True, id="vue-if"),
    pytest.param("<div :class='c'><p id='x'>暂无数据</p></div>", True, id="vue-bound-attribute"),
    pytest.param("<div style='display: none'><p id='x'>暂无数据</p></div>", True, id="hidden-block"),
    pytest.param("<div class='list'><p id='x'>暂无数据</p></div>", False, id="plain"),
])
def test_templated(body, templated):
    assert _templated(find_by_id(parse_html(page(body)), "x")) is templated


def test_loader_targets_are_empty_elements_a_script_names():
    body = ("<ul id='newsList'></ul><div id='listBox'><p>暂无数据</p></div><div id='filled'><a href='/a.html'>已有</a></div>"
            "<div id='x'></div><div id='unnamed'></div>"
            "<script>$('#newsList').html(h); document.getElementById('listBox').innerHTML = h;"
            " $('#filled').append(h); $('#x').show();</script>")
    page = Read(body)
    assert _loader_targets(page.doc, page.script_text) == {"newsList", "listBox"}
    assert _loader_targets(page.doc, "") == set()


@pytest.mark.parametrize("body,evidence", [
    pytest.param("<div id='764752'></div><script src='/module/web/jpage/jpage.js'></script>", "jpage",
                 id="hanweb-jpage-script"),
    pytest.param("<div class='list'></div><script>loadPageData({url: '/api/list'})</script>", "loadPageData",
                 id="jiangxi-loadPageData"),
    pytest.param("<div id='l'></div><script>$.post('/module/web/jpage/dataproxy.jsp', p)</script>", "jpage",
                 id="hanweb-dataproxy-call"),
    pytest.param("<script type='text/x-handlebars-template'><ul class='List_list'>{{#each articleList}}"
                 "<li><a href='{{url}}'>{{title}}</a><span>{{pubDate}}</span></li>{{/each}}</ul></script>",
                 "text/x-handlebars-template item template", id="handlebars-item-template"),
    pytest.param("<div class='list'><ul><li ms-repeat='list'><a ms-attr-href='el.chnldocurl' ms-text='el.doctitle'></a>"
                 "</li></ul></div>", "ms-repeat item template", id="avalon-item-template"),
    pytest.param("<ul id='newsList' class='news-list'></ul>"
                 "<script>$.ajax({url: '/api/article/list', success: function (r) { $('#newsList').html(r) }})</script>",
                 "ajax into #newsList", id="ajax-into-empty-list"),
])
def test_list_loader_is_evidence(body, evidence):
    page = Read(body)
    assert _loader_evidence(page.doc, page.script_text) == evidence


@pytest.mark.parametrize("body", [
    pytest.param("<div class='header'><ul class='menu'><li v-for='m in menus'><a :href='m.url'>{{ m.title }}</a></li></ul></div>",
                 id="vue-menu-in-header"),
    pytest.param("<div class='list'><span v-for='y in years'>{{ y }}</span></div>", id="template-without-item-binding"),
    pytest.param("<span id='visitCount'></span><script>$.get('/stat/count', function (n) { $('#visitCount').text(n) })</script>",
                 id="visit-counter"),
    pytest.param("<script type='text/template'><div class='tip'>{{title}}</div></script>", id="template-without-links"),
])
def test_other_scripts_are_no_list_loader(body):
    page = Read(body)
    assert _loader_evidence(page.doc, page.script_text) is None


_OLD_BOX = ("<div class='box'><h3>往期专题</h3><ul>"
            "<li><a href='/zt/202405/t20240510_1.html'>2024年安全生产月活动专题</a><span>2024-05-10</span></li>"
            "<li><a href='/zt/202403/t20240301_2.html'>2024年全国两会精神学习专题</a><span>2024-03-01</span></li></ul></div>")
_FILL = "<script>$.get('/api/articles?channel=gzdt', function (r) { $('#articleList').html(r.rows) })</script>"


def test_script_filled_container_beside_a_small_static_box_is_the_column():
    # The box's 2024 dates must not stand for a column whose list arrives by script.
    page = Read(f"<div class='main'>{_OLD_BOX}<ul id='articleList' class='news-list'></ul></div>{_FILL}")
    hole = _script_filled_hole(page.doc, page.script_text, page.best)
    assert hole is not None and hole.get("id") == "articleList"


@pytest.mark.parametrize("body", [
    pytest.param(f"<div class='main'>{_rows(5)}<ul id='articleList'></ul></div>{_FILL}", id="strong-static-list-wins"),
    pytest.param(f"<div class='main'>{_OLD_BOX}<ul id='articleList'></ul></div>", id="no-script-fills-it"),
    pytest.param(f"<div class='main'>{_OLD_BOX}<div class='related'><ul id='articleList'></ul></div></div>{_FILL}",
                 id="hole-in-a-related-box"),
    pytest.param(f"<div class='main'>{_OLD_BOX}<div id='share' class='wrap'></div></div>"
                 "<script>$.get('/api/share', function (r) { $('#share').html(r.data) })</script>",
                 id="hole-not-named-like-a-list"),
    pytest.param(f"<div class='main'>{_OLD_BOX}<ul id='articleList'><li>加载中，请稍候</li></ul></div>{_FILL}",
                 id="hole-not-empty"),
])
def test_no_script_filled_hole(body):
    page = Read(body)
    assert page.best is not None
    assert _script_filled_hole(page.doc, page.script_text, page.best) is None


# --- empty columns ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["暂无信息", "暂无相关信息", "暂无数据", "暂无公开信息", "没有找到相关记录",
                                  "无相关数据", "尚无内容"])
def test_placeholder_texts(text):
    ph = _placeholder(parse_html(page(f"<div class='list'><ul><li class='no-data'>{text}</li></ul></div>")))
    assert ph is not None and ph.tag == "li"


@pytest.mark.parametrize("body", [
    pytest.param("<div class='footer'><p>暂无信息</p></div>", id="in-footer"),
    pytest.param("<div class='list'><p ms-visible='list.length==0'>暂无数据</p></div>", id="template-branch"),
    pytest.param("<div class='list'><!-- 暂无信息 --></div>", id="in-a-comment"),
    pytest.param("<div class='text'><p>本栏目暂无信息的原因是相关单位尚未报送材料，我们将在收到材料后第一时间予以公开发布。</p></div>",
                 id="sentence-mentioning-it"),
])
def test_not_a_placeholder(body):
    assert _placeholder(parse_html(page(body))) is None


@pytest.mark.parametrize("body,found", [
    pytest.param("<ul class='news-list'>\n</ul>", "ul", id="empty-list"),
    pytest.param("<table class='gl_list'></table>", "table", id="empty-trs-table"),
    pytest.param("<div class='lb'></div>", "div", id="pinyin-lb"),
    pytest.param("<ul class='news-list'><li><a href='/a.html'>关于开展检查的通知</a></li></ul>", None, id="has-items"),
    pytest.param("<ul class='menu'></ul>", None, id="not-named-like-a-list"),
    pytest.param("<div class='footer'><ul class='link-list'></ul></div>", None, id="in-footer"),
    pytest.param("<div class='related'><ul class='news-list'></ul></div>", None, id="in-related-box"),
    pytest.param("<ul class='news-list' v-if='ok'></ul>", None, id="template-branch"),
])
def test_empty_container(body, found):
    el = _empty_container(parse_html(page(body)))
    assert (el.tag if el is not None else None) == found


# --- the state -------------------------------------------------------------------------------

def test_placeholder_暂无信息_is_empty():
    state, note = Read("<div class='main'><div class='list'><ul class='news-list'><li class='no-data'>暂无信息</li>"
                       "</ul></div></div>").state()
    assert state == EMPTY
    assert "暂无信息" in note


def test_script_filled_container_is_unverifiable_not_empty():
    # "暂无数据" is what the box shows until the script's data arrives.
    state, note = Read("<div class='main'><div id='listBox' class='list'><p class='tip'>暂无数据</p></div></div>"
                       "<script>$.getJSON('/api/notice/list?page=1', function (d) {"
                       " document.getElementById('listBox').innerHTML = d.list.join(''); });</script>").state()
    assert state == UNVERIFIABLE
    assert "暂无数据" in note


def test_empty_container_beside_a_data_call_is_unverifiable():
    state, _ = Read("<div class='main'><ul class='news-list'></ul></div>"
                    "<script>fetch('/api/list?page=1').then(r => r.json()).then(d => render(d.rows))</script>").state()
    assert state == UNVERIFIABLE


def test_empty_container_without_script_is_empty():
    assert Read("<div class='main'><h2>人事信息</h2><ul class='news-list'></ul></div>").state()[0] == EMPTY


def test_list_loader_is_unverifiable():
    state, note = Read("<div id='764752'></div><script src='/module/web/jpage/jpage.js'></script>").state()
    assert state == UNVERIFIABLE and "jpage" in note


@pytest.mark.parametrize("raw_total,hanweb_records,state", [
    pytest.param("", 0, EMPTY, id="empty-recordset"),
    pytest.param("<script>var totalRecord = 0;</script>", 0, EMPTY, id="empty-recordset-total-zero"),
    pytest.param("<script>$('#1').jpage({totalRecord: 12, perPage: 15})</script>", 0, UNVERIFIABLE,
                 id="empty-recordset-but-records-announced"),
])
def test_hanweb_recordset_state(raw_total, hanweb_records, state):
    assert Read(f"<div class='list'></div>{raw_total}").state(hanweb_records)[0] == state


def test_hot_box_placeholder_says_nothing_about_the_column():
    # A 热点 box beside the column (the dated group listpage set aside) with its own empty tab.
    body = ("<div class='main'><h2>通知公告</h2><p>本栏目信息正在整理。</p></div><div class='side'><div class='box'><h3>热点信息</h3>"
            "<ul><li><a href='/a/1.html'>县委常委会召开会议研究部署冬季工作</a><span>2026-11-20</span></li>"
            "<li><a href='/a/2.html'>我县举办招商引资推介会</a><span>2026-11-12</span></li>"
            "<li>暂无更多</li><li>暂无信息</li></ul></div></div>")
    page = Read(body)
    assert page.best is not None and page.best.penalized
    assert page.state() is None


def test_navigation_page_has_no_list_state():
    body = ("<div class='main'><ul><li><a href='/zwgk/zn/'>政府信息公开指南</a></li>"
            "<li><a href='/zwgk/zd/'>政府信息公开制度</a></li></ul></div>")
    assert Read(body).state() is None


# --- a list in a frame ----------------------------------------------------------------------

@pytest.mark.parametrize("body, state", [
    # the column's main area is a frame: what it lists was not read
    ("<div class='main'><iframe src='/col/gzdt/list.html' width='100%' height='1200'></iframe></div>", UNVERIFIABLE),
    ("<frameset cols='20%,80%'><frame src='menu.html'><frame src='list.html'></frameset>", UNVERIFIABLE),
    # a map, a video or a widget in a page without a list says nothing of a list
    ("<div class='content'><p>办公地址：人民路1号</p><iframe src='https://map.baidu.com/?x=1'></iframe></div>", None),
    ("<div class='content'><iframe src='/player/video.html?id=3'></iframe></div>", None),
    ("<div class='content'><iframe src=''></iframe><p>主要职责：负责全县教育工作。</p></div>", None),
])
def test_a_list_in_a_frame_is_unverifiable_not_missing(body, state):
    got = Read(body).state()
    assert (got[0] if got else None) == state, got


# --- a soft 404 inside the site's template ----------------------------------------------------

_NAV = "<ul class='nav'>" + "".join(f"<li><a href='/col/{i}/'>栏目{i}</a></li>" for i in range(20)) + "</ul>"


@pytest.mark.parametrize("body, state", [
    (_NAV + "<div class='main'><div class='error'><h2>对不起，您访问的页面不存在！</h2><a href='/'>返回首页</a></div></div>",
     UNVERIFIABLE),
    (_NAV + "<div class='main'><p>该信息已被删除</p></div>", UNVERIFIABLE),
    # a column that says it has nothing yet is empty, as before
    (_NAV + "<div class='main'><ul class='list'></ul><p>暂无信息</p></div>", EMPTY),
    # a page of text that names the reply 信息不存在 or mentions a deleted page is read
    (_NAV + "<div class='main'><table><tr><td>答复类型</td><td>信息不存在</td></tr></table>"
     + "<p>申请人可以通过信函、传真、网络或者当面提交申请，行政机关收到申请后应当在二十个工作日内予以答复。</p>" * 5
     + "<p>页面已删除的信息不再公开。</p></div>", None),
    (_NAV + "<div class='main'><p>链接失效或页面不存在时请联系我们</p>"
     + "<p>本机关政府信息公开工作由办公室负责，申请人可以通过信函、传真、网络或者当面提交申请，行政机关收到申请后应当在"
       "二十个工作日内予以答复；需要延长答复期限的，应当经政府信息公开工作机构负责人同意并告知申请人。</p>" * 3
     + "</div>", None),
])
def test_a_page_that_says_it_is_not_there_is_not_read(body, state):
    got = Read(body).state()
    assert (got[0] if got else None) == state, got
