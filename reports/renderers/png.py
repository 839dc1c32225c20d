"""A picture of the summary table, which is what people actually post in QQ groups.

1080 px wide (a phone screen at full resolution), text at least 28 px.
Columns 名次, 单位, 问题数, 得分 (单项否决 where a veto decided; the count of
veto problems when the rules gave no verdict), 主要问题; units with problems
only, worst first: the one ranking turned round, each with its 名次 there.
Above the table: how old the data is when it is not this period's (in red),
the crawl it stands on and the 整改期限 of this period's new problems; the
footnotes below. One picture, not several: a chat shows one image per message and
people scroll past the rest, so after `max_rows` (default 20) the table stops
with "……另有N个单位存在问题，详见问题清单" and the full list travels as text
and Excel.

Drawn with Pillow in a CJK font found on the system (Noto Sans CJK, Source
Han Sans, WenQuanYi …, or GOVFRESH_CJK_FONT / the `font` option). Without
one it raises MissingFontError naming the package to install: a picture of
tofu boxes (□□□) must never be posted.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import PeriodReport
from ..periods import cn_date
from ..formats import Renderer
from ..text import clean_text
from .tables import main_problems, worst_first

WIDTH = 1080
MARGIN = 40
MAX_ROWS = 20
FONT_ENV = "GOVFRESH_CJK_FONT"
FONT_PACKAGE = "fonts-noto-cjk"          # Debian's package, installed by `make test`

TITLE_PX, TEXT_PX, SMALL_PX = 44, 32, 28
LINE = 1.35                              # line height as a multiple of the font size
CELL_PAD_X, CELL_PAD_Y = 12, 14

# (header, width in px); 主要问题 takes what is left of the 1000 px. The fourth
# column is 得分 when the rules gave verdicts, else the count of veto problems.
COLUMNS = (("名次", 80), ("单位", 290), ("问题数", 110), ("得分", 160), ("主要问题", 0))
NO_VERDICT_HEADER = "单项否决"
CONTENT = WIDTH - 2 * MARGIN

INK, MUTED, RED = (31, 35, 40), (87, 96, 106), (180, 35, 24)
HEADER_BG, STRIPE_BG, RULE = (221, 235, 247), (246, 248, 250), (175, 184, 193)

# Families preferred when fontconfig lists several Chinese fonts.
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Noto Sans CJK", "Noto Serif CJK SC", "Droid Sans Fallback")
# Where the usual fonts live when fc-list is not there: (regular, bold, face index).
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),          # index 2 = SC
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None, 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None, 0),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", None, 0),
)
# Characters the font must really have (not its "missing glyph" box).
PROBE = "县政府信息公开问题清单单位否决"
_ABSENT = "\U000F0000"                  # a private-use code point no font maps


class MissingFontError(RuntimeError):
    """No font on this machine can draw Chinese."""


@dataclass(frozen=True)
class FontChoice:
    regular: str
    bold: str | None
    index: int = 0


def _pil():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise MissingFontError("the png format needs Pillow: pip install 'pillow>=10.1'") from None
    return Image, ImageDraw, ImageFont


def _fc_list() -> list[tuple[str, int, str, str]]:
    """(file, face index, family, style) of every font fontconfig says covers zh-cn."""
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh-cn", "--format=%{file}\t%{index}\t%{family[0]}\t%{style[0]}\n"],
            capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    fonts = []
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) == 4 and fields[1].isdigit():
            fonts.append((fields[0], int(fields[1]), fields[2], fields[3]))
    return fonts


def _from_fontconfig() -> list[FontChoice]:
    """Regular faces, preferred families first, each with its bold face if there is one."""
    fonts = _fc_list()

    def rank(entry):
        family = entry[2]
        return next((n for n, name in enumerate(PREFERRED) if family.startswith(name)), len(PREFERRED))

    choices = []
    for path, index, family, style in sorted(fonts, key=rank):
        if "bold" in style.lower():
            continue
        bold = next((p for p, i, fam, st in fonts if fam == family and st.lower() == "bold"), None)
        # a bold face in another .ttc may sit at another index; only pair equal indexes
        bold_index_ok = bold is not None and any(
            p == bold and i == index for p, i, fam, st in fonts if fam == family)
        choices.append(FontChoice(path, bold if bold_index_ok else None, index))
    return choices


def _candidates(explicit: str | None) -> list[FontChoice]:
    path = explicit or os.environ.get(FONT_ENV)
    if path:
        return [FontChoice(path, None, 0)]
    known = [FontChoice(r, b if b and Path(b).is_file() else None, i)
             for r, b, i in KNOWN_FONTS if Path(r).is_file()]
    return _from_fontconfig() + known


def draws_chinese(font) -> bool:
    """True when the font has real glyphs for PROBE (not the missing-glyph box).

    A font without a character draws its .notdef glyph, which is not blank,
    so "something was drawn" proves nothing; compare with a code point that
    no font has instead.
    """
    Image, ImageDraw, _ = _pil()

    def pixels(text):
        size = int(font.size * 1.5) + 4
        image = Image.new("L", (size, size))
        ImageDraw.Draw(image).text((2, 2), text, font=font, fill=255)
        return image.tobytes()

    missing = pixels(_ABSENT)
    return all(any(pixels(ch)) and pixels(ch) != missing for ch in PROBE)


def find_cjk_font(path: str | None = None) -> FontChoice:
    """The first font that really draws Chinese: `path`, $GOVFRESH_CJK_FONT, fontconfig, known paths."""
    _, _, ImageFont = _pil()
    tried = []
    for choice in _candidates(path):
        try:
            font = ImageFont.truetype(choice.regular, TEXT_PX, index=choice.index)
        except OSError:
            tried.append(choice.regular)
            continue
        if draws_chinese(font):
            return choice
        tried.append(choice.regular)
    where = f" (tried: {', '.join(dict.fromkeys(tried))})" if tried else ""
    raise MissingFontError(
        f"no font that can draw Chinese was found{where}. Install Debian's {FONT_PACKAGE} "
        f"(apt-get install {FONT_PACKAGE}) or set {FONT_ENV} to a .ttc/.otf/.ttf with Chinese glyphs.")


class _Fonts:
    def __init__(self, choice: FontChoice):
        _, _, ImageFont = _pil()

        def load(size, bold=False):
            path = choice.bold if bold and choice.bold else choice.regular
            return ImageFont.truetype(path, size, index=choice.index)
        self.title = load(TITLE_PX, bold=True)
        self.text = load(TEXT_PX)
        self.bold = load(TEXT_PX, bold=True)
        self.small = load(SMALL_PX)
        # A font without a bold face is thickened by a one-pixel stroke.
        self.stroke = 0 if choice.bold else 1


def wrap(text: str, font, width: int, max_lines: int) -> list[str]:
    """Lines no wider than `width` px, cut between characters (Chinese has no
    spaces to break at); the last allowed line ends in … when text is left."""
    lines, line = [], ""
    for char in text:
        if line and font.getlength(line + char) > width:
            lines.append(line)
            line = ""
        line += char
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last + "…"]
    return lines or [""]


def wrap_title(title: str, font, width: int) -> list[str]:
    """A title too wide for one line breaks before its "（period）" first."""
    if font.getlength(title) <= width or "（" not in title:
        return wrap(title, font, width, 3)
    head, _, tail = title.partition("（")
    return wrap(head, font, width, 2) + wrap("（" + tail, font, width, 2)


@dataclass(frozen=True)
class Picture:
    """What the picture says, before any pixel: the texts the drawing lays out."""
    title: str
    warning: str | None                  # 本期未检查，数据截至…: red, under the title
    subtitle: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]    # 名次, 单位, 问题数, 得分, 主要问题
    alerts: tuple[bool, ...]             # the row's fourth cell in red (单项否决)
    notes: tuple[str, ...]


def picture_of(report: PeriodReport, max_rows: int = MAX_ROWS) -> Picture:
    """The picture's content from the model: pure, so tests read what is drawn."""
    t = report.totals
    rows = worst_first(report)
    shown, hidden = rows[:max_rows], len(rows) - min(len(rows), max_rows)
    verdicts = report.has_verdicts
    subtitle = [f"检查时段：{report.period_label}（截至{cn_date(report.as_of)}）"]
    if report.data_source:
        subtitle.append(f"数据来源：{report.data_source}")
    subtitle.append(f"检查{t.units_checked}个单位，{t.units_with_problems}个存在问题；"
                    f"问题{t.problem_count}个，其中单项否决{t.veto_count}个")
    if report.deadline:
        subtitle.append(f"{report.deadline_label}：{report.deadline.isoformat()}"
                        + (f"；已逾期{report.overdue_count}个" if report.overdue_count else ""))
    elif report.overdue_count:
        subtitle.append(f"已逾期问题{report.overdue_count}个")
    notes = []
    if not rows:
        notes.append("本期未发现问题。")
    if hidden:
        notes.append(f"……另有{hidden}个单位存在问题，详见问题清单。")
    if report.units_without_problems:
        notes.append(f"未发现问题的单位{len(report.units_without_problems)}个。")
    notes += [f"注：{note}" for note in report.notes]
    notes.append("govfresh 自动生成，问题以人工核实为准。")
    header = tuple(h for h, _ in COLUMNS)
    if not verdicts:
        header = header[:3] + (NO_VERDICT_HEADER,) + header[4:]
    return Picture(
        title=clean_text(report.title), warning=report.data_note, subtitle=tuple(subtitle), header=header,
        rows=tuple((str(r.rank), r.name, str(r.problems), (r.score_label or "—") if verdicts else str(r.vetoes),
                    main_problems(r.unit, most=3)) for r in shown),
        alerts=tuple(r.unit.vetoed if verdicts else r.vetoes > 0 for r in shown),
        notes=tuple(notes))


