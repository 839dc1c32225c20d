"""Article dates (shown label first, never page-generation time) and readable text."""
from datetime import date
from pathlib import Path

import pytest

from crawler.extract.article import extract_article_date, extract_text
from crawler.extract.types import ArticleDate

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "extract"
REAL = REPO / ".." / "shared" / "corpus" / "real"


def _html(head: str, body: str) -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    "head,body,expected,source",
    [
        ("<meta name='PubDate' content='2026-11-26 09:36'>", "<div class='info'>发布时间：2026-11-20</div>",
         date(2026, 11, 20), "shown"),
        ("<meta name='PubDate' content='2026-11-26 09:36'>", "<p>正文没有日期标签。</p>", date(2026, 11, 26), "meta:PubDate"),
        ("<meta name='firstpublishedtime' content='2007-08-20-23:59:59'><meta name='others' content='页面生成时间 2023-10-23 11:23:36'>",
         "<p>正文</p>", date(2007, 8, 20), "meta:firstpublishedtime"),
        ("<meta name='HtmlGenerateTime' content='2026-11-27 10:00:00'>", "<p>没有任何日期</p>", None, None),
        ("", "<table><tr><td>成文日期：</td><td>2026-10-01</td><td>发布日期：</td><td>2026-10-09</td></tr></table>",
         date(2026, 10, 9), "shown"),
        ("", "<div class='top'>今天是2026年11月27日 星期五</div><p>日期：2026-11-02</p>", date(2026, 11, 2), "shown"),
        ("<meta name='PubDate' content='2025-03-27 09:36:38'><meta name='others' content='页面生成时间 2025-03-27 09:36:38'>",
         "<p>正文</p>", None, None),
    ],
    ids=["shown-beats-meta", "meta-pubdate", "firstpublishedtime-not-generation", "generation-time-never",
         "publication-not-written-date", "header-clock-ignored", "pubdate-copied-from-generation-stamp"],
)
def test_article_date_synthetic(head, body, expected, source):
    got = extract_article_date(_html(head, body), "https://x.gov.cn/a.html")
    assert got.date == expected
    assert got.source == source


def test_article_fixture_label_split_over_spans():
    got = extract_article_date((FIXTURES / "article_page.html").read_bytes(), "https://x.gov.cn/a.html")
    assert got.date == date(2026, 11, 20) and got.source == "shown"


def test_date_under_the_title_when_nothing_labels_it():
    # TRS trt column page: "(2024年03月23日)" under the title; header clock and footer stamp today.
    got = extract_article_date((FIXTURES / "article_date_under_title.html").read_bytes(), "https://x.gov.cn/zn/")
    assert got == ArticleDate(date(2024, 3, 23), "shown:under-title")


_TITLE = "<h1>关于开展冬季消防安全检查的通知</h1>"
_BODY = "<p>各乡镇、各部门：现将冬季消防安全检查有关事项通知如下，请认真抓好落实。</p>"


@pytest.mark.parametrize("head,body,expected,source", [
    ("", _TITLE + "<p>2024-03-23 16:23</p>" + _BODY, date(2024, 3, 23), "shown:under-title"),
    ("", _TITLE + "<div class='text'>" + _BODY + "<p>某某县应急管理局</p><p>2024年3月23日</p></div>",
     date(2024, 3, 23), "shown:line"),
    ("<meta name='PubDate' content='2024-03-25 10:00'>", _TITLE + "<p>(2024年03月23日)</p>" + _BODY,
     date(2024, 3, 25), "meta:PubDate"),
    ("", _TITLE + "<p>(2024年03月23日)</p><p>发布时间：2024-03-26</p>" + _BODY, date(2024, 3, 26), "shown"),
    ("", "<div class='hd'><span>今天是</span><span>2026年11月27日</span></div>" + _TITLE + _BODY, None, None),
    ("", _TITLE + _BODY + "<ul><li><a href='/a/1.html'>关于做好秋季防火工作的通知</a>(2026-11-20)</li></ul>"
                          "<p><a href='/a/2.html'>上一篇：防火工作部署会召开</a> 2026-11-18</p>", None, None),
    ("", _TITLE + _BODY + "<div class='ft'><p>主办：某某县人民政府 网站标识码：1234560001</p><p>2026年11月27日</p></div>",
     None, None),
    ("", _TITLE + _BODY + "<table><tr><td>2025年1月1日</td><td>实施</td></tr></table>", None, None),
], ids=["time-line-under-title", "signature-line", "meta-before-title-line", "label-before-title-line",
        "header-clock-split", "related-links-dates", "footer-stamp", "table-cell"])
