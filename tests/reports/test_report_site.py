"""The report folder as a static site: period pages with history, index.html, a page per unit."""
import json
import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reports.model import unit_slug
from reports.site import page_ref, parse_manifest, write_site
from report_exports import IMG_ONERROR, SCRIPT, export, finding, unit
from report_history import AS_OF, assert_well_formed, entry, five_weeks, week
from rules.ledger import to_rows
from store import Store

SLUG_FILE = re.compile(r"u-[0-9a-f]{16}\.html")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "govfresh.db") as s:
        s.save_ledger_rows(to_rows(five_weeks()))
        yield s


def export_on(day: date, scores=(90.0, 70.0)) -> dict:
    """The five-week ledger as the export of the week ending `day` states it."""
    rows = {"甲局": [], "乙局": []}
    for e in five_weeks():
        if e.first_seen > day:
            continue
        start = day.toordinal() - 6
        if e.rectified_at and e.rectified_at <= day:
            if e.rectified_at.toordinal() >= start:
                rows[e.unit].append(finding(e.rule, e.severity, column=e.column, state="rectified",
                                            first_seen=e.first_seen.isoformat()))
            continue
        rows[e.unit].append(finding(e.rule, e.severity, column=e.column,
                                    state="new" if e.first_seen.toordinal() >= start else "open",
                                    first_seen=e.first_seen.isoformat(), deadline=e.deadline.isoformat()))
    return export(unit("甲局", *rows["甲局"], score=scores[0], verdict="合格"),
                  unit("乙局", *rows["乙局"], score=scores[1], verdict="不合格"),
                  unit("丙局", score=100.0, verdict="合格"), as_of=day.isoformat())


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def three_weeks(store, out: Path) -> list[Path]:
    for n in (2, 1):
        write_site(store, "week", week(n), out, export=export_on(week(n), scores=(80.0 + n, 60.0 + n)))
    return write_site(store, "week", AS_OF, out, export=export_on(AS_OF))


def test_writes_the_period_page_the_index_and_a_page_per_unit(store, tmp_path):
    out = tmp_path / "out"
    paths = write_site(store, "week", AS_OF, out, export=export_on(AS_OF))
    names = [p.relative_to(out).as_posix() for p in paths]
    assert names[:2] == ["weekly-2026-11-27.html", "index.html"]
    assert sorted(names[2:]) == sorted(f"units/{unit_slug(n)}.html" for n in ("甲局", "乙局", "丙局"))
    assert (out / "periods.json").exists()
    page = soup(out / "weekly-2026-11-27.html")
    assert page.select_one(".compare") is not None and page.find("svg") is not None
    assert page.select_one(".nav a")["href"] == "index.html"
    unit_links = {a.get_text(): a["href"] for a in page.find_all("a") if a["href"].startswith("units/")}
    assert unit_links == {n: f"units/{unit_slug(n)}.html" for n in ("甲局", "乙局", "丙局")}


def test_other_formats_come_from_the_same_model(store, tmp_path):
    paths = write_site(store, "week", AS_OF, tmp_path, export=export_on(AS_OF), formats="md,html")
    assert [p.name for p in paths[:2]] == ["weekly-2026-11-27.html", "weekly-2026-11-27.md"]


def test_a_misspelt_format_writes_nothing(store, tmp_path):
    with pytest.raises(ValueError, match="unknown report format 'mdd'"):
        write_site(store, "week", AS_OF, tmp_path / "out", export=export_on(AS_OF), formats=["html", "mdd"])
    with pytest.raises(ValueError, match="format 'md' has no option 'x'"):
        write_site(store, "week", AS_OF, tmp_path / "out", export=export_on(AS_OF), formats=["md"],
                   options={"md": {"x": 1}})
    assert not (tmp_path / "out").exists()


def test_renderer_options_reach_the_other_formats(store, tmp_path):
    from docx import Document

    paths = write_site(store, "week", AS_OF, tmp_path, export=export_on(AS_OF), formats=["docx"],
                       options={"docx": {"doc_number": "清政务办〔2026〕12号"}})
    assert paths[1].name == "weekly-2026-11-27.docx"
    assert "清政务办〔2026〕12号" in "\n".join(p.text for p in Document(paths[1]).paragraphs)


