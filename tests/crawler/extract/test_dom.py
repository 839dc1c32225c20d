"""dom.py: the tree, URL and text helpers every list-page module stands on."""
from datetime import date
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings, strategies as st

from crawler.extract import dom
from crawler.extract.dom import (MAX_URL, Page, Texts, TooDeep, _attr_text, _clean, _strings, _tokens, join_url,
                                 parse_html, script_blocks, text_of)
from crawler.extract.links import discover_columns, extract_links
from crawler.extract.listpage import extract_list

URL = "https://www.example.gov.cn/xxgk/index.html"
CRAWL = date(2026, 11, 27)


# --- parse_html ----------------------------------------------------------------------------

def test_absurdly_deep_page_is_refused_with_a_reason():
    # 300 unclosed <div>: deeper than libxml2 allows and than any real page.
    with pytest.raises(TooDeep, match="256"):
        parse_html("<div>" * 300 + "x")


def test_deep_but_plausible_page_parses():
    doc = parse_html("<div>" * 200 + "<a href='/a.html'>关于开展冬季消防检查的通知</a>")
    assert doc.find(".//a").get("href") == "/a.html"


# --- one tree per response ------------------------------------------------------------------

_DISCLOSURE = ("<html><body><ul class='nav'><li><a href='/xxgk/tzgg/index.html'>通知公告</a></li>"
               "<li><a href='/xxgk/zcwj/index.html'>政策文件</a></li></ul><ul class='list'>"
               + "".join(f"<li><a href='/xxgk/tzgg/t2026110{k}_{k}.html'>关于做好第{k}批次冬季安全生产工作的通知</a>"
                         f"<span>2026-11-0{k}</span></li>" for k in range(1, 6)) + "</ul></body></html>")


def test_every_reader_of_a_response_walks_one_parse(monkeypatch):
    parses = []
    monkeypatch.setattr(dom, "parse_html", lambda html: parses.append(html) or parse_html(html))
    page = Page(_DISCLOSURE)
    listed = extract_list(page, URL, CRAWL)
    columns = discover_columns(page, URL, {"www.example.gov.cn"})
    links = extract_links(page, URL)
    assert len(parses) == 1
    assert listed.newest_date == date(2026, 11, 5)
    assert {c.text for c in columns} == {"通知公告", "政策文件"}
    assert len(links) == 7


def test_a_list_read_from_a_comment_gives_no_links_to_the_next_reader():
    # The list reader opens a list kept in a comment; a link checker reading the same
    # response after it must still see the page as served (commented links are not links).
    html = ("<html><body><div class='zfxxgk'><ul class='xxgklist'><!--\n"
            "<li><a href='/c1/202611/1.shtml'>关于开展课题结项工作的通知</a><b>2026-11-17</b></li>\n"
            "<li><a href='/c1/202611/2.shtml'>关于做好银龄讲学计划实施工作的通知</a><b>2026-11-05</b></li>\n"
            "--></ul></div><a href='/about.html'>关于我们</a></body></html>")
    page = Page(html)
    assert extract_list(page, URL, CRAWL).newest_date == date(2026, 11, 17)
    assert [l.url for l in extract_links(page, URL)] == ["https://www.example.gov.cn/about.html"]


# --- join_url ------------------------------------------------------------------------------

@pytest.mark.parametrize("base,href,expected", [
    pytest.param("https://x.gov.cn/col/tzgg/index.html", "./202611/t20261120_1.html",
                 "https://x.gov.cn/col/tzgg/202611/t20261120_1.html", id="trs-relative-article"),
    pytest.param("https://x.gov.cn/col/tzgg/index.html", "/art/2026/11/4/art_1_2.html",
                 "https://x.gov.cn/art/2026/11/4/art_1_2.html", id="hanweb-root-relative"),
    pytest.param("https://x.gov.cn/a/b/index.html", "../c.html", "https://x.gov.cn/a/c.html", id="parent-folder"),
    pytest.param("http://[::1", "a.html", "", id="broken-ipv6-base-is-no-address"),
    pytest.param("https://x.gov.cn/", "/" + "a" * MAX_URL, "", id="megabyte-href-is-no-address"),
])
def test_join_url(base, href, expected):
    assert join_url(base, href) == expected


_BASES = ["http://127.0.0.1/u1/xxgk/tzgg/index.html", "https://X.gov.cn/col/", "HTTP://x.gov.cn/a/b?q=1#top",
          "http://x.gov.cn", "http://x.gov.cn/", "http://x.gov.cn//a/b.html", "http://x.gov.cn/a/./b/c.html",
          "http://x.gov.cn/a/../c.html", "http://x.gov.cn/a;p/b;q", "http://u:p@x.gov.cn:8080/a/b",
          "http://[::1]/a/", "ftp://x.gov.cn/a/b", "mailto:x@x.gov.cn", "", "http://x.gov.cn/.a/b.html",
          "http://x.gov.cn/信息/公开/"]


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(_BASES), st.lists(st.sampled_from(
    ["./", "../", ".", "/", "//", "a", "B1", "中", "?", "#", ";", ":", " ", "\t", "%20", "&", "=", "-_~@", "\\"]),
    max_size=8).map("".join))
