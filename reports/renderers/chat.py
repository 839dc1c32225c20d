"""The problem list as chat messages for QQ / WeChat / WeCom groups.

    parts = chat_parts(report)                                   # WeCom text, 2048 bytes
    parts = chat_parts(report, limit_bytes=4096, kind="markdown")

The first part is a summary (how old the data is, when it is not this
period's, right under the title; the crawl it stands on; footnotes at its
end); the problem list follows in parts headed "清河县周问题清单（1/3）",
units worst first, then the ranking (得分排名) when the rules gave verdicts. Every part, header included, fits the byte limit in
UTF-8 (a 汉字 is 3 bytes). A unit's entry is never cut when it fits in one
part; a longer one is split between its problems, then between lines, and
only a single line longer than a whole part is cut, between characters.

Text kind: plain text, nothing escaped (a chat shows text as typed, so the
Markdown renderer's backslashes would only be noise). Crawled text is
cleaned by the model (no control, zero-width or bidi characters, one line
each); evidence URLs are kept as plain text only when http(s), javascript:
and data: ones are left out. Markdown kind (WeCom's markdown, which has no
escape syntax): characters that mean something there are swapped in crawled
text for their full-width forms ([ → ［, * → ＊ …), which read the same to a
Chinese reader and cannot form a link, emphasis or tag.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model import FindingRow, PeriodReport, UnitRow
from ..formats import Renderer
from ..text import clean_text, cut_line, encode_href, utf8_len
from .tables import cn_numeral, ranking_basis

TEXT_LIMIT = 2048        # WeCom robot text message, bytes
MARKDOWN_LIMIT = 4096    # WeCom robot markdown message, bytes
MIN_LIMIT = 512          # room for a header, a continued heading and some text
# Most a part's "（k/n）" header plus a "（续）" heading can take (county and
# unit names are shortened there); a link line must fit in what is left,
# since a URL cut in two would be a link to somewhere else.
HEADROOM = 256
KINDS = ("text", "markdown")

# WeCom markdown: headings, emphasis, links, code, quotes, <font>, <@user>.
_WECOM_MD = str.maketrans({
    "\\": "＼", "`": "｀", "*": "＊", "_": "＿", "[": "［", "]": "］", "<": "＜", ">": "＞",
    "#": "＃", "~": "～", "|": "｜", "!": "！", "&": "＆",
})
INDENT = "　"            # full-width space: chat apps keep it at a line start
CLEAN_LINE_BYTES = 600   # the list of units without problems, wrapped at names


@dataclass(frozen=True)
class _Style:
    """What differs between plain text and WeCom markdown."""
    crawled: Callable[[str], str]          # crawled text made inert
    strong: Callable[[str], str]           # our own emphasis (not crawled text)
    veto: Callable[[str], str]
    link: Callable[[str], str]             # an http(s) URL the model marked linkable


def _plain(text: str) -> str:
    # The model already cleaned it; again here because a report can also be
    # built by hand, and cleaning is idempotent.
    return clean_text(text)


PLAIN = _Style(crawled=_plain, strong=lambda s: s, veto=lambda s: s, link=lambda url: url)
WECOM_MARKDOWN = _Style(
    crawled=lambda text: _plain(text).translate(_WECOM_MD),
    strong=lambda s: f"**{s}**",
    veto=lambda s: f'<font color="warning">{s}</font>',
    link=lambda url: f"[打开页面]({encode_href(url, also='()[]')})",
)
STYLES = {"text": PLAIN, "markdown": WECOM_MARKDOWN}


@dataclass(frozen=True)
class _Entry:
    """One unit's lines in groups that should stay together (heading, each problem)."""
    blocks: tuple[tuple[str, ...], ...]
    continued: str       # heading repeated where a part carries on with this entry


