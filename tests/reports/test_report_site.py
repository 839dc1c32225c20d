"""The report folder as a static site: period pages with history, index.html, a page per unit."""
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from jobs import period_report, write_reports
from reports.model import unit_slug
from reports.site import page_ref
from report_exports import IMG_ONERROR, SCRIPT
from report_history import assert_well_formed
from store import Store
from timeline import AS_OF, crawl, five_weeks, judged, unit, week

SLUG_FILE = re.compile(r"u-[0-9a-f]{16}\.html")
@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "govfresh.db") as s:
        five_weeks(s)
        yield s


def write_site(store, period, as_of, out, formats=("html",), options=None):
    judgement = judged(store, as_of)
    report = period_report(judgement, period)
    return write_reports(report, judgement, list(formats), out, options, rejudge=lambda d: judged(store, d))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def three_weeks(store, out: Path) -> list[Path]:
    for n in (2, 1):
        write_site(store, "week", week(n), out)
    return write_site(store, "week", AS_OF, out)


def test_writes_the_period_page_the_index_and_a_page_per_unit(store, tmp_path):
    out = tmp_path / "out"
    paths = write_site(store, "week", AS_OF, out)
    names = [p.relative_to(out).as_posix() for p in paths]
    assert names[:2] == ["weekly-2026-11-27.html", "index.html"]
    assert sorted(names[2:]) == sorted(f"units/{unit_slug(n)}.html" for n in ("甲局", "乙局", "丙局"))
    page = soup(out / "weekly-2026-11-27.html")
    assert page.select_one(".compare") is not None and page.find("svg") is not None
    assert page.select_one(".nav a")["href"] == "index.html"
    unit_links = {a.get_text(): a["href"] for a in page.find_all("a") if a["href"].startswith("units/")}
    assert unit_links == {n: f"units/{unit_slug(n)}.html" for n in ("甲局", "乙局", "丙局")}


def test_other_formats_come_from_the_same_model(store, tmp_path):
    paths = write_site(store, "week", AS_OF, tmp_path, formats=["md", "html"])
    assert [p.name for p in paths[:2]] == ["weekly-2026-11-27.html", "weekly-2026-11-27.md"]


def test_a_misspelt_format_writes_nothing(store, tmp_path):
    with pytest.raises(ValueError, match="unknown report format 'mdd'"):
        write_site(store, "week", AS_OF, tmp_path / "out", formats=["html", "mdd"])
    with pytest.raises(ValueError, match="format 'md' has no option 'x'"):
        write_site(store, "week", AS_OF, tmp_path / "out", formats=["md"], options={"md": {"x": 1}})
    assert not (tmp_path / "out").exists()


def test_renderer_options_reach_the_other_formats(store, tmp_path):
    from docx import Document

    paths = write_site(store, "week", AS_OF, tmp_path, formats=["docx"],
                       options={"docx": {"doc_number": "清政务办〔2026〕12号"}})
    assert paths[0].name == "weekly-2026-11-27.docx"
    assert "清政务办〔2026〕12号" in "\n".join(p.text for p in Document(paths[0]).paragraphs)


def test_index_lists_periods_newest_first_with_their_totals(store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "weekly-2026-10-30.html").write_text("<p>an old page</p>", encoding="utf-8")
    (out / "weekly-notes.html").write_text("not a period page", encoding="utf-8")
    write_site(store, "month", date(2026, 10, 31), out)
    three_weeks(store, out)
    index = soup(out / "index.html")
    weekly = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
              for tr in index.select(".weekly tbody tr")]
    assert [row[0] for row in weekly] == [
        "2026年11月21日—11月27日", "2026年11月14日—11月20日", "2026年11月7日—11月13日", "2026年10月24日—10月30日"]
    # 存在问题单位, 问题总数, 单项否决, 新发现, 已整改: what each week's page shows
    assert [row[1:] for row in weekly] == [["2", "2", "0", "1", "1"], ["2", "2", "0", "0", "1"],
                                           ["2", "3", "0", "1", "0"], ["1", "1", "0", "1", "0"]]
    assert [a["href"] for a in index.select(".weekly tbody a")] == [
        "weekly-2026-11-27.html", "weekly-2026-11-20.html", "weekly-2026-11-13.html", "weekly-2026-10-30.html"]
    assert [a["href"] for a in index.select(".monthly tbody a")] == ["monthly-2026-10.html"]
    assert [a.get_text() for a in index.select(".units tbody a")] == ["乙局", "甲局", "丙局"]   # worst first


def test_the_index_says_the_same_whichever_week_was_rebuilt_last(store, tmp_path):
    out = tmp_path / "out"
    three_weeks(store, out)
    after_newest = (out / "index.html").read_text(encoding="utf-8")
    write_site(store, "week", week(2), out)                # a past week rebuilt after later ones
    rebuilt = soup(out / "index.html")
    assert [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in rebuilt.select(".weekly tbody tr")] \
        == [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in BeautifulSoup(after_newest, "lxml").select(".weekly tbody tr")]


