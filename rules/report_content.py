"""Reading an annual report page (政府信息公开工作年度报告): sections, 表三/表四, quoted numbers. Pure.

The checks that use what is read here, and the format they follow, are in rules/annual_report.py.
Everything here is untrusted page text: nothing is evaluated, the HTML is capped, and tables, rows,
columns, spans and cell text are bounded; malformed HTML gives an empty or partial result, never an error.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from types import MappingProxyType
from typing import Iterable, Mapping

from bs4 import BeautifulSoup, NavigableString, Tag

FORMAT_FROM_YEAR = 2019

MAX_HTML_CHARS = 1_000_000   # real reports: 10k–200k characters
MAX_TAGS = 30_000            # real reports: hundreds to a few thousand; BeautifulSoup ~25 µs each
MAX_TABLES = 60
MAX_ROWS = 300
MAX_COLS = 64
MAX_SPAN_WORK = 100_000      # grid positions a table's spans may fill, in total
MAX_CELL_CHARS = 400
MAX_QUOTES = 200
MAX_PROBLEMS_PER_TABLE = 10  # more than this: one summary problem (a broken table, or one we misread)
_TAG_START = re.compile(r"<[A-Za-z]")

# ---- the format ---------------------------------------------------------------------------------

SECTIONS = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}
_SECTION_ORDER = tuple(SECTIONS)

COLUMNS = ("natural", "commercial", "research", "social", "legal", "other", "total")
COLUMN_NAMES = {"natural": "自然人", "commercial": "商业企业", "research": "科研机构", "social": "社会公益组织",
                "legal": "法律服务机构", "other": "其他", "total": "总计"}
_TOTAL = COLUMNS.index("total")

ROW_NAMES = {
    "new": "一、本年新收", "carried_in": "二、上年结转",
    "open": "（一）予以公开", "partial": "（二）部分公开", "deny": "（三）不予公开", "unable": "（四）无法提供",
    "reject": "（五）不予处理", "other": "（六）其他处理", "total": "（七）总计",
    "carried_out": "四、结转下年度继续办理",
}
GROUPS = ("deny", "unable", "reject", "other")
_RESULTS = ("open", "partial", "deny", "unable", "reject", "other")
_GROUP_WORDS = {"deny": "不予公开", "unable": "无法提供", "reject": "不予处理", "other": "其他处理"}
SUB_NAMES = {
    "deny": ("属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
             "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"),
    "unable": ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"),
    "reject": ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
               "要求行政机关确认或重新出具已获取信息"),
    "other": ("申请人无正当理由逾期不补正", "申请人逾期未按收费通知要求缴纳费用", "其他"),
}
# Words that identify an unnumbered sub-row, in the order of SUB_NAMES.
_SUB_WORDS = {
    "deny": ("国家秘密", "禁止公开", "三安全", "第三方", "内部事务", "过程性", "执法案卷", "行政查询"),
    "unable": ("不掌握", "另行制作", "仍不明确"),
    "reject": ("信访", "重复申请", "出版物", "大量反复", "重新出具"),
    "other": ("逾期不补正", "缴纳费用", "其他"),
}

T4_GROUPS = ("review", "direct", "after_review")
T4_GROUP_NAMES = {"review": "行政复议", "direct": "行政诉讼（未经复议直接起诉）",
                  "after_review": "行政诉讼（复议后起诉）"}
T4_METRICS = ("upheld", "corrected", "other", "pending", "total")
T4_METRIC_NAMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                   "total": "总计"}


# ---- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table3:
    """表三 as read: row key → the 7 values in COLUMNS order (None: a cell that is not a number)."""
    rows: Mapping[str, tuple[int | None, ...]]
    blanks: frozenset = frozenset()          # (row key, column index) printed empty or as a dash
    labels: Mapping[str, str] = field(default_factory=dict)  # row key → label as printed

    def value(self, row: str, column: str = "total") -> int | None:
        vals = self.rows.get(row)
        return None if vals is None else vals[COLUMNS.index(column)]


@dataclass(frozen=True)
class Table4:
    """表四 as read: group → metric → value."""
    groups: Mapping[str, Mapping[str, int | None]]

    def value(self, group: str, metric: str = "total") -> int | None:
        return self.groups.get(group, {}).get(metric)


@dataclass(frozen=True)
class Quote:
    """A number the report's text states, with the words that state it."""
    kind: str        # applications | open | review | litigation | indicator
    value: int
    text: str
    label: str = ""  # indicator quotes: the 附表 row they mirror


