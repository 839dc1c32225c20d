import io
import re
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from reports import build_period, render_bytes
from reports.renderers.xlsx import HEADERS, RANKING_HEADERS
from report_exports import (FORMULA, FORMULA_STARTS, JS_URL, export, finding, hostile_export, load,
                            states_export, unit)


def xlsx_of(data, period="week") -> bytes:
    return render_bytes(build_period(data, period), "xlsx")


def workbook(data, period="week"):
    return load_workbook(io.BytesIO(xlsx_of(data, period)))


def table(ws, header_row=2):
    """The data rows under a header row, as dicts keyed by the header."""
    headers = [c.value for c in ws[header_row]]
    return [dict(zip(headers, (c.value for c in row)))
            for row in ws.iter_rows(min_row=header_row + 1) if any(c.value is not None for c in row)]


def every_cell(wb):
    return [c for ws in wb for row in ws.iter_rows() for c in row]


def test_sheets_and_headers():
    wb = workbook(load("export_two_units.json"))
    assert wb.sheetnames == ["问题清单", "汇总", "已整改及豁免"]
    ws = wb["问题清单"]
    assert ws["A1"].value == "清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）"
    assert [c.value for c in ws[2]] == list(HEADERS)
    assert HEADERS[:3] == ("序号", "单位", "栏目") and HEADERS[-3:] == ("发现日期", "状态", "整改时限")
    for name in ("问题类型", "问题描述", "最新更新日期", "链接"):
        assert name in HEADERS


def test_one_row_per_open_finding_closed_ones_apart():
    wb = workbook(states_export())
    rows = table(wb["问题清单"])
    # open + new only, worst unit first: 教育局 2 (stale, empty), 城关镇 1 (unreachable)
    assert [(r["序号"], r["单位"], r["问题类型"], r["状态"]) for r in rows] == [
        (1, "清河县教育局", "栏目更新不及时", "未整改"),
        (2, "清河县教育局", "空白栏目", "新发现"),
        (3, "城关镇人民政府", "网站无法访问", "新发现")]
    closed = table(wb["已整改及豁免"])
    assert [(r["序号"], r["单位"], r["栏目"], r["状态"]) for r in closed] == [
        (1, "清河县教育局", "规划计划", "已豁免"),
        (2, "清河县教育局", "通知公告", "已整改"),
        (3, "清河县文化和旅游局", "工作动态", "已整改")]


def test_dates_are_dates_and_blanks_are_blank():
    rows = table(workbook(states_export())["问题清单"])
    stale, unreachable = rows[0], rows[2]
    assert stale["最新更新日期"] == datetime(2026, 10, 28)
    assert stale["发现日期"] == datetime(2026, 11, 20) and stale["整改时限"] == datetime(2026, 12, 4)
    assert unreachable["栏目"] is None and unreachable["最新更新日期"] is None


def test_header_frozen_filtered_and_sized_for_chinese():
    ws = workbook(states_export())["问题清单"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:L5"
    width = {ws.cell(2, col).value: ws.column_dimensions[ws.cell(2, col).column_letter].width
             for col in range(1, len(HEADERS) + 1)}
    # 城关镇人民政府 is 7 汉字 = 14 columns wide, plus room for the filter button
    assert width["单位"] >= 14 + 3
    assert width["序号"] < width["单位"] < width["问题描述"] <= 50
    description = HEADERS.index("问题描述") + 1
    assert all(ws.cell(row, description).alignment.wrap_text for row in range(3, 6))
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"


def test_summary_totals_and_ranking():
    ws = workbook(states_export())["汇总"]
    pairs = {ws.cell(r, 2).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)
             if ws.cell(r, 2).value and isinstance(ws.cell(r, 3).value, int)}
    assert pairs["检查单位数"] == 3 and pairs["存在问题单位数"] == 2 and pairs["问题总数"] == 3
    assert pairs["其中：单项否决"] == 2 and pairs["网站无法访问单位数"] == 1
    assert pairs["已整改"] == 2 and pairs["已豁免"] == 1
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "排名")
    assert [c.value for c in ws[header_row]][:7] == list(RANKING_HEADERS)
    ranking = [[c.value for c in row][:7] for row in ws.iter_rows(min_row=header_row + 1)]
    # the one ranking, best first (issue 9; it was by problem count, worst first)
    assert ranking == [
        [1, "清河县文化和旅游局", 0, 0, 0, 0, None],   # rectified only: no open problem
        [2, "城关镇人民政府", 1, 1, 0, 0, "网站无法访问"],
        [3, "清河县教育局", 2, 1, 1, 0, "栏目更新不及时、空白栏目"],
    ]


