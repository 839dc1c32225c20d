"""dom.py: the tree, URL and text helpers every list-page module stands on."""
import pytest

from crawler.extract.dom import (MAX_URL, TooDeep, _attr_text, _clean, _is_text, _strings, _tokens, join_url,
                                 parse_html, script_blocks)


# --- parse_html ----------------------------------------------------------------------------

def test_absurdly_deep_page_is_refused_with_a_reason():
    # 300 unclosed <div>: deeper than libxml2 allows and than any real page.
    with pytest.raises(TooDeep, match="256"):
        parse_html("<div>" * 300 + "x")


def test_deep_but_plausible_page_parses():
    soup = parse_html("<div>" * 200 + "<a href='/a.html'>关于开展冬季消防检查的通知</a>")
    assert soup.find("a")["href"] == "/a.html"


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
    div = parse_html('<div class="List  Box" id="Main1">x</div>').div
    assert _attr_text(div) == "list box main1"
    assert _attr_text(parse_html("<p>x</p>").p) == ""


@pytest.mark.parametrize("text,tokens", [
    ("list-box main_1", {"list", "box", "main", "1"}),
    ("gl_list  news", {"gl", "list", "news"}),
    ("", set()),
])
def test_tokens_split_class_words(text, tokens):
    assert _tokens(text) == tokens


def test_clean_folds_nbsp_and_runs_of_whitespace():
    assert _clean("\xa0 关于\n\t开展\xa0\xa0检查 ") == "关于 开展 检查"


def test_only_shown_text_is_text():
    div = parse_html("<div><!--旧列表--><script>var a='脚本'</script><style>.x{}</style>"
                     "正文<b>加粗</b><template>模板</template></div>").div
    assert list(_strings(div)) == ["正文", "加粗"]
    assert [s for s in div.descendants if _is_text(s)] == ["正文", "加粗"]
