import re

import pytest
from bs4 import BeautifulSoup

from reports import build_period, render_bytes
from report_exports import FORMULA, IMG_ONERROR, MD_JS_LINK, SCRIPT, hostile_export, load


def html_of(data, period="week"):
    return render_bytes(build_period(data, period), "html").decode("utf-8")


def soup_of(data, period="week"):
    return BeautifulSoup(html_of(data, period), "lxml")


@pytest.fixture(scope="module")
def two_units():
    return soup_of(load("export_two_units.json"))


@pytest.fixture(scope="module")
def hostile():
    return soup_of(hostile_export())


def test_title_and_summary_come_first(two_units):
    assert two_units.title.string == "清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）"
    assert two_units.h1.get_text() == two_units.title.string
    stats = {li.contents[-1].strip(): li.find(class_="num").get_text()
             for li in two_units.select(".stats li")}
    assert stats == {"单位数": "2", "存在问题单位": "1", "问题总数": "3", "单项否决": "1", "无法访问": "0"}
    sections = [h2.get_text() for h2 in two_units.find_all("h2")]
    assert sections[0] == "一、总体情况" and sections[1] == "二、问题清单"


def test_problem_table_columns_and_rows(two_units):
    table = two_units.find("table")
    assert [th.get_text() for th in table.thead.find_all("th")] == [
        "单位", "栏目", "问题类型", "问题描述", "最新更新日期", "链接", "状态"]
    rows = table.tbody.find_all("tr")
    assert len(rows) == 3
    first = [td.get_text(" ", strip=True) for td in rows[0].find_all("td")]
    assert first[0].startswith("清河县教育局")
    assert first[1:3] == ["工作动态", "栏目更新不及时 单项否决"]
    assert first[4] == "2026-10-28"
    assert first[6].startswith("未整改")


def test_units_without_problems_listed_compactly(two_units):
    assert two_units.select_one(".clean-units").get_text() == "清河县文化和旅游局"
    assert "清河县文化和旅游局" not in two_units.find("table").get_text()


def test_month_page_has_the_month_title():
    assert soup_of(load("export_two_units.json"), "month").h1.get_text() == \
        "清河县政府信息公开检查月问题清单（2026年11月1日—11月27日）"


def test_page_is_self_contained_and_printable(two_units):
    text = html_of(load("export_two_units.json"))
    assert not two_units.find_all(["script", "link", "iframe", "object", "embed", "img"])
    assert not two_units.find_all(attrs={"src": True})
    css = two_units.style.get_text()
    assert "@page" in css and "A4" in css
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif' in css
    assert "url(" not in css and "@import" not in css
    assert two_units.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert text.startswith("<!DOCTYPE html>")


def test_links_open_safely(two_units):
    links = two_units.find_all("a")
    assert len(links) == 3
    for a in links:
        assert a["href"].startswith("http://")
        assert set(a["rel"]) == {"noopener", "noreferrer"}
        assert a.get_text() == a["href"]


def test_hostile_text_is_inert(hostile):
    assert not hostile.find_all(["script", "img", "b", "iframe"])
    for tag in hostile.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
    page_text = hostile.get_text()
    for payload in (SCRIPT, IMG_ONERROR, MD_JS_LINK, FORMULA):
        assert payload in page_text   # shown, as text, so staff see what the site says


def test_hostile_urls_are_never_links(hostile):
    hrefs = [a["href"] for a in hostile.find_all("a")]
    assert hrefs == ['http://ok.example/a b<c>"d']
    assert not any(re.match(r"\s*javascript:", h, re.I) for h in hrefs)
    assert "javascript:alert(1)" in hostile.find("table").get_text()   # as text


def test_no_problems_says_so():
    soup = soup_of({"as_of": "2026-11-27", "county": "清河县", "units": [{"name": "甲乡"}]})
    assert "本期未发现问题" in soup.select_one(".problems").get_text()
    assert soup.find("table") is None