def chat_parts(report: PeriodReport, limit_bytes: int = TEXT_LIMIT, kind: str = "text") -> list[str]:
    """The summary message, then the numbered problem-list parts, each within limit_bytes."""
    if kind not in STYLES:
        raise ValueError(f"unknown chat kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if limit_bytes < MIN_LIMIT:
        raise ValueError(f"limit_bytes must be at least {MIN_LIMIT}, got {limit_bytes}")
    style = STYLES[kind]
    entries = [_unit_entry(n, unit, style, limit_bytes - HEADROOM)
               for n, unit in enumerate(report.units_with_problems, 1)]
    if entries and report.units_without_problems:
        entries.append(_clean_entry(report, style))
    if entries and report.has_verdicts:
        entries.append(_ranking_entry(report, style))
    problem_parts = _numbered(entries, limit_bytes, _header_for(report, style)) if entries else []
    summary = _summary_lines(report, style, len(problem_parts))
    summary_parts = _pack([_Entry(tuple((line,) for line in summary), "")], limit_bytes)
    return ["\n".join(lines) for lines in summary_parts] + problem_parts


def _header_for(report: PeriodReport, style: _Style) -> Callable[[int, int], str]:
    county = style.crawled(clean_text(report.county, limit=20))
    return lambda k, n: style.strong(f"{county}{report.period_name}问题清单（{k}/{n}）")


def _summary_lines(report: PeriodReport, style: _Style, part_count: int) -> list[str]:
    t = report.totals
    c = style.crawled
    lines = [style.strong(f"【{c(report.title)}】")]
    if report.data_note:
        lines.append(style.veto(f"注意：{c(report.data_note)}"))
    lines.append(f"检查截止日期：{report.as_of.isoformat()}")
    if report.data_source:
        lines.append(f"数据来源：{c(report.data_source)}")
    notes = [f"注：{c(note)}" for note in report.notes]
    if not t.problem_count:
        lines.append(f"本期共检查{t.units_checked}个单位，均未发现问题。")
        return lines + notes
    veto = f"（其中单项否决{t.veto_count}个）" if t.veto_count else ""
    lines.append(f"本期共检查{t.units_checked}个单位，其中{t.units_with_problems}个单位存在问题，"
                 f"共发现问题{t.problem_count}个{veto}；{t.unreachable_count}个单位网站无法访问。")
    progress = [f"已整改{t.rectified_count}个"] if t.rectified_count else []
    progress += [f"已豁免{t.waived_count}个"] if t.waived_count else []
    if progress:
        lines.append("整改进展：此前发现的问题" + "，".join(progress) + "。")
    if t.by_rule:
        lines.append("按问题类型：" + "、".join(f"{c(r.problem_type)}{r.count}个" for r in t.by_rule) + "。")
    if report.deadline:
        lines.append(f"{report.deadline_label}：{report.deadline.isoformat()}。")
    if report.overdue_count:
        lines.append(f"已逾期未整改的问题{report.overdue_count}个。")
    if part_count:
        lines.append(f"具体问题清单分{part_count}条发送，请各单位对照整改。")
    return lines + notes


def _unit_entry(number: int, unit: UnitRow, style: _Style, max_link_line: int) -> _Entry:
    c = style.crawled
    counts = f"问题{unit.problem_count}个"
    if unit.veto_count:
        counts += f"，单项否决{unit.veto_count}个"
    if unit.rectified_count:
        counts += f"；已整改{unit.rectified_count}个"
    if unit.verdict_text:
        counts += f"；{c(unit.verdict_text)}"
    heading = style.strong(f"{cn_numeral(number)}、{c(unit.name)}") + f"（{counts}）"
    blocks = [(heading,)] + [_finding_block(i, f, style, max_link_line)
                             for i, f in enumerate(unit.problems, 1)]
    continued = style.strong(f"{cn_numeral(number)}、{c(clean_text(unit.name, limit=20))}（续）")
    return _Entry(tuple(blocks), continued)


def _finding_block(number: int, f: FindingRow, style: _Style, max_link_line: int) -> tuple[str, ...]:
    c = style.crawled
    label = style.veto(f.severity_label) if f.is_veto else f.severity_label
    lines = [f"{number}.【{label}】{c(f.problem_type)}：{c(f.description)}"]
    facts = []
    if f.column:
        facts.append(f"栏目：{c(f.column)}")
    if f.newest_date:
        facts.append(f"最新更新：{f.newest_date.isoformat()}")
    if f.newest_title:
        facts.append(f"最新一条：{c(f.newest_title)}")
    if facts:
        lines.append(INDENT + "；".join(facts))
    state = f"状态：{f.state_text}"
    if f.first_seen:
        state += f"（首次发现 {f.first_seen.isoformat()}）"
    if f.deadline:
        state += f"；整改期限 {f.deadline.isoformat()}"
    lines.append(INDENT + state)
    link_line = INDENT + "链接：" + style.link(f.link) if f.link else ""
    if link_line and utf8_len(link_line) <= max_link_line:
        lines.append(link_line)
    elif link_line:
        lines.append(INDENT + "链接：（地址过长，未列出，请见 Excel 问题清单）")
    elif f.url:
        lines.append(INDENT + "链接：（不是网页地址，已省略）")
    return tuple(lines)


def _clean_entry(report: PeriodReport, style: _Style) -> _Entry:
    names = []
    for unit in report.units_without_problems:
        name = style.crawled(unit.name)
        if unit.rectified_count:
            name += f"（已整改{unit.rectified_count}个）"
        if unit.is_unreachable:
            name += "（本次无法访问）"
        names.append(name)
    lines, line = [], ""
    for name in names:
        candidate = f"{line}、{name}" if line else name
        if line and utf8_len(candidate) > CLEAN_LINE_BYTES:
            lines.append(line + "、")
            candidate = name
        line = candidate
    lines.append(line)
    heading = style.strong(f"未发现问题的单位（{len(names)}个）：")
    return _Entry(((heading,),) + tuple((line,) for line in lines), style.strong("未发现问题的单位（续）："))


def _ranking_entry(report: PeriodReport, style: _Style) -> _Entry:
    """得分排名: the one ranking, a line per unit (名次. 单位 得分 结论)."""
    lines = []
    for rank, unit in report.places:
        score = style.veto(unit.score_label) if unit.vetoed else (unit.score_label or "—")
        lines.append((f"{rank}. {style.crawled(unit.name)} {score}" + (f" {unit.verdict}" if unit.verdict else ""),))
    heading = style.strong(f"得分排名（{ranking_basis(report)}）：")
    return _Entry(((heading,),) + tuple(lines), style.strong("得分排名（续）："))


def _numbered(entries: list[_Entry], limit: int, header: Callable[[int, int], str]) -> list[str]:
    """Pack the entries and put "（k/n）" headers on; the header's size depends
    on how many digits n has, so pack again if the count grew a digit."""
    digits = 1
    while True:
        widest = "9" * digits
        budget = limit - utf8_len(header(int(widest), int(widest))) - 1
        parts = _pack(entries, budget)
        if len(str(len(parts))) <= digits:
            break
        digits += 1
    return [header(k, len(parts)) + "\n" + "\n".join(lines) for k, lines in enumerate(parts, 1)]


class _Packer:
    """Fills parts of at most `budget` bytes (lines joined by newlines)."""

    def __init__(self, budget: int):
        self.budget = budget
        self.parts: list[list[str]] = []
        self.lines: list[str] = []
        self.size = 0

    def _added(self, lines: list[str] | tuple[str, ...], gap: bool) -> int:
        joined = utf8_len("\n".join(lines))
        if not self.lines:
            return joined
        return joined + 1 + (1 if gap else 0)     # newline, plus a blank line between entries

    def fits(self, lines, gap: bool = False) -> bool:
        return self.size + self._added(lines, gap) <= self.budget

    def fits_alone(self, lines) -> bool:
        return utf8_len("\n".join(lines)) <= self.budget

    def put(self, lines, gap: bool = False) -> None:
        self.size += self._added(lines, gap)
        if self.lines and gap:
            self.lines.append("")
        self.lines.extend(lines)

    def close(self) -> None:
        if self.lines:
            self.parts.append(self.lines)
        self.lines, self.size = [], 0


def _pack(entries: list[_Entry], budget: int) -> list[list[str]]:
    packer = _Packer(budget)
    for entry in entries:
        whole = [line for block in entry.blocks for line in block]
        if packer.fits(whole, gap=True):
            packer.put(whole, gap=True)
            continue
        packer.close()                  # the entry starts a part of its own
        if packer.fits_alone(whole):
            packer.put(whole)
            continue
        _place_oversized(packer, entry)
    packer.close()
    return packer.parts


def _place_oversized(packer: _Packer, entry: _Entry) -> None:
    """An entry longer than a part: split between blocks, then lines, then characters.

    Each part it carries over into starts with the entry's continued heading.
    """
    cont = [entry.continued] if entry.continued else []
    room = packer.budget - (utf8_len(entry.continued) + 1 if cont else 0)

    def carry_on():
        packer.close()
        if cont:
            packer.put(cont)

    for block in entry.blocks:
        if packer.fits(block):
            packer.put(block)
            continue
        if packer.fits_alone(cont + list(block)):
            carry_on()
            packer.put(block)
            continue
        for line in block:
            if packer.fits([line]):
                packer.put([line])
                continue
            if packer.fits_alone(cont + [line]):
                carry_on()
                packer.put([line])
                continue
            for piece in cut_line(line, room):
                if not packer.fits([piece]):
                    carry_on()
                packer.put([piece])


SEPARATOR = "━━━━━━━━ 第{k}条，共{n}条 ━━━━━━━━"


def chat_file_text(parts: list[str]) -> str:
    """The parts as one .txt to copy from: a note, then each part under a separator line."""
    n = len(parts)
    blocks = [f"（共{n}条消息，请逐条复制发送；分隔线不要复制）"]
    for k, part in enumerate(parts, 1):
        blocks.append(SEPARATOR.format(k=k, n=n) + "\n" + part)
    return "\n\n".join(blocks) + "\n"


class ChatRenderer(Renderer):
    kind = "chat"
    suffix = ".txt"
    description = "可直接粘贴到 QQ/微信群的文字，按字节上限分条编号"
    params = {
        "limit_bytes": f"bytes per message in UTF-8 (WeCom text {TEXT_LIMIT}, markdown {MARKDOWN_LIMIT})",
        "kind": "text (QQ, WeChat, WeCom text) or markdown (WeCom markdown)",
    }

    def render(self, report: PeriodReport) -> bytes:
        kind = self.options.get("kind", "text")
        limit = int(self.options.get("limit_bytes", MARKDOWN_LIMIT if kind == "markdown" else TEXT_LIMIT))
        return chat_file_text(chat_parts(report, limit, kind)).encode("utf-8")
