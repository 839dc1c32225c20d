"""The problem list (问题清单) as an Excel workbook, for units to sort, filter
and fill in.

Sheets: 问题清单 (one row per open problem: state new or open), 汇总 (totals,
problem types, the unit ranking) and 已整改及豁免 (rectified and waived
findings, kept apart so the open list is exactly the work still to do).
Under each title: how old the data is when it is not this period's (in red)
and the crawl it stands on; footnotes (注：…) below the table.

Crawled text never becomes a formula. openpyxl guesses a formula from a
leading "=", so every string cell is written with data_type "s" (stored as
text in the file, never evaluated on opening), and text that starts like a
formula (= + - @, tab, CR) also gets the quotePrefix style: that is what Excel
itself stores when a user types a leading apostrophe, so Excel and
LibreOffice show the text exactly as crawled, the apostrophe appears only in
the formula bar, and editing the cell keeps it text. A visible "'" prepended
to the value would instead become part of the text. Only http(s) URLs the
model marked linkable become hyperlinks.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..model import FindingRow, PeriodReport, UnitRow
from ..periods import cn_date
from ..formats import Renderer
from ..text import display_width, encode_href, looks_like_formula
from .tables import closed_rows, has_verdicts, open_rows, ranking, ranking_basis

SHEET_OPEN = "问题清单"
SHEET_SUMMARY = "汇总"
SHEET_CLOSED = "已整改及豁免"

_BOLD = Font(bold=True)
_ALERT = Font(bold=True, color="B42318")
_TITLE = Font(bold=True, size=14)
_LINK = Font(color="0563C1", underline="single")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center")
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[UnitRow, FindingRow], object]
    max_width: int           # in Excel character units; a 汉字 takes about 2
    wrap: bool = False


FINDING_COLUMNS: tuple[Column, ...] = (
    Column("单位", lambda u, f: u.name, 24, wrap=True),
    Column("栏目", lambda u, f: f.column, 18, wrap=True),
    Column("问题类型", lambda u, f: f.problem_type, 18),
    Column("问题等级", lambda u, f: f.severity_label, 10),
    Column("问题描述", lambda u, f: f.description, 50, wrap=True),
    Column("最新更新日期", lambda u, f: f.newest_date, 14),
    Column("最新信息标题", lambda u, f: f.newest_title, 36, wrap=True),
    Column("链接", lambda u, f: f.url, 44, wrap=True),
    Column("发现日期", lambda u, f: f.first_seen, 12),
    Column("状态", lambda u, f: f.state_text, 16),
    Column("整改时限", lambda u, f: f.deadline, 12),
)
HEADERS = ("序号",) + tuple(c.header for c in FINDING_COLUMNS)
LINK_COLUMN = HEADERS.index("链接") + 1            # 1-based, as openpyxl counts

RANKING_HEADERS = ("排名", "单位", "问题数", "单项否决", "扣分项", "提醒", "主要问题")
VERDICT_HEADERS = ("得分", "结论")         # only when the model carries a verdict


def put(ws: Worksheet, row: int, column: int, value: object, *, link: str | None = None,
        wrap: bool = False):
    """Write one cell; strings always stay strings (see the module docstring)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"          # openpyxl made "=…" a formula; undo that
        if looks_like_formula(value):
            cell.quotePrefix = True
    elif isinstance(value, (date, datetime)):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value
    cell.alignment = _WRAP if wrap else _TOP
    if link:
        cell.hyperlink = encode_href(link)
        cell.font = _LINK
    return cell


def _header(ws: Worksheet, row: int, headers: tuple[str, ...]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = put(ws, row, column, text)
        cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _CENTER


def _fit_widths(ws: Worksheet, first_row: int, limits: dict[int, int]) -> None:
    """Width per column from its longest line, 汉字 counted double, capped.

    The +3 leaves room for the auto-filter button beside a header.
    """
    widest: dict[int, int] = {}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value.isoformat() if isinstance(cell.value, (date, datetime)) else str(cell.value)
            widest[cell.column] = max(widest.get(cell.column, 0), display_width(text))
    for column, width in widest.items():
        cap = limits.get(column, 40)
        ws.column_dimensions[get_column_letter(column)].width = min(width + 3, cap)


def _print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _about_the_data(ws: Worksheet, report: PeriodReport, row: int, span: int) -> int:
    """The data note (red) and the data source under a title, each on its merged row;
    returns the next free row."""
    for text, font in ((report.data_note, _ALERT), (report.data_source and f"数据来源：{report.data_source}", None)):
        if text:
            cell = put(ws, row, 1, text)
            if font:
                cell.font = font
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
            row += 1
    return row


def _footnotes(ws: Worksheet, report: PeriodReport, row: int) -> None:
    for note in report.notes:
        put(ws, row, 1, f"注：{note}")
        row += 1


def _finding_sheet(ws: Worksheet, report: PeriodReport, title: str,
                   rows: list[tuple[UnitRow, FindingRow]]) -> None:
    """Title in row 1, what the data is below it, then the header (frozen, filtered)
    and one finding per row; footnotes a row below the table."""
    put(ws, 1, 1, title).font = _TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    head = _about_the_data(ws, report, 2, len(HEADERS))
    _header(ws, head, HEADERS)
    for number, (unit, finding) in enumerate(rows, start=1):
        row = number + head
        put(ws, row, 1, number).border = _BORDER
        for column, spec in enumerate(FINDING_COLUMNS, start=2):
            value = spec.value(unit, finding)
            link = finding.link if column == LINK_COLUMN else None
            put(ws, row, column, value, link=link, wrap=spec.wrap).border = _BORDER
    ws.freeze_panes = f"A{head + 1}"
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(HEADERS))}{len(rows) + head}"
    _fit_widths(ws, head, {i: c.max_width for i, c in enumerate(FINDING_COLUMNS, start=2)})
    _footnotes(ws, report, len(rows) + head + 2)
    _print_setup(ws, f"{head}:{head}")