def test_join_url_resolves_every_href_as_urljoin_does(base, href):
    # Plain hrefs are joined without urljoin (for speed): always to the same address.
    try:
        expected = urljoin(base, href)
    except ValueError:
        expected = ""
    assert join_url(base, href) == expected


# --- script_blocks -------------------------------------------------------------------------

def test_script_blocks_give_attributes_and_body_of_each_closed_script():
    html = '<p>a</p><script type="text/xml">X</script><SCRIPT>y</script >z'
    blocks = list(script_blocks(html))
    assert [(attrs, body) for _, _, attrs, body in blocks] == [(' type="text/xml"', "X"), ("", "y")]
    start, end, _, _ = blocks[0]
    assert html[start:end] == '<script type="text/xml">X</script>'


def test_unclosed_script_ends_the_scan():
    # Everything after an unclosed <script> is script text to a browser: no later block exists.
    html = "<script>a</script><script>never closed <script>b</script>"
    assert [body for *_, body in script_blocks(html)] == ["a", "never closed <script>b"]
    assert list(script_blocks("<script>" * 10_000)) == []


# --- text helpers --------------------------------------------------------------------------

def test_attr_text_is_class_and_id_lowercased():
    div = parse_html('<div class="List  Box" id="Main1">x</div>').find(".//div")
    assert _attr_text(div) == "list box main1"
    assert _attr_text(parse_html("<p>x</p>").find(".//p")) == ""


@pytest.mark.parametrize("text,tokens", [
    ("list-box main_1", {"list", "box", "main", "1"}),
    ("gl_list  news", {"gl", "list", "news"}),
    ("", set()),
])
def test_tokens_split_class_words(text, tokens):
    assert _tokens(text) == tokens


def test_clean_folds_nbsp_and_runs_of_whitespace():
    assert _clean("\xa0 关于\n\t开展\xa0\xa0检查 ") == "关于 开展 检查"


@pytest.mark.parametrize("space", ["\u3000", "\u2003", "\u2028", "\x1c", "\x85", "\r\n"])
def test_clean_folds_every_kind_of_space(space):
    assert _clean(f"{space}关于{space}{space}开展 检查{space}") == "关于 开展 检查"


def test_clean_keeps_what_only_looks_empty():
    assert _clean("关于\u200b开展") == "关于\u200b开展"   # a zero-width space is no space


def test_only_shown_text_is_text():
    div = parse_html("<div><!--旧列表--><script>var a='脚本'</script><style>.x{}</style>"
                     "正文<b>加粗</b><template>模板</template></div>").find(".//div")
    assert list(_strings(div)) == ["正文", "加粗"]
    assert text_of(div) == "正文加粗"


def test_a_script_or_template_says_its_own_content():
    doc = parse_html("<script>var a='脚本'</script><template><a href='/x'>模板里的链接</a></template>")
    assert text_of(doc.find(".//script")) == "var a='脚本'"
    assert text_of(doc.find(".//template")) == "模板里的链接"
    assert text_of(doc.find(".//a")) == ""   # a link inside a template is not shown


def test_whitespace_between_tags_is_one_space_or_newline():
    div = parse_html("<div><b>一</b>  \n\t <b>二</b>   <b>三</b><pre>  </pre></div>").find(".//div")
    assert _strings(div) == ["一", "\n", "二", " ", "三", "  "]


@pytest.mark.parametrize("html", [
    pytest.param("<ul><li><a href='/a'>关于<b>开展</b>检查</a> <span>[11-20]</span></li>\n<li>二</li></ul>", id="list"),
    pytest.param("<div>前<pre> 保留  <b> 空白 </b> </pre>后<textarea>  文本 </textarea></div>", id="pre-textarea"),
    pytest.param("<div><!--注释-->正文<script>var a='脚本'</script>尾<style>.x{}</style><b>加粗</b></div>", id="script-style"),
    pytest.param("<div><template><p>模板<a href='/x'>链接</a></p></template><ruby>汉<rt>han</rt></ruby></div>",
                 id="template-ruby"),
    pytest.param("<p>头部</p></html><!--end--><div class='c'>正文<br>第二行</div>", id="after-html"),
])
def test_texts_read_once_say_what_each_element_says(html):
    doc = parse_html(html)
    texts = Texts(doc)
    for el in doc.iter():
        assert texts.strings(el) == _strings(el) and texts.text(el) == text_of(el), el.tag
        assert Texts().strings(el) == _strings(el) and Texts().text(el) == text_of(el), el.tag


def test_content_after_the_closing_html_tag_is_part_of_the_page():
    # govcn article pages close </html> before their body.
    doc = parse_html("<html><body><p>头部</p></body></html><!--end header--><div class='content'>正文</div>")
    assert text_of(doc.find(".//div")) == "正文"