def summary_png(report: PeriodReport, max_rows: int = MAX_ROWS, font: str | None = None,
                fonts: _Fonts | None = None) -> bytes:
    """The summary table as PNG bytes (see the module docstring for the layout)."""
    Image, ImageDraw, _ = _pil()
    fonts = fonts or _Fonts(find_cjk_font(font))
    pic = picture_of(report, max_rows)
    widths = [w or CONTENT - sum(w for _, w in COLUMNS) for _, w in COLUMNS]
    text_line = int(TEXT_PX * LINE)

    title_lines = wrap_title(pic.title, fonts.title, CONTENT)
    warning_lines = wrap(pic.warning, fonts.bold, CONTENT, 3) if pic.warning else []
    subtitle_lines = [ln for s in pic.subtitle for ln in wrap(s, fonts.small, CONTENT, 2)]
    table = []
    for cells, alert in zip(pic.rows, pic.alerts):
        wrapped = [[cells[0]], wrap(cells[1], fonts.text, widths[1] - 2 * CELL_PAD_X, 2), [cells[2]],
                   [cells[3]], wrap(cells[4], fonts.text, widths[4] - 2 * CELL_PAD_X, 2)]
        table.append((alert, wrapped, max(len(c) for c in wrapped) * text_line + 2 * CELL_PAD_Y))
    note_lines = [ln for n in pic.notes for ln in wrap(n, fonts.small, CONTENT, 3)]

    header_h = text_line + 2 * CELL_PAD_Y
    small_line = int(SMALL_PX * LINE)
    height = (MARGIN + len(title_lines) * int(TITLE_PX * LINE) + 12
              + len(warning_lines) * text_line + (12 if warning_lines else 0)
              + len(subtitle_lines) * small_line + 24
              + (header_h + sum(h for *_, h in table) if table else 0)
              + 24 + len(note_lines) * small_line + MARGIN)

    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for line in title_lines:
        x = (WIDTH - fonts.title.getlength(line)) / 2
        draw.text((x, y), line, font=fonts.title, fill=INK, stroke_width=fonts.stroke, stroke_fill=INK)
        y += int(TITLE_PX * LINE)
    y += 12
    for line in warning_lines:
        draw.text(((WIDTH - fonts.bold.getlength(line)) / 2, y), line, font=fonts.bold, fill=RED,
                  stroke_width=fonts.stroke, stroke_fill=RED)
        y += text_line
    y += 12 if warning_lines else 0
    for line in subtitle_lines:
        draw.text(((WIDTH - fonts.small.getlength(line)) / 2, y), line, font=fonts.small, fill=MUTED)
        y += small_line
    y += 24
    if table:
        y = _draw_row(draw, y, header_h, widths, [[h] for h in pic.header], fonts.bold, fonts,
                      HEADER_BG, centred=True)
        for index, (alert, cells, row_h) in enumerate(table):
            y = _draw_row(draw, y, row_h, widths, cells, fonts.text, fonts,
                          STRIPE_BG if index % 2 else None, veto=alert)
    y += 24
    for line in note_lines:
        draw.text((MARGIN, y), line, font=fonts.small, fill=MUTED)
        y += small_line
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _draw_row(draw, y, row_h, widths, cells, font, fonts: _Fonts, background, *,
              centred: bool = False, veto: bool = False) -> int:
    x = MARGIN
    if background:
        draw.rectangle((MARGIN, y, MARGIN + CONTENT, y + row_h), fill=background)
    text_line = int(TEXT_PX * LINE)
    for column, (width, lines) in enumerate(zip(widths, cells)):
        # numbers and headers centred, names and problem kinds from the left
        centre = centred or column in (0, 2, 3)
        colour = RED if (veto and column == 3) else INK
        bold = veto and column == 3
        top = y + (row_h - len(lines) * text_line) / 2
        for n, line in enumerate(lines):
            used = fonts.bold if bold else font
            tx = x + (width - used.getlength(line)) / 2 if centre else x + CELL_PAD_X
            stroke = fonts.stroke if used is fonts.bold else 0
            draw.text((tx, top + n * text_line + (text_line - TEXT_PX) / 2 - 4), line, font=used,
                      fill=colour, stroke_width=stroke, stroke_fill=colour)
        draw.line((x, y, x, y + row_h), fill=RULE)
        x += width
    draw.line((x, y, x, y + row_h), fill=RULE)
    draw.line((MARGIN, y, MARGIN + CONTENT, y), fill=RULE)
    draw.line((MARGIN, y + row_h, MARGIN + CONTENT, y + row_h), fill=RULE)
    return y + row_h


class PngRenderer(Renderer):
    kind = "png"
    suffix = ".png"
    description = "汇总表图片（1080 像素宽），便于发到 QQ/微信群"
    params = {
        "max_rows": f"units shown before '……另有N个单位' (default {MAX_ROWS})",
        "font": f"path to a font with Chinese glyphs (default: ${FONT_ENV}, then the system's)",
    }

    def __init__(self, **options: Any):
        super().__init__(**options)
        # Find the font now: a missing font fails before any file is written.
        self.fonts = _Fonts(find_cjk_font(self.options.get("font")))

    def render(self, report: PeriodReport) -> bytes:
        return summary_png(report, int(self.options.get("max_rows", MAX_ROWS)), fonts=self.fonts)