def _summary_sheet(ws: Worksheet, report: PeriodReport) -> None:
    """Totals and problem types as label/value pairs above the unit ranking.

    Labels sit in column B (the ranking's 单位 column) so column A stays as
    narrow as the ranks; section headings in A spill over the empty cells.
    """
    t = report.totals
    ranks = ranking(report)
    put(ws, 1, 1, report.title).font = _TITLE
    put(ws, 2, 1, f"检查时段：{report.period_label}　检查截止日期：{cn_date(report.as_of)}"
        + (f"　检查依据：{report.ruleset}" if report.ruleset else ""))
    row = _about_the_data(ws, report, 3, len(RANKING_HEADERS) + len(VERDICT_HEADERS)) + 1
    put(ws, row, 1, "一、总体情况").font = _BOLD
    for label, value in (("检查单位数", t.units_checked), ("存在问题单位数", t.units_with_problems),
                         ("问题总数", t.problem_count), ("其中：单项否决", t.veto_count),
                         ("　　　扣分项", sum(r.deductions for r in ranks)),
                         ("　　　提醒", sum(r.warnings for r in ranks)),
                         ("网站无法访问单位数", t.unreachable_count),
                         ("已整改", t.rectified_count), ("已豁免", t.waived_count),
                         ("已逾期", report.overdue_count),
                         (report.deadline_label, report.deadline)):
        if value is None:
            continue
        row += 1
        put(ws, row, 2, label)
        put(ws, row, 3, value)
    row += 2
    put(ws, row, 1, "二、按问题类型").font = _BOLD
    for rule_count in t.by_rule:
        row += 1
        put(ws, row, 2, rule_count.problem_type)
        put(ws, row, 3, rule_count.count)
    if not t.by_rule:
        row += 1
        put(ws, row, 2, "本期未发现问题")
    row += 2
    put(ws, row, 1, f"三、单位排名（{ranking_basis(report)}）").font = _BOLD
    row += 1
    first_ranking_row = row
    verdicts = has_verdicts(ranks)
    _header(ws, row, RANKING_HEADERS + (VERDICT_HEADERS if verdicts else ()))
    for rank in ranks:
        row += 1
        values = (rank.rank, rank.name, rank.problems, rank.vetoes, rank.deductions, rank.warnings,
                  rank.main_problems) + ((_score_cell(rank), rank.verdict) if verdicts else ())
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value, wrap=column in (2, 7)).border = _BORDER
    _fit_widths(ws, first_ranking_row, {2: 30, 7: 50})
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width, 22)
    _footnotes(ws, report, row + 2)
    _print_setup(ws)


def _score_cell(rank) -> object:
    """得分 as a number to sort by, or 单项否决 where a veto decided (no 100 beside 不合格)."""
    return rank.score_label if rank.unit.vetoed or rank.score is None else rank.score


class XlsxRenderer(Renderer):
    kind = "xlsx"
    suffix = ".xlsx"
    description = "Excel 问题清单（可筛选、排序），含汇总和已整改情况"

    def render(self, report: PeriodReport) -> bytes:
        wb = Workbook()
        _finding_sheet(wb.active, report, report.title, open_rows(report))
        wb.active.title = SHEET_OPEN
        _summary_sheet(wb.create_sheet(SHEET_SUMMARY), report)
        _finding_sheet(wb.create_sheet(SHEET_CLOSED), report, f"{report.title}——已整改及豁免",
                       closed_rows(report))
        wb.properties.title = report.title
        wb.properties.creator = "govfresh"
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