@dataclass(frozen=True)
class ReportContent:
    sections: Mapping[str, str]              # section key (一…六) → heading as printed
    table3: Table3 | None
    table4: Table4 | None
    indicators: Mapping[str, int]            # pre-2019 附表: row label → value
    quotes: tuple[Quote, ...]
    text: str                                # body text without the recognised statistics tables
    tables_seen: int = 0
    truncated: bool = False


@dataclass(frozen=True)
class Problem:
    """One problem of one report. `key` is stable across crawls (for the findings ledger)."""
    kind: str        # section_missing | table_mismatch | text_mismatch | tables_unreadable | carry_over_mismatch
    key: str
    message: str


EMPTY = ReportContent(sections=MappingProxyType({}), table3=None, table4=None,
                      indicators=MappingProxyType({}), quotes=(), text="")

# ---- text helpers -------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    """NFKC (（一）→(一), １２→12, ：→:), no white space, no zero-width characters."""
    return _WS.sub("", unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH))


_LABEL, _VALUE, _BLANK = "label", "value", "blank"
_DASHES = re.compile(r"[-—–―‐‑‒−─_/\\~～.。·、]*|无|空|/无|—/—")
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d{1,9})(?:件|个|人|次|条|宗|起|篇|项)?")


def cell_value(text: str) -> tuple[str, int | None]:
    """A statistics cell: (_VALUE, n), (_BLANK, 0) for empty/—/-///无, or (_LABEL, None) for words."""
    t = _norm(text)
    if _DASHES.fullmatch(t):
        return _BLANK, 0
    m = _NUMBER.fullmatch(t)
    if m:
        return _VALUE, int(m.group(1).replace(",", ""))
    return _LABEL, None


# ---- HTML → grids and lines ---------------------------------------------------------------------

_DROP = {"script", "style", "noscript", "template", "head", "select", "option", "button", "textarea", "svg",
         "iframe", "object", "embed", "input"}
_BREAK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
          "article", "dd", "dt", "dl", "ul", "ol", "blockquote", "pre", "hr", "form", "center", "tbody",
          "thead", "tfoot", "main", "address", "caption", "figure", "figcaption", "header", "footer", "nav"}
_NL = object()


@dataclass
class _Cell:
    text: str
    kind: str
    value: int | None


@dataclass
class _Grid:
    cells: list[_Cell]
    at: dict[tuple[int, int], int]   # (row, col) → index into cells
    nrows: int
    ncols: int

    def cell(self, r: int, c: int) -> _Cell | None:
        i = self.at.get((r, c))
        return None if i is None else self.cells[i]

    def row_ids(self, r: int) -> list[tuple[int, int]]:
        """(column, cell index) of the distinct cells of row r, left to right."""
        seen, out = set(), []
        for c in range(self.ncols):
            i = self.at.get((r, c))
            if i is not None and i not in seen:
                seen.add(i)
                out.append((c, i))
        return out


def _own_text(td: Tag) -> str:
    """A cell's text without nested tables, bounded."""
    parts: list[str] = []
    size = 0
    stack: list = list(reversed(td.contents))
    while stack and size < MAX_CELL_CHARS * 4:
        node = stack.pop()
        if type(node) is NavigableString:
            parts.append(str(node))
            size += len(node)
        elif isinstance(node, Tag) and node.name not in _DROP and node.name != "table":
            stack.extend(reversed(node.contents))
    return _norm("".join(parts))[:MAX_CELL_CHARS]


