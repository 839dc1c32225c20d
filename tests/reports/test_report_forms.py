"""One set of facts in every form (issue 9): a real period judged from a crawl history,
rendered in every registered format, read back from each file, and compared.

The period has a veto (a unit that scores 100 on deductions and is still 不合格), a
problem that came back (复发), one past its deadline (逾期), a waiver, a crawl that did
not finish and no crawl of its own week (本期未检查…), so every fact a form could get
wrong is there to get wrong.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime, timezone

import pytest
from bs4 import BeautifulSoup
from docx import Document
from openpyxl import load_workbook

from jobs import period_report, write_reports
from reports import FORMATS, build_period, render_bytes
from reports.model import unit_slug
from reports.renderers.chat import chat_parts
from reports.renderers.png import picture_of
from report_exports import export, finding, has_cjk_font, unit as export_unit
from rules.registry import RULE_KINDS
from store import Store
from timeline import crawl, judged, unit

W1, W2, W3, AS_OF = date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27)
WAIVER = {"unit": "丁局", "rule": "column_stale", "column": "工作动态", "reason": "栏目整合中",
          "from": date(2026, 11, 1), "until": date(2026, 12, 31)}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def history(store: Store) -> None:
    """Three finished weekly crawls, then a failed one in the report's own week:

        甲局  site down from W3                  site_unreachable: a veto, score still 100
        乙局  工作动态 stale since W1            column_stale: open, deadline 11-20 passed (逾期)
        丙局  人事信息 empty W1, fixed W2, empty W3   column_empty: 复发 1 次
        丁局  工作动态 stale, waived             column_stale: 已豁免
        戊局  nothing wrong
        己局  an anti-bot challenge every week   site_blocked: nothing checked, 待核验, no score
    """
    for day in (W1, W2, W3):
        fresh = day.isoformat()
        crawl(store, day, {
            "甲局": unit({"工作动态": fresh, "通知公告": fresh}, reachable=day != W3),
            "乙局": unit({"工作动态": "2026-09-01", "通知公告": fresh}),
            "丙局": unit({"工作动态": fresh, "通知公告": fresh, "人事信息": "2026-11-12" if day == W2 else "empty"}),
            "丁局": unit({"工作动态": "2026-09-01", "通知公告": fresh}),
            "戊局": unit({"工作动态": fresh, "通知公告": fresh}),
            "己局": unit(blocked=True),
        })
    crawl(store, AS_OF, {"戊局": unit()}, status="failed", note="本机网络故障")


@pytest.fixture(scope="module")
def judgement(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("forms") / "govfresh.db") as store:
        history(store)
        return judged(store, AS_OF, waivers=(WAIVER,))


@pytest.fixture(scope="module")
def period(judgement):
    return period_report(judgement, "week")


def test_the_period_has_every_fact_a_form_could_get_wrong(period):
    states = {(u.name, f.rule): f for u in period.units for f in u.findings}
    assert states["甲局", "site_unreachable"].is_veto
    jia = next(u for u in period.units if u.name == "甲局")
    assert (jia.score, jia.verdict, jia.vetoed) == (100.0, "不合格", True)
    assert states["乙局", "column_stale"].overdue
    assert states["丙局", "column_empty"].recurrences == 1
    assert states["丁局", "column_stale"].state == "waived"
    assert period.data_note.startswith("本期未检查，数据截至2026-11-20")
    assert period.data_source == "2026-11-20 09:05 完成的检查"
    assert any("本机网络故障" in note for note in period.notes)
    assert period.deadline == states["甲局", "site_unreachable"].deadline == date(2026, 12, 4)


# ---- reading each form back ------------------------------------------------------------

def deadlines_from_html(data: bytes) -> dict:
    page = BeautifulSoup(data.decode("utf-8"), "lxml")
    out, unit_name = {}, None
    for tr in page.select(".problems tbody tr"):
        cells = tr.find_all("td")
        if "unit" in (cells[0].get("class") or []):
            unit_name = cells[0].find(string=True, recursive=True).strip()
            cells = cells[1:]
        kind = cells[1].find(string=True).strip()
        out[unit_name, kind] = ISO.search(cells[-1].get_text().split("整改期限")[1]).group()
    return out


def ranking_from_html(data: bytes) -> list:
    page = BeautifulSoup(data.decode("utf-8"), "lxml")
    return [(int(tr.find_all("td")[0].get_text()), tr.find_all("td")[1].get_text())
            for tr in page.select(".ranking tbody tr")]


def deadlines_from_text(text: str, unit_line: str, problem_line: str) -> dict:
    """(unit, 问题类型) → 整改期限 from a text form: a unit's heading, each problem's first
    line, and the 状态 line that carries its deadline."""
    out, unit_name, kind = {}, None, None
    for line in text.splitlines():
        if m := re.match(unit_line, line):
            unit_name = m.group(1)
        elif m := re.match(problem_line, line):
            kind = m.group(1)
        elif "状态：" in line and "整改期限" in line:
            out[unit_name, kind] = ISO.search(line.split("整改期限")[1]).group()
    return out


def deadlines_from_md(text: str) -> dict:
    return deadlines_from_text(text, r"### \d+\. (.+?)（问题", r"\d+\. 【.+?】(.+?)：")


def ranking_from_md(text: str) -> list:
    rows = re.findall(r"^\| (\d+) \| (.+?) \| (.+?) \|", text, re.M)
    return [(int(rank), name) for rank, name, _ in rows]


def deadlines_from_xlsx(data: bytes) -> dict:
    ws = load_workbook(io.BytesIO(data))["问题清单"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "序号")
    names = [c.value for c in ws[header]]
    rows = [dict(zip(names, (c.value for c in row))) for row in ws.iter_rows(min_row=header + 1)]
    return {(r["单位"], r["问题类型"]): r["整改时限"].date().isoformat() for r in rows if isinstance(r["序号"], int)}


def ranking_from_xlsx(data: bytes) -> list:
    ws = load_workbook(io.BytesIO(data))["汇总"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "排名")
    return [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(header + 1, ws.max_row + 1)
            if isinstance(ws.cell(r, 1).value, int)]


def docx_paragraphs_and_tables(data: bytes):
    doc = Document(io.BytesIO(data))
    return [p.text for p in doc.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def deadlines_from_docx(data: bytes) -> dict:
    paragraphs, tables = docx_paragraphs_and_tables(data)
    units = [m.group(1) for p in paragraphs if (m := re.match(r"（[一二三四五六七八九十]+）(.+?)（问题", p))]
    out = {}
    for name, table in zip(units, tables[1:]):
        header = table[0]
        for row in table[1:]:
            out[name, row[header.index("问题类型")]] = row[header.index("整改期限")]
    return out


def ranking_from_docx(data: bytes) -> list:
    _, tables = docx_paragraphs_and_tables(data)
    return [(int(row[0]), row[1]) for row in tables[0][1:]]


def deadlines_from_chat(text: str) -> dict:
    return deadlines_from_text(text, r"[一二三四五六七八九十]+、(.+?)（问题", r"\d+\.【.+?】(.+?)：")


def ranking_from_chat(text: str) -> list:
    block = text.split("得分排名")[1]
    return [(int(rank), name) for rank, name in re.findall(r"^(\d+)\. (\S+) ", block, re.M)]


def expected_deadlines(report) -> dict:
    return {(u.name, f.problem_type): f.deadline.isoformat() for u in report.units_with_problems for f in u.problems}


def expected_ranking(report) -> list:
    return [(rank, u.name) for rank, u in report.places]


def test_every_form_gives_each_problem_the_same_deadline_and_ranks_in_the_same_order(period):
    deadlines, ranking = expected_deadlines(period), expected_ranking(period)
    assert len(deadlines) == 4 and len(set(deadlines.values())) == 2     # an old deadline and this week's
    assert ranking[-1] == (6, "甲局")                                     # 100 on deductions, vetoed: last
    assert ranking[-2] == (5, "己局")                                     # not checked: after the scored
    assert ranking[:2] == [(1, "丁局"), (1, "戊局")]                      # equal standing, one place

    html = render_bytes(period, "html")
    md = render_bytes(period, "md").decode("utf-8")
    xlsx = render_bytes(period, "xlsx")
    docx = render_bytes(period, "docx")
    chat = render_bytes(period, "chat").decode("utf-8")
    read = {
        "html": (deadlines_from_html(html), ranking_from_html(html)),
        "md": (deadlines_from_md(md), ranking_from_md(md)),
        "xlsx": (deadlines_from_xlsx(xlsx), ranking_from_xlsx(xlsx)),
        "docx": (deadlines_from_docx(docx), ranking_from_docx(docx)),
        "chat": (deadlines_from_chat(chat), ranking_from_chat(chat)),
    }
    worst_first = [u.name for u in period.units_with_problems]
    assert worst_first[0] == "甲局"
    for fmt, (form_deadlines, form_ranking) in read.items():
        assert form_deadlines == deadlines, fmt
        assert form_ranking == ranking, fmt
        # units with problems are listed worst first, the ranking turned round
        assert list(dict.fromkeys(name for name, _ in form_deadlines)) == worst_first, fmt

    place = dict((name, rank) for rank, name in ranking)
    picture = picture_of(period)
    assert [(int(r[0]), r[1]) for r in picture.rows] == [(place[name], name) for name in worst_first]
    assert picture.rows[0][3] == "单项否决"
    assert f"本次检查（2026-11-20）新发现问题整改期限：{period.deadline.isoformat()}" in "\n".join(picture.subtitle)


def test_the_notice_asks_for_the_deadline_the_lists_give(period):
    paragraphs, _ = docx_paragraphs_and_tables(render_bytes(period, "docx"))
    body = "".join(paragraphs)
    deadline = period.deadline
    assert f"2026年11月20日检查新发现的问题于{deadline.year}年{deadline.month}月{deadline.day}日前完成整改" in body
    new_this_crawl = {f.deadline for u in period.units for f in u.problems if f.first_seen == W3}
    assert new_this_crawl == {deadline}


def form_texts(report) -> dict[str, str]:
    """Every format as the text a reader sees, top to bottom."""
    texts = {}
    for fmt in sorted(FORMATS):
        if fmt == "png":
            if not has_cjk_font():
                continue
            picture = picture_of(report)
            texts[fmt] = "\n".join([picture.title, picture.warning or "", *picture.subtitle, *picture.header,
                                    *("\t".join(r) for r in picture.rows), *picture.notes])
            continue
        data = render_bytes(report, fmt)
        if fmt == "html":
            texts[fmt] = BeautifulSoup(data.decode("utf-8"), "lxml").get_text("\n")
        elif fmt == "xlsx":
            wb = load_workbook(io.BytesIO(data))
            texts[fmt] = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row
                                   if c.value is not None)
        elif fmt == "docx":
            paragraphs, tables = docx_paragraphs_and_tables(data)
            texts[fmt] = "\n".join(paragraphs + ["\t".join(row) for t in tables for row in t])
        else:
            texts[fmt] = data.decode("utf-8")
    return texts


def test_every_form_says_how_old_its_data_is_and_names_its_crawl(period):
    for fmt, text in form_texts(period).items():
        assert period.data_note in text, fmt
        first_problem = text.find("栏目更新不及时")
        assert -1 < text.find(period.data_note) < first_problem, f"{fmt}: the data note is not at the top"
        assert period.data_source in text, fmt
        for note in period.notes:
            assert note in text, (fmt, note)


def test_every_form_shows_recurrence_overdue_and_the_veto(period):
    for fmt, text in form_texts(period).items():
        if fmt != "png":          # the picture has no per-problem rows, only each unit's standing
            assert "复发1次" in text, fmt
            assert "逾期" in text, fmt
        assert "单项否决" in text, fmt
        assert "100.0，不合格" not in text and "100，不合格" not in text, fmt


def test_every_form_shows_a_unit_that_could_not_be_checked_without_a_score_or_a_pass(period):
    (ji,) = [u for u in period.units if u.name == "己局"]
    assert (ji.score, ji.verdict, ji.score_label, ji.verdict_text) == (None, "待核验", None, "待核验")
    for fmt, text in form_texts(period).items():
        if fmt != "png":             # the picture shows each unit's standing, not its verdict
            assert "待核验" in text, fmt
        assert "100.0，合格" not in text, fmt
    page = BeautifulSoup(render_bytes(period, "html").decode("utf-8"), "lxml")
    (row,) = [tr for tr in page.select(".ranking tbody tr") if tr.find_all("td")[1].get_text() == "己局"]
    cells = row.find_all("td")
    assert [c.get_text() for c in cells[:4]] == ["5", "己局", "—", "待核验"]
    assert "verdict-pass" not in str(row)           # not shown in 合格's colour either
    md = render_bytes(period, "md").decode("utf-8")
    assert "| 5 | 己局 | — | 待核验 |" in md
    assert re.search(r"^5\. 己局 — 待核验$", render_bytes(period, "chat").decode("utf-8"), re.M)
    ws = load_workbook(io.BytesIO(render_bytes(period, "xlsx")))["汇总"]
    (row,) = [r for r in ws.iter_rows(values_only=True) if r[1] == "己局"]
    assert row[0] == 5 and "待核验" in row and 100 not in row and 100.0 not in row
    _, tables = docx_paragraphs_and_tables(render_bytes(period, "docx"))
    (cells,) = [r for r in tables[0] if r[1] == "己局"]
    assert "待核验" in cells and not any(c.startswith("100") for c in cells)


# ---- every rule's Chinese name in every form ------------------------------------------------

@pytest.mark.parametrize("rule", sorted(RULE_KINDS))
def test_every_rule_is_named_in_chinese_in_every_form(rule):
    """Each registered rule kind, as an open and a rectified finding, through every format:
    its 问题类型 appears (in the findings and the 按问题类型 summary) and its id never does."""
    label = RULE_KINDS[rule].label
    data = export(export_unit("清河县教育局",
                       finding(rule, "deduction", column="人事信息", message="见问题类型", url="http://x.gov.cn/a/",
                               state="open", first_seen="2026-11-13", deadline="2026-11-27"),
                       finding(rule, "deduction", column="通知公告", message="见问题类型", url="http://x.gov.cn/b/",
                               state="rectified", first_seen="2026-11-06", deadline="2026-11-20")),
                  export_unit("清河县民政局"))
    report = build_period(data, "week")
    assert [r.problem_type for r in report.totals.by_rule] == [label]
    texts = form_texts(report)
    assert set(texts) == set(FORMATS) - ({"png"} if not has_cjk_font() else set())
    for fmt, text in texts.items():
        assert label in text, fmt
        assert rule not in text, fmt
    for fmt in ("html", "md"):             # not even hidden in markup
        assert rule not in render_bytes(report, fmt).decode("utf-8"), fmt


def test_the_delivered_notice_carries_the_same_text(period):
    from jobs import notice_for

    notice = notice_for(period, None)
    assert list(notice.parts) == chat_parts(period)
    for parts in (notice.parts, notice.markdown_parts):
        assert period.data_note in parts[0] and period.data_source in parts[0]
        text = "\n".join(parts)
        for deadline in expected_deadlines(period).values():
            assert f"整改期限 {deadline}" in text


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract not installed (optional OCR check)")
def test_the_picture_read_back_by_ocr_gives_the_same_deadline_and_places(period, tmp_path):
    """What a reader of the posted picture sees (OCR, about 4 s): the data note above the table,
    the crawl's deadline, and the 名次 of the units worst first."""
    if not has_cjk_font() or "chi_sim" not in subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True).stdout:
        pytest.skip("needs a Chinese font and tesseract's chi_sim data")
    path = tmp_path / "table.png"
    path.write_bytes(render_bytes(period, "png"))
    text = subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim"], capture_output=True, text=True,
                          timeout=120).stdout.replace("：", ":")
    flat = re.sub(r"\s", "", text)
    assert f"整改期限:{period.deadline.isoformat()}" in flat
    assert -1 < flat.find("本期未检查，数据截至2026-11-20") < flat.find("名次")
    table = text[text.find("名次"):text.find("未发现问题")].splitlines()[1:]    # OCR may garble the rest of the line
    place = {name: rank for rank, name in expected_ranking(period)}
    assert [int(m.group(1)) for line in table if (m := re.match(r"(\d+)\s", line))] == [
        place[u.name] for u in period.units_with_problems]