def test_index_lists_periods_newest_first_with_their_totals(store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "weekly-2026-10-30.html").write_text("<p>written before periods.json</p>", encoding="utf-8")
    (out / "weekly-notes.html").write_text("not a period page", encoding="utf-8")
    write_site(store, "month", date(2026, 10, 31), out, export=export_on(date(2026, 10, 31)))
    three_weeks(store, out)
    index = soup(out / "index.html")
    weekly = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
              for tr in index.select(".weekly tbody tr")]
    assert [row[0] for row in weekly] == [
        "2026年11月21日—11月27日", "2026年11月14日—11月20日", "2026年11月7日—11月13日",
        "2026年10月24日—10月30日 （据整改台账统计）"]
    # 存在问题单位, 问题总数, 单项否决, 新发现, 已整改 as each page showed them
    assert [row[1:] for row in weekly] == [["2", "2", "2", "1", "1"], ["2", "2", "1", "0", "1"],
                                           ["2", "3", "1", "1", "0"], ["1", "1", "1", "1", "0"]]
    assert [a["href"] for a in index.select(".weekly tbody a")] == [
        "weekly-2026-11-27.html", "weekly-2026-11-20.html", "weekly-2026-11-13.html", "weekly-2026-10-30.html"]
    assert [a["href"] for a in index.select(".monthly tbody a")] == ["monthly-2026-10.html"]
    assert [a.get_text() for a in index.select(".units tbody a")] == ["乙局", "甲局", "丙局"]   # worst first


def test_unit_page_shows_its_ledger_and_its_periods(store, tmp_path):
    out = tmp_path / "out"
    three_weeks(store, out)
    page = soup(out / "units" / f"{unit_slug('甲局')}.html")
    assert page.title.get_text() == "甲局政府信息公开问题台账"
    ledger = page.select_one(".ledger table")
    assert [th.get_text() for th in ledger.thead.find_all("th")] == [
        "问题类型", "栏目", "问题描述", "首次发现", "整改期限", "状态", "整改日期"]
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in ledger.tbody.find_all("tr")]
    assert [(r[0], r[1], r[3], r[5], r[6]) for r in rows] == [
        ("栏目更新不及时 单项否决", "工作动态", "2026-10-30", "未整改 已超期", "—"),
        ("空白栏目 扣分", "人事信息", "2026-11-06", "已整改", "2026-11-20"),
    ]
    periods = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
               for tr in page.select(".periods tbody tr")]
    # 检查期间, 问题数, 新发现, 已整改, 得分 (from each week's page), 结论 — newest first
    assert periods[:3] == [["2026年11月21日—11月27日", "1", "0", "0", "90.0", "合格"],
                           ["2026年11月14日—11月20日", "1", "0", "1", "81.0", "合格"],
                           ["2026年11月7日—11月13日", "2", "0", "0", "82.0", "合格"]]
    assert periods[-1][0] == "2026年10月24日—10月30日" and periods[-1][4] == "—"   # no page, no score
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
        store.save_ledger_rows(to_rows([entry(n, first_seen=week(1), column=f"栏目<b onmouseover=alert(1)>{i}",
                                 message=f"{SCRIPT}{i}") for i, n in enumerate(HOSTILE_UNITS)]))
        data = export(*[unit(n, finding(column=f"栏目<b onmouseover=alert(1)>{i}", state="open"))
                        for i, n in enumerate(HOSTILE_UNITS)])
        paths = write_site(store, "week", AS_OF, out, export=data)
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
    assert f"{SCRIPT}2" in page.select_one(".ledger").get_text()
    assert "栏目<b onmouseover=alert(1)>2" in page.select_one(".ledger").get_text()


def test_a_broken_or_hostile_periods_json_is_ignored(store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "periods.json").write_text("{not json", encoding="utf-8")
    write_site(store, "week", AS_OF, out, export=export_on(AS_OF))
    assert "weekly-2026-11-27" in json.loads((out / "periods.json").read_text(encoding="utf-8"))["periods"]
    hostile = {"version": 1, "periods": {
        "../../x": {"period": "week", "totals": {}},
        "weekly-2026-11-20": {"period": "month", "totals": {}},
        "weekly-2026-11-13": {"period": "week", "totals": {"units_with_problems": "2<script>",
                                                           "problem_count": 1, "veto_count": 0,
                                                           "rectified_count": 0}},
        "weekly-2026-11-06": {"period": "week", "totals": {"units_with_problems": 1, "problem_count": 1,
                                                           "veto_count": 0, "rectified_count": 0},
                              "units": [{"name": SCRIPT, "score": "<b>", "verdict": ["x"]}, "junk"]}}}
    records = parse_manifest(hostile)
    assert list(records) == ["weekly-2026-11-06"]
    assert records["weekly-2026-11-06"]["units"] == {SCRIPT: {"score": None, "verdict": None}}
    assert parse_manifest([1, 2]) == {} and parse_manifest({"version": 99, "periods": {}}) == {}


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


def test_write_site_judges_the_database_when_no_export_is_given(tmp_path):
    db = tmp_path / "empty.db"
    Store(db).close()
    paths = write_site(db, "week", AS_OF, tmp_path / "out")
    assert [p.name for p in paths] == ["weekly-2026-11-27.html", "index.html"]
    assert "本期未发现问题" in soup(paths[0]).get_text()