def _own_rows(table: Tag) -> Iterable[Tag]:
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            yield child
        elif child.name in ("thead", "tbody", "tfoot"):
            for tr in child.children:
                if isinstance(tr, Tag) and tr.name == "tr":
                    yield tr


def _span(raw, limit: int) -> int:
    try:
        n = int(str(raw).strip()[:6])
    except (TypeError, ValueError):
        return 1
    return max(1, min(n, limit))


def _grid(table: Tag) -> _Grid:
    """The table with rowspan/colspan expanded: every position points at the cell that covers it."""
    cells: list[_Cell] = []
    at: dict[tuple[int, int], int] = {}
    budget = MAX_SPAN_WORK
    nrows = ncols = 0
    for r, tr in enumerate(_own_rows(table)):
        if r >= MAX_ROWS:
            break
        nrows = r + 1
        c = 0
        for td in tr.children:
            if not isinstance(td, Tag) or td.name not in ("td", "th"):
                continue
            while (r, c) in at:
                c += 1
            if c >= MAX_COLS:
                break
            rs = _span(td.get("rowspan"), MAX_ROWS - r)
            cs = _span(td.get("colspan"), MAX_COLS - c)
            if rs * cs > budget:
                rs = cs = 1
            budget -= rs * cs
            text = _own_text(td)
            kind, value = cell_value(text)
            cells.append(_Cell(text, kind, value))
            for dr in range(rs):
                for dc in range(cs):
                    at.setdefault((r + dr, c + dc), len(cells) - 1)
            c += cs
            ncols = max(ncols, c)
    nrows = max([nrows] + [r + 1 for r, _ in at])
    return _Grid(cells, at, min(nrows, MAX_ROWS), min(ncols, MAX_COLS))


def _lines(root: Tag) -> list[str]:
    """Block text, one normalised line per block, without an explicit recursion."""
    buf: list[str] = []
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is _NL:
            buf.append("\n")
        elif type(node) is NavigableString:
            buf.append(str(node))
        elif isinstance(node, Tag):
            if node.name in _DROP:
                continue
            if node.name in _BREAK:
                buf.append("\n")
                stack.append(_NL)
            stack.extend(reversed(node.contents))
    lines = (_norm(ln) for ln in "".join(buf).split("\n"))
    return [ln for ln in lines if ln]


# ---- 表三 -----------------------------------------------------------------------------------------

def _row3_top(label: str) -> str | None:
    if "结转下" in label or "下年度继续" in label or "下一年度继续" in label:
        return "carried_out"
    if "上年结转" in label or "上年度结转" in label or "上一年度结转" in label:
        return "carried_in"
    if "本年新收" in label or "本年度新收" in label:
        return "new"
    for group, word in _GROUP_WORDS.items():
        if word in label:
            return group
    if "部分公开" in label:
        return "partial"
    if "予以公开" in label:
        return "open"
    if "总计" in label or "合计" in label:
        return "total"
    return None


_SUB_NUMBER = re.compile(r"^(?:(\d{1,2})[.、,:)]|\((\d{1,2})\))")


def _col3_key(text: str) -> str | None:
    if "自然人" in text:
        return "natural"
    if "商业企业" in text:
        return "commercial"
    if "科研机构" in text:
        return "research"
    if "公益组织" in text:
        return "social"
    if "法律服务" in text:
        return "legal"
    if "总计" in text or "合计" in text:
        return "total"
    if text.startswith("其他") and "法人" not in text and len(text) <= 6:
        return "other"
    return None