def test_the_site_pages_say_the_same(period, judgement, tmp_path):
    """index.html ranks and scores as the period page; a unit's page words its verdict and
    states as the list does; both say how old the data is."""
    write_reports(period, judgement, ["html"], tmp_path)
    index = BeautifulSoup((tmp_path / "index.html").read_text(encoding="utf-8"), "lxml")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in index.select(".units tbody tr")]
    header = [th.get_text() for th in index.select(".units thead th")]
    place, score = header.index("名次"), header.index("得分")
    assert sorted((int(r[place]), r[0]) for r in rows) == expected_ranking(period)
    assert {r[0]: r[score] for r in rows}["甲局"] == "单项否决"
    jia = BeautifulSoup((tmp_path / "units" / f"{unit_slug('甲局')}.html").read_text(encoding="utf-8"), "lxml")
    bing = BeautifulSoup((tmp_path / "units" / f"{unit_slug('丙局')}.html").read_text(encoding="utf-8"), "lxml")
    assert "单项否决（站点无法访问），不合格" in jia.select_one(".summary").get_text()
    assert "未整改（复发1次，逾期）" in bing.select_one(".ledger").get_text()
    for page in (index, jia):
        assert page.select_one(".data-note").get_text() == period.data_note
        assert period.data_source in page.select_one(".meta").get_text()
        assert all(note in page.footer.get_text() for note in period.notes)


def test_a_crawl_run_later_for_an_earlier_date_says_both(tmp_path):
    # `govfresh crawl --crawl-date 2026-11-20` run on 11-30: the report of 11-20 must not show a
    # later time as if it were the check of that day.
    with Store(tmp_path / "late.db") as store:
        crawl(store, date(2026, 11, 20), {"教育局": unit({"工作动态": "2026-11-19"})},
              finished_at=datetime(2026, 11, 30, 13, 5, tzinfo=timezone.utc))
        period = period_report(judged(store, date(2026, 11, 20)), "week")
    assert period.data_source == "2026-11-20 的检查（实际于 2026-11-30 21:05 完成）"
