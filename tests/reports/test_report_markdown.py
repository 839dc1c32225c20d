import re

import pytest
from bs4 import BeautifulSoup

from reports import build_period, render_bytes
from reports.renderers.markdown import md_autolink, md_escape
from report_exports import hostile_export, load


def md_of(data, period="week"):
    return render_bytes(build_period(data, period), "md").decode("utf-8")


def rendered(markdown_text):
    """The HTML a permissive CommonMark renderer (raw HTML allowed) makes of it."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark", {"html": True})
    return BeautifulSoup(md.render(markdown_text), "lxml")


def test_title_summary_then_numbered_problems_per_unit():
    text = md_of(load("export_two_units.json"))
    lines = text.splitlines()
    assert lines[0] == "# 清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）"
    for item in ("- 单位数：2 个", "- 存在问题单位：1 个", "- 问题总数：3 个",
                 "- 单项否决：1 个", "- 无法访问：0 个"):
        assert item in lines
    assert lines.index("## 一、总体情况") < lines.index("## 二、问题清单")
    assert "### 1. 清河县教育局（问题 3 个，单项否决 1 个）" in lines
    problems = [l for l in lines if re.match(r"\d+\. ", l)]
    assert problems == [
        "1. 【单项否决】栏目更新不及时：工作动态栏目已 30 天未更新（最新信息 2026-10-28）",
        "2. 【扣分】空白栏目：人事信息栏目没有任何信息",
        "3. 【扣分】公开指南要素缺失：政府信息公开指南未写明办公时间",
    ]
    assert "    - 链接：<http://www.qinghe.gov.cn/jyj/xxgk/gzdt/>" in lines
    assert "- 清河县文化和旅游局" in lines


def test_markdown_renders_as_the_intended_structure():
    soup = rendered(md_of(load("export_two_units.json")))
    assert soup.h1.get_text().startswith("清河县政府信息公开检查周问题清单")
    assert len(soup.find("ol").find_all("li", recursive=False)) == 3
    assert [a["href"] for a in soup.find_all("a")] == [
        "http://www.qinghe.gov.cn/jyj/xxgk/gzdt/", "http://www.qinghe.gov.cn/jyj/xxgk/rsxx/",
        "http://www.qinghe.gov.cn/jyj/xxgk/zn/"]


def test_hostile_text_stays_text_when_rendered():
    soup = rendered(md_of(hostile_export()))
    assert not soup.find_all(["script", "img", "b", "iframe"])
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
    # the one http URL is the only link; javascript:, data: and text URLs are not
    assert [a["href"] for a in soup.find_all("a")] == ["http://ok.example/a%20b%3Cc%3E%22d"]
    text = soup.get_text()
    assert "<script>alert(1)</script>" in text and "[点此查看](javascript:alert(1))" in text
    assert '=HYPERLINK("http://evil","x")' in text
    # folded onto one line: no heading or list smuggled in by a newline
    assert [h.get_text() for h in soup.find_all(["h1", "h2", "h3"])][3:] == [
        "1. 清河县安全局（问题 3 个，单项否决 1 个）", "三、未发现问题的单位（0 个）"]


def test_hostile_source_has_no_raw_link_or_autolink_triggers():
    text = md_of(hostile_export())
    assert "](" not in text.replace("\\](", "")
    assert not re.search(r"(?<!\\)<(img|script|b )", text)
    # GFM would turn bare http://… / www.… into links; the renderer breaks them
    assert "http://evil" not in text and "www.evil" not in text
    assert "http\\://evil" in text and "www\\.evil" in text


@pytest.mark.parametrize("raw, escaped", [
    ("工作动态", "工作动态"),
    ("2026-10-28 09:30", "2026-10-28 09:30"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("![x](y)", "\\!\\[x\\](y)"),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
    ("a\\b", "a\\\\b"),
    ("*加粗* _斜体_ `代码` ~~删~~ a|b #1 &amp;", "\\*加粗\\* \\_斜体\\_ \\`代码\\` \\~\\~删\\~\\~ a\\|b \\#1 \\&amp;"),
    ("http://evil WWW.evil xxgk@qh.gov.cn", "http\\://evil WWW\\.evil xxgk\\@qh.gov.cn"),
], ids=["plain-chinese", "dates-and-times-untouched", "link", "image", "html", "backslash",
        "emphasis-code-table-heading-entity", "autolink-literals"])
def test_md_escape(raw, escaped):
    assert md_escape(raw) == escaped


def test_md_autolink_cannot_be_broken_out_of():
    assert md_autolink("http://x.gov.cn/a b>c<d") == "<http://x.gov.cn/a%20b%3Ec%3Cd>"
    assert md_autolink("http://x.gov.cn/政务") == "<http://x.gov.cn/%E6%94%BF%E5%8A%A1>"
    assert md_autolink(None) == ""