def test_ranking_shares_a_rank_on_equal_counts():
    wb = workbook(export(unit("乙局", finding()), unit("甲局", finding()), unit("丙局", finding(), finding()),
                         unit("丁局")))
    ws = wb["汇总"]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "排名")
    ranks = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(header_row + 1, ws.max_row + 1)]
    assert ranks == [(1, "丁局"), (2, "乙局"), (2, "甲局"), (4, "丙局")]


def test_no_cell_is_a_formula_and_hostile_text_reads_back_exactly():
    data = xlsx_of(hostile_export())
    wb = load_workbook(io.BytesIO(data))
    cells = every_cell(wb)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    title_cell = next(c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert title_cell.value == f'{FORMULA} ![x](http://evil.example/x.png)'
    assert title_cell.data_type == "s" and title_cell.quotePrefix
    # the file itself holds no formula element at all
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", z.read(name)), name


@pytest.mark.parametrize("text", FORMULA_STARTS)
@pytest.mark.parametrize("field", ["unit", "column", "message", "title"])
def test_formula_looking_text_stays_text(text, field):
    f = finding(column=text if field == "column" else "工作动态",
                message=text if field == "message" else "栏目未更新",
                newest_title=text if field == "title" else None)
    wb = workbook(export(unit(text if field == "unit" else "甲局", f)))
    cells = [c for c in every_cell(wb) if c.value == text]
    assert cells, "the text must appear exactly as crawled"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.parent.title, cell.coordinate)
    assert not [c for c in every_cell(wb) if c.data_type == "f"]


def test_plain_text_gets_no_quote_prefix():
    cells = every_cell(workbook(load("export_two_units.json")))
    assert not [c.coordinate for c in cells if isinstance(c.value, str) and c.quotePrefix]


def test_only_http_links_become_hyperlinks():
    wb = workbook(hostile_export())
    links = [c for c in every_cell(wb) if c.hyperlink]
    assert [(c.value, c.hyperlink.target) for c in links] == [
        ('http://ok.example/a b<c>"d', "http://ok.example/a%20b%3Cc%3E%22d")]
    js = [c for c in every_cell(wb) if c.value == JS_URL]
    assert js and not js[0].hyperlink


def test_no_problems_gives_an_empty_list_not_a_broken_one():
    wb = workbook(export(unit("甲乡")))
    assert table(wb["问题清单"]) == []
    assert wb["问题清单"].auto_filter.ref == "A2:L2"
    summary = [c.value for c in every_cell(wb) if c.parent.title == "汇总"]
    assert "本期未发现问题" in summary


def test_score_and_verdict_columns_once_the_model_has_them():
    from report_exports import with_verdicts
    report = with_verdicts(build_period(states_export(), "week"), {
        "清河县教育局": (95.0, "合格"), "城关镇人民政府": (100.0, "不合格", ["站点无法访问"]),
        "清河县文化和旅游局": (100.0, "合格")})
    ws = load_workbook(io.BytesIO(render_bytes(report, "xlsx")))["汇总"]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "排名")
    assert [c.value for c in ws[header_row]] == list(RANKING_HEADERS) + ["得分", "结论"]
    # scores stay numbers to sort by; a vetoed unit shows 单项否决, not 100, and ranks last
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 8).value, ws.cell(r, 9).value)
            for r in range(header_row + 1, ws.max_row + 1)] == [
        (1, "清河县文化和旅游局", 100, "合格"), (2, "清河县教育局", 95, "合格"), (3, "城关镇人民政府", "单项否决", "不合格")]
    # without a verdict in the model, no column claims one
    plain = workbook(states_export())["汇总"]
    assert "结论" not in [c.value for row in plain.iter_rows() for c in row]