def _table3(g: _Grid) -> Table3 | None:
    # Data rows: a row label of the format and at least 3 number-or-blank cells.
    data: list[int] = []
    tops: set[str] = set()
    for r in range(g.nrows):
        ids = g.row_ids(r)
        label = "".join(g.cells[i].text for _, i in ids if g.cells[i].kind == _LABEL)
        nvals = sum(1 for _, i in ids if g.cells[i].kind != _LABEL)
        top = _row3_top(label)
        if nvals >= 3 and top and "自然人" not in label:
            data.append(r)
            tops.add(top)
    if len(tops) < 3:
        return None
    # Columns: the nearest header text above the first data row names each column.
    first = data[0]
    colkey: dict[int, str] = {}
    for c in range(g.ncols):
        for r in range(first - 1, -1, -1):
            cell = g.cell(r, c)
            key = _col3_key(cell.text) if cell and cell.kind == _LABEL else None
            if key:
                colkey[c] = key
                break
    if set(colkey.values()) != set(COLUMNS):
        # No usable header (split tables, pictures of headers): 7 number columns in the format's order.
        valcols = [c for c in range(g.ncols)
                   if sum(1 for r in data if (g.cell(r, c) or _Cell("", _LABEL, None)).kind != _LABEL)
                   >= max(1, len(data) // 2)]
        if len(valcols) != len(COLUMNS):
            return None
        colkey = dict(zip(valcols, COLUMNS))
    cols_of = {k: [c for c, kk in colkey.items() if kk == k] for k in COLUMNS}

    rows: dict[str, tuple[int | None, ...]] = {}
    labels: dict[str, str] = {}
    blanks: set[tuple[str, int]] = set()
    sub_count: dict[str, int] = {}
    for r in data:
        texts = [g.cells[i].text for c, i in g.row_ids(r) if c not in colkey and g.cells[i].kind == _LABEL]
        joined = "".join(texts)
        key = _row3_top(joined)
        if key in GROUPS:
            last = texts[-1] if texts else ""
            # The sub-row's own cell, or what follows the group's words in a merged "（三）不予公开1.属于…".
            last = last.split(_GROUP_WORDS[key], 1)[1] if _GROUP_WORDS[key] in last else last
            if last:
                n = None
                m = _SUB_NUMBER.match(last)
                if m:
                    n = int(m.group(1) or m.group(2))
                else:
                    n = next((j + 1 for j, w in enumerate(_SUB_WORDS[key]) if w in last), None)
                if n is None:
                    n = sub_count.get(key, 0) + 1
                sub_count[key] = max(sub_count.get(key, 0), n)
                key = f"{key}.{n}"
        if key is None or key in rows:
            continue
        values: list[int | None] = []
        for j, col in enumerate(COLUMNS):
            cells = [g.cells[i] for i in dict.fromkeys(g.at[(r, c)] for c in cols_of[col] if (r, c) in g.at)]
            numbers = [x for x in cells if x.kind == _VALUE]
            if len(numbers) == 1:
                values.append(numbers[0].value)
            elif cells and all(x.kind == _BLANK for x in cells):
                values.append(0)
                blanks.add((key, j))
            else:   # no cell, words where a number belongs, or two numbers under one heading
                values.append(None)
        rows[key] = tuple(values)
        labels[key] = joined
    return Table3(MappingProxyType(rows), frozenset(blanks), MappingProxyType(labels))


# ---- 表四 -----------------------------------------------------------------------------------------

_T4_HEADER = re.compile(r"维持|纠正|审结")


def _t4_group(texts: Iterable[str]) -> str | None:
    joined = "|".join(texts)
    if "复议后" in joined:
        return "after_review"
    if "未经复议" in joined or "直接起诉" in joined:
        return "direct"
    if "复议" in joined:
        return "review"
    return None


def _t4_metric(texts: Iterable[str]) -> str | None:
    for t in texts:
        if "审结" in t:
            return "pending"
        if "总计" in t or "合计" in t:
            return "total"
        if "维持" in t:
            return "upheld"
        if "纠正" in t or "纠错" in t:
            return "corrected"
        if "其他" in t:
            return "other"
    return None


def _table4(g: _Grid) -> Table4 | None:
    alltext = "".join(c.text for c in g.cells)
    if "复议" not in alltext or not _T4_HEADER.search(alltext):
        return None
    header_end = max((r for r in range(g.nrows)
                      if any(_T4_HEADER.search(g.cells[i].text) for _, i in g.row_ids(r))), default=-1)
    groups: dict[str, dict[str, int | None]] = {k: {} for k in T4_GROUPS}
    for r in range(header_end + 1, g.nrows):
        ids = g.row_ids(r)
        row_labels = [g.cells[i].text for _, i in ids if g.cells[i].kind == _LABEL]
        for c, i in ids:
            cell = g.cells[i]
            if cell.kind == _LABEL:
                continue
            above = []
            for hr in range(header_end, -1, -1):
                h = g.cell(hr, c)
                if h is not None and h.kind == _LABEL and h.text and h.text not in above:
                    above.append(h.text)
            metric = _t4_metric(above + row_labels)
            group = _t4_group(above + row_labels)
            if metric and group and metric not in groups[group]:
                groups[group][metric] = cell.value
    found = {k: MappingProxyType(v) for k, v in groups.items() if v}
    if not any(len(v) >= 4 for v in found.values()):
        return None
    return Table4(MappingProxyType(found))


# ---- pre-2019 附表 (统计指标 | 单位 | 统计数) -----------------------------------------------------

def _indicators(g: _Grid) -> dict[str, int] | None:
    # Short header cells only: a layout table around the whole page says 指标 and 单位 in its prose.
    head = [g.cells[i].text for r in range(min(g.nrows, 2)) for _, i in g.row_ids(r)]
    if not any("指标" in t and len(t) <= 10 for t in head) \
            or not any(t in ("统计数", "数量", "单位", "计量单位", "本年", "本年度", "数值") for t in head) \
            or max((len(c.text) for c in g.cells), default=0) > 120:
        return None
    out: dict[str, int] = {}
    for r in range(g.nrows):
        ids = g.row_ids(r)
        if len(ids) < 2:
            continue
        first, last = g.cells[ids[0][1]], g.cells[ids[-1][1]]
        if first.kind == _LABEL and last.kind == _VALUE and first.text not in out:
            out[first.text] = last.value
    return out if len(out) >= 3 else None


# ---- sections -----------------------------------------------------------------------------------

_TOP = re.compile(r"^第?([一二三四五六七八九十]{1,2})(?:部分)?[、.,:]")
_PAREN = re.compile(r"^\(([一二三四五六七八九十]{1,2})\)")


def _section_of(title: str) -> str | None:
    t = title[:30]
    if "总体情况" in t or "总体工作" in t or t.startswith(("概述", "概况", "基本情况")):
        return "一"
    if t.startswith("主动公开") or "主动公开政府信息" in t or "主动公开情况" in t:
        return "二"
    if "依申请" in t or "收到和处理" in t or ("申请" in t and ("收到" in t or "处理" in t or "办理" in t)):
        return "三"
    if "复议" in t or "诉讼" in t:
        return "四"
    if "问题" in t or "改进" in t or "不足" in t:
        return "五"
    if "其他" in t and ("报告" in t or "事项" in t or "说明" in t):
        return "六"
    return None


_BARE_TITLES = {_norm(v.split("、", 1)[1]): k for k, v in SECTIONS.items()}


def _sections(lines: list[str]) -> dict[str, str]:
    """Section headings in document order; a heading must come after the previous section's."""
    found: dict[str, str] = {}
    last = -1
    for line in lines:
        m = _TOP.match(line)
        key = None
        if m:
            key = _section_of(line[m.end():])
        else:
            m = _PAREN.match(line)
            if m:
                key = _section_of(line[m.end():])
                if key != m.group(1):
                    key = None
            elif len(line) <= 20:
                key = _BARE_TITLES.get(line.rstrip("。:"))
        if key and key not in found and _SECTION_ORDER.index(key) > last:
            found[key] = line[:40]
            last = _SECTION_ORDER.index(key)
    return found


# ---- quoted numbers -----------------------------------------------------------------------------

_UNIT = r"(?:件|份|个|条|宗)"
_APPLICATIONS = re.compile(
    r"(?:收到|受理|新收|接收|收悉|接到)了?(?:各类|本年度?|新)?(?:政府信息公开|信息公开|依申请公开|公开)?申请"
    r"(?:件|数|数量|共计|共|合计|总计|为|:|达){0,3}(\d{1,7})" + _UNIT
    + r"|本年度?新收(?:政府信息公开)?申请(?:数量|数)?(?:为|共计|共|:)?(\d{1,7})" + _UNIT)
_APPLICATIONS_NONE = re.compile(
    r"(?:未|没有)(?:收到|受理|接到)(?:任何)?(?:政府信息公开|信息公开|依申请公开)申请(?![^,;。]{0,6}\d)")
_OPEN = re.compile(r"予以公开(?:的)?(?:申请)?(?:共|共计|为|:)?(\d{1,7})件")
_CASE = r"(?:件|起|宗|次)"
_REVIEW = re.compile(r"行政复议(?:申请|案件)?(?:共|共计|为|:)?(\d{1,6})" + _CASE)
_LITIGATION = re.compile(r"行政诉讼(?:案件)?(?:共|共计|为|:)?(\d{1,6})" + _CASE
                         + r"|行政复议(?:申请|案件)?\d{1,6}" + _CASE + r"[,、和及](?:被?提起)?诉讼(\d{1,6})" + _CASE)
_END = r"(?:案件|事项|情况|的情况|申请)?(?=[。;,、]|$)"
_REVIEW_NONE = re.compile(
    r"(?:未|没有|无)(?:发生|收到|出现|有|被提起|被申请)?(?:因)?(?:政府信息公开|信息公开)(?:方面|类|工作|申请)?的?"
    r"(?:被申请|被?提起)?行政复议((?:和|、|及|或|与)(?:被?提起)?(?:行政)?诉讼)?" + _END)
_LITIGATION_NONE = re.compile(
    r"(?:未|没有|无)(?:发生|出现|有|被提起)?(?:因)?(?:政府信息公开|信息公开)(?:方面|类|工作)?的?(?:被?提起)?行政诉讼"
    + _END)

# A clause that speaks of another scope or another time is not a statement about this report's table.
_OTHER_SCOPE = re.compile(r"上年|去年|上一年|前年|同比|环比|较上|较去|比上|比去|累计|历年|以来|近年|近三年|"
                          r"全县|全市|全区|全省|全州|全盟|全旗|各部门|各单位|各乡|各镇|各街道|各级|县直|市直|区直|"
                          r"结转|系统内")
_SUB_SCOPE = re.compile(r"其中|网上|当面|信函|传真|邮件|电话|现场|自然人|法人")
_CLAUSE_END = re.compile(r"[。;!?,\n]")
_SENTENCE_END = re.compile(r"[。;!?\n]")


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _CLAUSE_END.finditer(text, max(0, start - 80), start)), default=max(0, start - 80))
    m = _CLAUSE_END.search(text, end, end + 80)
    return text[left:m.start() if m else min(len(text), end + 80)]


