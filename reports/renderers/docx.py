"""The inspection notice (检查情况通报) as a Word document the office can sign and send.

The wording lives in reports/templates/notice.yaml (paragraphs with {{ }}
placeholders, rendered by a sandboxed Jinja2), so the office edits words,
not code; the `wording` option points at an edited copy. The `letterhead`
option takes the office's own .docx (红头, styles, page setup): the notice
is filled in where it says {{正文}}, or after its content when there is no
such marker.

Crawled text (unit, column and page titles, URLs) only ever becomes the
text of a run or a table cell: python-docx escapes it for XML, and nothing
here creates fields (域代码), so "{ HYPERLINK … }" or "=…" stay words. The
only links are hyperlinks to http(s) URLs the model marked linkable.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..model import FindingRow, PeriodReport, UnitRow
from ..periods import cn_date
from ..formats import Renderer
from ..text import clean_text, display_width, encode_href
from .tables import cn_numeral, has_verdicts, ranking, ranking_basis
from .templating import DASH, TEMPLATES

DEFAULT_WORDING = TEMPLATES / "notice.yaml"
BODY_MARKERS = ("{{正文}}", "{{ 正文 }}")

# GB/T 9704-2012 公文格式: title 二号 (22 pt), body 三号 (16 pt), tables 五号.
TITLE_PT, BODY_PT, TABLE_PT = 22, 16, 10.5
LINE_PT = 28                  # fixed line spacing: 22 lines a page
WORDING_KEYS = {"office", "doc_number", "title", "recipients", "body", "no_problems", "fonts"}
# Keys an older copy of notice.yaml may still have, and why they went.
RETIRED_KEYS = {"deadline_days": "the deadline is each problem's 整改期限 from the findings ledger "
                                 "(working days, sites.yaml rectification_days), the same date every form shows"}
FONT_KEYS = {"title", "heading", "subheading", "body"}
BLOCK_KINDS = {"heading", "subheading", "text", "table"}
TABLES = {"ranking", "problems"}

RANKING_HEADERS = ("排名", "单位", "问题数", "单项否决", "扣分项", "提醒", "主要问题")
# A4 less 公文 margins leaves 15.6 cm; a 五号 汉字 is about 0.37 cm, plus cell padding.
RANKING_WIDTHS_CM = (1.3, 4.0, 1.6, 2.0, 1.6, 1.3, 3.8)
# When the model carries the rules' verdict, 得分 and 结论 take 提醒's and some of 主要问题's room.
VERDICT_RANKING_HEADERS = ("排名", "单位", "问题数", "单项否决", "扣分项", "得分", "结论", "主要问题")
VERDICT_RANKING_WIDTHS_CM = (1.2, 3.6, 1.5, 1.9, 1.5, 1.4, 1.6, 2.9)
PROBLEM_HEADERS = ("序号", "栏目", "问题类型", "问题描述", "最新更新日期", "整改期限", "状态")
PROBLEM_WIDTHS_CM = (0.9, 2.0, 2.1, 4.1, 2.3, 2.3, 1.9)


class WordingError(ValueError):
    """notice.yaml (or the office's copy) cannot be used; the message names the key."""


@dataclass(frozen=True)
class Wording:
    source: str
    templates: Mapping[str, Any]
    fonts: Mapping[str, str]


def load_wording(path: Path | str | None = None) -> Wording:
    """Read and check a notice wording file (default: reports/templates/notice.yaml)."""
    path = Path(path) if path else DEFAULT_WORDING
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WordingError(f"{path}: cannot read the notice wording: {exc}") from None
    if not isinstance(data, dict):
        raise WordingError(f"{path}: expected keys like title:, body:, got {type(data).__name__}")
    retired = sorted(set(data) & set(RETIRED_KEYS))
    if retired:
        raise WordingError(f"{path}: {retired[0]} is no longer used: {RETIRED_KEYS[retired[0]]}; "
                           f"remove the line")
    unknown = sorted(set(data) - WORDING_KEYS)
    if unknown:
        raise WordingError(f"{path}: unknown key {', '.join(unknown)}; known keys: "
                           f"{', '.join(sorted(WORDING_KEYS))}")
    missing = sorted(WORDING_KEYS - {"fonts"} - set(data))
    if missing:
        raise WordingError(f"{path}: missing key {', '.join(missing)}")
    fonts = data.get("fonts") or {}
    if not isinstance(fonts, dict) or set(fonts) - FONT_KEYS:
        raise WordingError(f"{path}: fonts: takes {', '.join(sorted(FONT_KEYS))}")
    if not isinstance(data["body"], list):
        raise WordingError(f"{path}: body: must be a list of heading:/subheading:/text:/table: items")
    for index, block in enumerate(data["body"], start=1):
        if not (isinstance(block, dict) and len(block) == 1 and set(block) <= BLOCK_KINDS):
            raise WordingError(f"{path}: body item {index} must be one of "
                               f"{', '.join(sorted(BLOCK_KINDS))}, got {block!r}")
        if "table" in block and block["table"] not in TABLES:
            raise WordingError(f"{path}: body item {index}: table: must be one of "
                               f"{', '.join(sorted(TABLES))}, got {block['table']!r}")
    fonts = {"title": "方正小标宋简体", "heading": "黑体", "subheading": "楷体_GB2312",
             "body": "仿宋_GB2312"} | {k: str(v) for k, v in fonts.items()}
    return Wording(str(path), dict(data), fonts)


# Sandboxed: the wording file is edited by people, and it only needs to fill
# in values. StrictUndefined turns a misspelt {{ name }} into an error.
_JINJA = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def _fill(template: str, context: Mapping[str, Any], where: str) -> str:
    """Render one wording template; lines are joined without spaces (Chinese text)."""
    try:
        text = _JINJA.from_string(str(template)).render(context)
    except TemplateError as exc:
        raise WordingError(f"{where}: {exc}") from None
    return "".join(line.strip() for line in text.splitlines())


def _as_date(value: Any, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"docx option {option} must be a date like 2026-12-01, got {value!r}") from None


def notice_context(report: PeriodReport, wording: Wording, options: Mapping[str, Any]) -> dict[str, Any]:
    """The names notice.yaml may use, in the order they depend on each other."""
    t = report.totals
    ranks = ranking(report)
    issued = _as_date(options.get("issued"), "issued") or report.as_of
    period_title = (f"{report.as_of.year}年{report.as_of.month}月" if report.period == "month"
                    else report.period_label)
    context: dict[str, Any] = {
        "county": report.county, "period": report.period, "period_name": report.period_name,
        "period_label": report.period_label, "period_title": period_title,
        "as_of": cn_date(report.as_of), "year": issued.year, "month": issued.month,
        "issued": cn_date(issued),
        # The 整改期限 the problem list gives the problems this period's crawl found: the
        # same date every form shows, never recounted here.
        "deadline": cn_date(report.deadline) if report.deadline else "",
        "deadline_crawl": cn_date(report.deadline_crawl) if report.deadline_crawl else "",
        "overdue_count": report.overdue_count, "ranking_basis": ranking_basis(report),
        "data_source": report.data_source or "", "data_note": report.data_note or "",
        "number": clean_text(options.get("number")) or None,
        "units_checked": t.units_checked, "units_with_problems": t.units_with_problems,
        "problem_count": t.problem_count, "veto_count": t.veto_count,
        "deduction_count": sum(r.deductions for r in ranks),
        "warning_count": sum(r.warnings for r in ranks),
        "unreachable_count": t.unreachable_count, "rectified_count": t.rectified_count,
        "waived_count": t.waived_count,
        "by_rule": "、".join(f"{r.problem_type}{r.count}个" for r in t.by_rule),
        "problem_units": "、".join(u.name for u in report.units_with_problems),
        "clean_units": "、".join(u.name for u in report.units_without_problems),
        "unreachable_units": "、".join(u.name for u in report.units if u.is_unreachable),
    }
    where = wording.source
    context["office"] = clean_text(options.get("office")) or _fill(
        wording.templates["office"], context, f"{where}: office")
    context["doc_number"] = clean_text(options.get("doc_number")) or _fill(
        wording.templates["doc_number"], context, f"{where}: doc_number")
    return context


# ---------------------------------------------------------------- Word plumbing

def _font(run, name: str, size: float, bold: bool = False) -> None:
    """Set a run's font for Latin and East Asian text alike (Word keeps them apart)."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def _paragraph(container, text: str, font: str, size: float = BODY_PT, *, bold: bool = False,
               align=None, indent: bool = False, fixed_lines: bool = True):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)       # 首行缩进两字
    fmt.space_before = fmt.space_after = Pt(0)
    if fixed_lines:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT)
    if text:
        _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _hyperlink(paragraph, url: str, text: str, font: str, size: float) -> None:
    """A clickable link; python-docx has no API for it, so build w:hyperlink."""
    rel_id = paragraph.part.relate_to(encode_href(url), RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = paragraph.add_run(text)
    _font(run, font, size)
    run.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    run.font.underline = True
    link.append(run._r)                 # moves the run inside the hyperlink
    paragraph._p.append(link)


def _borders(table) -> None:
    """Single lines round every cell, without relying on a "Table Grid" style
    that an office template may not have."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            element.set(qn(f"w:{key}"), value)
        borders.append(element)
    tbl_pr.append(borders)


def _compact(paragraph):
    """Table text: single spacing, no space around (the body's 28 pt would waste rows)."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    return paragraph


def _table(doc, headers: tuple[str, ...], widths_cm: tuple[float, ...], font: str):
    table = doc.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)       # w:gridCol, which LibreOffice and WPS follow
    header = table.rows[0]
    # Repeat the header row on every page the table runs over.
    header._tr.get_or_add_trPr().append(_on("w:tblHeader"))
    for cell, text, width in zip(header.cells, headers, widths_cm):
        cell.width = Cm(width)
        _compact(cell.paragraphs[0]).alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), font, TABLE_PT, bold=True)
    return table


def _on(tag: str):
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def _row(table, values, widths_cm: tuple[float, ...], font: str, center: set[int] = frozenset()):
    row = table.add_row()
    row._tr.get_or_add_trPr().append(_on("w:cantSplit"))   # a row never breaks across pages
    cells = row.cells
    for index, (cell, value, width) in enumerate(zip(cells, values, widths_cm)):
        cell.width = Cm(width)
        _compact(cell.paragraphs[0])
        if index in center:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(str(value)), font, TABLE_PT)
    return cells


# ---------------------------------------------------------------- the notice

def _ranking_table(doc, report: PeriodReport, fonts: Mapping[str, str]) -> None:
    ranks = ranking(report)
    if has_verdicts(ranks):
        table = _table(doc, VERDICT_RANKING_HEADERS, VERDICT_RANKING_WIDTHS_CM, fonts["body"])
        for rank in ranks:
            _row(table, (rank.rank, rank.name, rank.problems, rank.vetoes, rank.deductions,
                         rank.score_label or DASH,
                         rank.verdict or DASH, rank.main_problems or DASH),
                 VERDICT_RANKING_WIDTHS_CM, fonts["body"], center={0, 2, 3, 4, 5, 6})
        return
    table = _table(doc, RANKING_HEADERS, RANKING_WIDTHS_CM, fonts["body"])
    for rank in ranks:
        _row(table, (rank.rank, rank.name, rank.problems, rank.vetoes, rank.deductions,
                     rank.warnings, rank.main_problems or DASH),
             RANKING_WIDTHS_CM, fonts["body"], center={0, 2, 3, 4, 5})


def _problem_tables(doc, report: PeriodReport, fonts: Mapping[str, str], no_problems: str) -> None:
    if not report.units_with_problems:
        _paragraph(doc, no_problems, fonts["body"], indent=True)
        return
    for number, unit in enumerate(report.units_with_problems, start=1):
        counts = f"问题{unit.problem_count}个"
        if unit.veto_count:
            counts += f"，其中单项否决{unit.veto_count}个"
        if unit.verdict_text:
            counts += f"；{unit.verdict_text}"
        _paragraph(doc, f"（{cn_numeral(number)}）{unit.name}（{counts}）", fonts["subheading"],
                   indent=True)
        table = _table(doc, PROBLEM_HEADERS, PROBLEM_WIDTHS_CM, fonts["body"])
        for index, finding in enumerate(unit.problems, start=1):
            cells = _row(table, (index, finding.column or DASH, finding.problem_type, "",
                                 finding.newest_date.isoformat() if finding.newest_date else DASH,
                                 finding.deadline.isoformat() if finding.deadline else DASH,
                                 finding.state_text),
                         PROBLEM_WIDTHS_CM, fonts["body"], center={0, 4, 5, 6})
            _describe(cells[3], unit, finding, fonts["body"])


def _describe(cell, unit: UnitRow, f: FindingRow, font: str) -> None:
    """问题描述 with the evidence below it: the newest item and the page's address."""
    first = cell.paragraphs[0]
    _font(first.add_run(f"【{f.severity_label}】{f.description}"), font, TABLE_PT)
    if f.newest_title:
        _font(_compact(cell.add_paragraph()).add_run(f"最新一条：{f.newest_title}"), font, TABLE_PT)
    if f.link:
        paragraph = _compact(cell.add_paragraph())
        _font(paragraph.add_run("链接："), font, TABLE_PT)
        _hyperlink(paragraph, f.link, f.url or f.link, font, TABLE_PT)
    elif f.url:
        _font(_compact(cell.add_paragraph()).add_run(f"地址（不是网页链接）：{f.url}"), font, TABLE_PT)


def _signature(doc, office: str, issued: str, font: str) -> None:
    """发文机关署名 centred over the 成文日期, the date four characters from the right."""
    date_em, office_em = display_width(issued) / 2, display_width(office) / 2
    _paragraph(doc, "", font)
    for text, indent_em in ((office, max(0.0, 4 + (date_em - office_em) / 2)), (issued, 4)):
        paragraph = _paragraph(doc, text, font, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = Pt(BODY_PT * indent_em)


def _footnotes(doc, report: PeriodReport, font: str) -> None:
    """附注 under the date: the crawl the notice stands on, and what the reader must know of it."""
    lines = ([f"数据来源：{report.data_source}"] if report.data_source else []) + list(report.notes)
    for line in lines:
        _paragraph(doc, f"（注：{line}）", font, indent=True)


def _page_number_footer(section, font: str) -> None:
    """— 1 — centred at the foot of each page, as 公文 number pages."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), font, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    _font(run, font, 14)
    field.append(run._r)
    paragraph._p.append(field)
    _font(paragraph.add_run(" —"), font, 14)


def _blank_document(fonts: Mapping[str, str]):
    """A4 portrait with 公文 margins, body font as the default."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = fonts["body"]
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts["body"])
    _page_number_footer(section, fonts["body"])
    return doc


def _open_letterhead(path: Path | str):
    try:
        return Document(str(path))
    except Exception as exc:   # python-docx raises several kinds for a bad file
        raise ValueError(f"docx letterhead {path}: not a Word .docx file ({exc})") from None


def _marker(doc):
    for paragraph in doc.paragraphs:
        if paragraph.text.strip() in BODY_MARKERS:
            return paragraph
    return None


def build_notice(report: PeriodReport, wording: Wording | None = None,
                 letterhead: Path | str | None = None, **options: Any):
    """The notice as a python-docx Document (render_notice gives the bytes)."""
    wording = wording or load_wording()
    context = notice_context(report, wording, options)
    fonts, where = wording.fonts, wording.source
    doc = _open_letterhead(letterhead) if letterhead else _blank_document(fonts)
    body = doc.element.body
    existing = set(body.iterchildren())

    _paragraph(doc, context["doc_number"], fonts["body"], align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", fonts["body"])
    _paragraph(doc, _fill(wording.templates["title"], context, f"{where}: title"), fonts["title"],
               TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, fixed_lines=False)
    _paragraph(doc, "", fonts["body"])
    if report.data_note:          # how old the data is comes before anything it qualifies
        _paragraph(doc, f"（{report.data_note}）", fonts["body"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, _fill(wording.templates["recipients"], context, f"{where}: recipients"),
               fonts["body"])
    for index, block in enumerate(wording.templates["body"], start=1):
        (kind, value), = block.items()
        if kind == "table":
            if value == "ranking" and report.totals.problem_count:
                _ranking_table(doc, report, fonts)
            elif value == "problems":
                _problem_tables(doc, report, fonts, _fill(wording.templates["no_problems"], context,
                                                          f"{where}: no_problems"))
            continue
        text = _fill(value, context, f"{where}: body item {index}")
        if text:
            _paragraph(doc, text, fonts[{"text": "body"}.get(kind, kind)], indent=True)
    _signature(doc, context["office"], context["issued"], fonts["body"])
    _footnotes(doc, report, fonts["body"])

    marker = _marker(doc) if letterhead else None
    if marker is not None:       # move what was added to where the office wants it
        for element in [e for e in body.iterchildren() if e not in existing]:
            if element.tag != qn("w:sectPr"):
                marker._p.addprevious(element)
        marker._p.getparent().remove(marker._p)
    doc.core_properties.title = _fill(wording.templates["title"], context, where)
    doc.core_properties.author = context["office"]
    doc.core_properties.comments = "govfresh 根据检查结果生成"
    return doc


def render_notice(report: PeriodReport, **options: Any) -> bytes:
    """The notice as .docx bytes; options as DocxRenderer.params lists them."""
    wording = load_wording(options.pop("wording", None))
    doc = build_notice(report, wording, options.pop("letterhead", None), **options)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


class DocxRenderer(Renderer):
    kind = "docx"
    suffix = ".docx"
    description = "Word 检查情况通报（可用本单位红头模板）"
    params = {
        "doc_number": "the 文号 as printed, e.g. 清政务办〔2026〕12号 (default from notice.yaml)",
        "number": "just the serial number in the default 文号, e.g. 12",
        "office": "the issuing office (发文机关), default from notice.yaml",
        "issued": "date of issue (成文日期), YYYY-MM-DD; default the report's as-of date",
        "letterhead": "path to the office's .docx (红头); the notice goes where it says {{正文}}",
        "wording": "path to an edited copy of reports/templates/notice.yaml",
    }

    def __init__(self, **options: Any):
        super().__init__(**options)
        # Check the files now, before render() writes any format's file.
        load_wording(self.options.get("wording"))
        if self.options.get("letterhead") and not Path(self.options["letterhead"]).is_file():
            raise ValueError(f"docx letterhead {self.options['letterhead']}: no such file")

    def render(self, report: PeriodReport) -> bytes:
        return render_notice(report, **self.options)