def test_unit_page_shows_its_ledger_and_its_periods(store, tmp_path):
    out = tmp_path / "out"
    three_weeks(store, out)
    page = soup(out / "units" / f"{unit_slug('甲局')}.html")
    assert page.title.get_text() == "甲局政府信息公开问题台账"
    ledger = page.select_one(".ledger table")
    assert [th.get_text() for th in ledger.thead.find_all("th")] == [
        "问题类型", "栏目", "问题描述", "首次发现", "整改期限", "状态", "整改日期"]
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in ledger.tbody.find_all("tr")]
    assert [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("栏目更新不及时 扣分", "工作动态", "2026-10-30", "2026-11-13", "未整改（逾期）", "—"),
        ("空白栏目 扣分", "人事信息", "2026-11-06", "2026-11-20", "已整改", "2026-11-20"),
    ]
    periods = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
               for tr in page.select(".periods tbody tr")]
    # 检查期间, 问题数, 新发现, 已整改, 得分, 结论 — newest first, each as that week's page showed it
    assert periods == [["2026年11月21日—11月27日", "1", "0", "0", "98.0", "合格"],
                       ["2026年11月14日—11月20日", "1", "0", "1", "98.0", "合格"],
                       ["2026年11月7日—11月13日", "2", "0", "0", "96.0", "合格"],
                       ["2026年10月31日—11月6日", "2", "1", "0", "96.0", "合格"],
                       ["2026年10月24日—10月30日", "1", "1", "0", "98.0", "合格"]]
    assert page.select_one(".periods tbody tr")["class"] == ["current"]


def test_every_relative_link_resolves_inside_the_folder(store, tmp_path):
    out = tmp_path / "out"
    three_weeks(store, out)
    pages = [out / "index.html", out / "weekly-2026-11-27.html", *(out / "units").iterdir()]
    for path in pages:
        for a in soup(path).find_all("a"):
            href = a["href"]
            if href.startswith("http"):
                continue
            target = (path.parent / href).resolve()
            assert target.is_file(), (path.name, href)
            assert target.is_relative_to(out.resolve())


def test_site_pages_are_self_contained_and_well_formed(store, tmp_path):
    out = tmp_path / "out"
    three_weeks(store, out)
    for path in [out / "index.html", *out.glob("weekly-*.html"), *(out / "units").iterdir()]:
        html = path.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        assert_well_formed(html)
        page = BeautifulSoup(html, "lxml")
        assert page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"].startswith(
            "default-src 'none'")
        assert not page.find_all(["script", "link", "iframe", "object", "embed", "img"])
        assert not page.find_all(attrs={"src": True})


HOSTILE_UNITS = ["../../etc/passwd", "a/b\\c", f"教育局{SCRIPT}", f"人社局{IMG_ONERROR}", "卫健局\x00.html",
                 "CON", "局" * 400]


def test_unit_pages_have_safe_names_and_escaped_text_for_any_unit_name(tmp_path):
    out = tmp_path / "out"
    with Store(tmp_path / "hostile.db") as store:
        for day in (week(1), AS_OF):
            crawl(store, day, {n: unit({f"工作动态<b onmouseover=alert(1)>{i}": "2026-01-01"})
                               for i, n in enumerate(HOSTILE_UNITS)})
        paths = write_site(store, "week", AS_OF, out)
    everything = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    unit_files = [p for p in paths if p.parent.name == "units"]
    assert len(unit_files) == len(HOSTILE_UNITS)
    for path in unit_files:
        assert path.parent == out / "units" and SLUG_FILE.fullmatch(path.name)
    assert all(p.startswith("out/") or p.startswith("hostile.db") for p in everything)
    for path in [out / "index.html", out / "weekly-2026-11-27.html", *unit_files]:
        html = path.read_text(encoding="utf-8")
        assert_well_formed(html)
        page = BeautifulSoup(html, "lxml")
        assert not page.find_all(["script", "img", "b"])
        for tag in page.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (path.name, tag)
    page = soup(out / "units" / f"{unit_slug(f'教育局{SCRIPT}')}.html")
    assert page.h1.get_text() == f"教育局{SCRIPT}政府信息公开问题台账"
    assert "工作动态<b onmouseover=alert(1)>2" in page.select_one(".ledger").get_text()


@pytest.mark.parametrize("name, expected", [
    ("weekly-2026-11-27.html", ("week", date(2026, 11, 21), date(2026, 11, 27))),
    ("monthly-2026-02.html", ("month", date(2026, 2, 1), date(2026, 2, 28))),
    ("weekly-2026-02-30.html", None),
    ("weekly-2026-11-27.html.bak", None),
    ("index.html", None),
    ("../weekly-2026-11-27.html", None),
])
def test_period_pages_are_recognised_by_name_only(name, expected):
    ref = page_ref(name)
    assert (ref and (ref.period, ref.start, ref.end)) == expected


def test_a_database_without_crawls_gives_a_page_that_says_so(tmp_path):
    with Store(tmp_path / "empty.db") as store:
        paths = write_site(store, "week", AS_OF, tmp_path / "out")
    assert [p.name for p in paths] == ["weekly-2026-11-27.html", "index.html"]
    assert "尚无已完成的检查" in paths[0].read_text(encoding="utf-8")