def _sentence_before(text: str, start: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 200), start)),
               default=max(0, start - 200))
    return text[left:start]


def _indicator_phrase(label: str) -> str:
    t = re.sub(r"^(?:其中:)?(?:\(?[一二三四五六七八九十\d]{1,3}\)?[.、)]?)?", "", label)
    t = re.sub(r"\(.*?\)", "", t)
    return re.sub(r"(?:篇数|件数|数量|数)$", "", t)


def _quotes(text: str, indicators: Mapping[str, int]) -> tuple[Quote, ...]:
    out: list[Quote] = []

    def add(kind: str, value: int, m: re.Match, *, sub_scope: bool = False, needs_public: bool = True,
            not_active: bool = False) -> None:
        clause = _clause(text, m.start(), m.end())
        if _OTHER_SCOPE.search(clause) or (sub_scope and _SUB_SCOPE.search(clause)):
            return
        # About disclosure: the clause says 公开, or the sentence so far says 信息公开
        # ("因政府信息公开被申请行政复议2件，被提起行政诉讼1件"); a 司法局's 办理行政复议案件120件 is not.
        if needs_public and "公开" not in clause and "信息公开" not in _sentence_before(text, m.start()):
            return
        if not_active and "主动" in clause:
            return
        if len(out) < MAX_QUOTES:
            out.append(Quote(kind, value, m.group(0)))

    for m in _APPLICATIONS.finditer(text):
        add("applications", int(m.group(1) or m.group(2)), m, sub_scope=True)
    for m in _APPLICATIONS_NONE.finditer(text):
        add("applications", 0, m, sub_scope=True)
    for m in _OPEN.finditer(text):
        add("open", int(m.group(1)), m, needs_public=False, not_active=True)
    for m in _REVIEW.finditer(text):
        add("review", int(m.group(1)), m)
    for m in _REVIEW_NONE.finditer(text):
        add("review", 0, m)
        if m.group(1):
            add("litigation", 0, m)
    for m in _LITIGATION.finditer(text):
        add("litigation", int(m.group(1) or m.group(2)), m)
    for m in _LITIGATION_NONE.finditer(text):
        add("litigation", 0, m)
    # Pre-2019 附表: only 政策解读, only where the text uses the row's own words, only if one such row.
    rows = [(label, v) for label, v in indicators.items() if "政策解读" in label]
    if len(rows) == 1:
        label, _ = rows[0]
        phrase = _indicator_phrase(label)
        if len(phrase) >= 4:
            pat = re.compile(re.escape(phrase) + r"(?:数量|数)?(?:为|共计|共|达|:)?(\d{1,7})(?:篇|件|条|个|次)")
            for m in pat.finditer(text):
                clause = _clause(text, m.start(), m.end())
                if not _OTHER_SCOPE.search(clause) and len(out) < MAX_QUOTES:
                    out.append(Quote("indicator", int(m.group(1)), m.group(0), label))
    return tuple(out)