def test_unlabelled_dates(head, body, expected, source):
    assert extract_article_date(_html(head, body), "https://x.gov.cn/a.html") == ArticleDate(expected, source)


def test_guide_text_fixture():
    text = extract_text((FIXTURES / "guide_fullwidth.html").read_bytes(), "https://x.gov.cn/zn.html")
    assert "办公地址：某某县人民路1号" in text            # spans joined without gaps
    assert "联系电话：0731-84011234" in text            # full-width digits folded
    assert "传真号码：0731-84011235" in text
    assert "zfxxgk@example.gov.cn" in text             # ＠ and ． folded
    assert "脚本里的文字" not in text and "color:red" not in text
    assert "页眉地址" not in text and "0731-00000000" not in text  # header and footer dropped


def test_text_kept_inside_layout_wrapper_named_top():
    body = _html("", "<div id='top'><div class='nav'><a href='/'>首页</a></div>"
                     "<div class='content'><p>办公地址：某某县人民路1号</p><p>联系电话：0731-84011234</p></div></div>")
    text = extract_text(body, "https://x.gov.cn/zn.html")
    assert "办公地址：某某县人民路1号" in text and "联系电话：0731-84011234" in text


def test_text_after_early_closed_body():
    # govcn trap: a stray </body></html> early; lxml puts the rest beside <body>.
    body = b"<html><head><meta charset='utf-8'></head><body><a href='/'>home</a></body></html>" \
           + "<div class='content'><p>办公时间：周一至周五</p></div>".encode()
    assert "办公时间：周一至周五" in extract_text(body, "https://x.gov.cn/zn.html")


@pytest.fixture
def real():
    if not REAL.is_dir():
        pytest.skip("shared real corpus not present")
    return REAL


@pytest.mark.parametrize(
    "file,expected",
    [
        ("gansu_fzgg_tzgg_article.html", date(2025, 2, 26)),     # not meta PubDate 2025-03-27
        ("govcn_gongbao_2007_23_article.html", date(2007, 8, 20)),  # not 页面生成时间 2023-10-23
        ("pingtan_zfxxgkzn_guide.html", date(2024, 3, 23)),      # not URL t20231104
        ("pingtan_dishuiju_2013_report.html", date(2014, 2, 25)),
    ],
    ids=["gansu-shown-date", "govcn-firstpublished", "pingtan-guide", "pingtan-report"],
)
def test_real_article_dates(real, file, expected):
    assert extract_article_date((real / file).read_bytes(), "https://example.gov.cn/a.html").date == expected


def test_real_guide_text(real):
    text = extract_text((real / "pingtan_zfxxgkzn_guide.html").read_bytes(), "https://www.pingtan.gov.cn/zn.htm")
    assert "通信地址：平潭综合实验区金井湾营运中心7号楼14层" in text
    assert "咨询电话：0591-23165385" in text
    assert "联系电话：0591-24337112" in text
    assert "pzxxgkb@163.com" in text
    assert "咨询时间：周一至周五" in text
    assert "require(" not in text and "avalon" not in text
    assert "传真" not in text  # the label says this guide has no fax


def test_real_report_text(real):
    text = extract_text((real / "pingtan_dishuiju_2013_report.html").read_bytes(), "https://www.pingtan.gov.cn/nb.htm")
    assert "2013年1月1日起至2013年12月31日止" in text.replace(" ", "")
    assert "45" in text


def test_template_tags_left_in_the_page_are_not_text():
    # A JSP template's header above the doctype (handan trap, and a 公开指南 directory page).
    body = ('<%--\n  Created by IntelliJ IDEA.\n  Date: 2020/8/10\n--%>\n'
            '<%@ page contentType="text/html;charset=UTF-8" language="java" %>\n').encode() + _html(
        "", "<div class='content'><p>办公地址：某某县人民路1号</p><p>联系电话：0731-84011234</p></div>")
    text = extract_text(body, "https://x.gov.cn/zn.html")
    assert "办公地址：某某县人民路1号" in text
    assert "<%" not in text and "@" not in text and "IntelliJ" not in text