# ---- parse --------------------------------------------------------------------------------------

def parse_report(html: str | bytes) -> ReportContent:
    """Sections, 表三, 表四, the pre-2019 附表 and the quoted numbers of one report page."""
    if isinstance(html, (bytes, bytearray)):
        html = bytes(html[:MAX_HTML_CHARS * 3]).decode("utf-8", errors="replace")
    if not isinstance(html, str) or not html.strip():
        return EMPTY
    truncated = len(html) > MAX_HTML_CHARS
    html = html[:MAX_HTML_CHARS]
    if html.count("<") > MAX_TAGS:
        # A page of tags upon tags (hostile, or a broken export) would take seconds to build
        # into a tree: read it up to its MAX_TAGS-th tag, as a long page up to MAX_HTML_CHARS.
        cut = next(islice(_TAG_START.finditer(html), MAX_TAGS, None), None)
        if cut is not None:
            html, truncated = html[:cut.start()], True
    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:  # noqa: BLE001 - a page we cannot parse is a page without content, not a crash
        return EMPTY
    table3 = table4 = None
    indicators: dict[str, int] = {}
    recognised: list[Tag] = []
    tables = soup.find_all("table", limit=MAX_TABLES)
    for table in tables:
        g = _grid(table)
        if g.nrows == 0:
            continue
        t3 = _table3(g) if table3 is None else None
        t4 = _table4(g) if table4 is None and t3 is None else None
        ind = _indicators(g) if t3 is None and t4 is None else None
        if t3 is not None:
            table3 = t3
        if t4 is not None:
            table4 = t4
        if ind:
            for k, v in ind.items():
                indicators.setdefault(k, v)
        if t3 is not None or t4 is not None or ind:
            recognised.append(table)
    for table in recognised:
        if not getattr(table, "decomposed", False):
            table.decompose()
    lines = _lines(soup)
    text = "\n".join(lines)
    return ReportContent(
        sections=MappingProxyType(_sections(lines)), table3=table3, table4=table4,
        indicators=MappingProxyType(indicators), quotes=_quotes(text, indicators), text=text,
        tables_seen=len(tables), truncated=truncated)


parse_report_cached = lru_cache(maxsize=32)(parse_report)
"""parse_report memoised on the page text: several rules judge the same report."""
