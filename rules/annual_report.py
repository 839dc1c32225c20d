"""Checking an annual report (政府信息公开工作年度报告) against its format. Pure.

`rules.report_content.parse_report(html)` reads one report page into a `ReportContent`;
`check_report(content, year)` lists its `Problem`s; `carry_over_mismatch(this, last)` compares
two consecutive years.

What is checked (条例第50条; 国办公开办函〔2021〕30号, see docs DOMAIN.md §3):

* **sections** — 一、总体情况 · 二、主动公开政府信息情况 · 三、收到和处理政府信息公开申请情况 ·
  四、政府信息公开行政复议、行政诉讼情况 · 五、存在的主要问题及改进情况 · 六、其他需要报告的事项.
  Headings are found by their words, not their exact wording ("五、政府信息公开工作存在的主要问题及改进
  情况", "五、存在问题及改进情况" count), numbered "一、" "一." "一，" or, only when the numeral is the
  section's own, "（五）" (a "（一）主动公开" sub-heading of 一 is not section 二).
* **表三** (applications) — each row's 总计 = 自然人 + the five 法人或其他组织 columns; a (三)/(四)/(五)/(六)
  subtotal row, where a report prints one, = its sub-rows; per column (七)总计 = (一)+…+(六) and
  一、本年新收 + 二、上年结转 = (七)总计 + 四、结转下年度继续办理 (the table's own note: 本列数据的勾稽关系).
* **表四** (reconsideration, litigation) — in each of 行政复议 / 未经复议直接起诉 / 复议后起诉:
  总计 = 维持 + 纠正 + 其他 + 尚未审结.
* **text vs tables** — only quotes that cannot mean anything else: "收到政府信息公开申请23件" (or
  "未收到政府信息公开申请") vs 表三 本年新收 总计; "予以公开8件" vs (一)予以公开 总计; "行政复议2件" /
  "行政诉讼1件" (in a clause that mentions 公开) vs 表四. A clause that speaks of another scope or time
  (全县, 各部门, 上年, 同比, 累计, 结转, 其中 …) is skipped. In the pre-2019 附表 (统计指标 | 单位 | 统计数)
  the 政策解读 row is compared with the text that uses the row's own words ("政策解读稿件发布23篇" vs
  "3.政策解读稿件发布数 21": the 衡山县2017 reference report).
* **across years** — this year's 二、上年结转 总计 = last year's 四、结转下年度继续办理 总计.

Which reports: the six sections and both tables are the 2021 format *and* the 2019 trial format
(国办公开办函〔2019〕60号, first used for the 2019 reports): a real 2019 report (上海市人民政府办公厅)
has the same six headings and the same 表三/表四, except that (六)其他处理 had no sub-rows until 2021 —
both shapes are read. So format checks apply to reports for 2019 and later (`FORMAT_FROM_YEAR`,
overridable); earlier reports are free text (the 平潭地税局2013 report) and get only the text-vs-附表 check.
Blank cells, "—", "-", "/" and "无" read as 0 (the format means zero); a blank 总计 beside non-zero
parts is still a mismatch and is said to be blank.

Everything here is untrusted page text: nothing is evaluated, the HTML is capped, and tables, rows,
columns, spans and cell text are bounded; malformed HTML gives an empty or partial result, never an error.
"""
from __future__ import annotations

from rules.report_content import (
    COLUMN_NAMES, COLUMNS, FORMAT_FROM_YEAR, GROUPS, MAX_PROBLEMS_PER_TABLE, ROW_NAMES, SECTIONS, SUB_NAMES,
    T4_GROUP_NAMES, T4_GROUPS, T4_METRIC_NAMES, T4_METRICS, _RESULTS, _TOTAL, Problem, ReportContent, Table3,
    Table4,
)


# ---- check --------------------------------------------------------------------------------------

def _row_name(key: str) -> str:
    if "." in key:
        group, n = key.split(".", 1)
        names = SUB_NAMES[group]
        i = int(n)
        return f"{ROW_NAMES[group]} {i}.{names[i - 1]}" if 0 < i <= len(names) else f"{ROW_NAMES[group]} 第{i}项"
    return ROW_NAMES[key]


def _shown(value: int | None, blank: bool) -> str:
    return "（空白）" if blank and value == 0 else str(value)


def _table3_problems(t: Table3) -> list[Problem]:
    out: list[Problem] = []
    rows = t.rows
    # Each row: 总计 = 自然人 + the five 法人或其他组织 columns.
    for key, vals in rows.items():
        if None in vals:
            continue
        nat, org = vals[0], sum(vals[1:_TOTAL])
        if vals[_TOTAL] != nat + org:
            total = _shown(vals[_TOTAL], (key, _TOTAL) in t.blanks)
            out.append(Problem("table_mismatch", f"表三:{key}:行合计",
                               f"表三 {_row_name(key)}：总计{total} ≠ 自然人{nat} + 法人或其他组织{org} = {nat + org}"))
    # A printed subtotal row of (三)…(六) = its sub-rows.
    subs = {g: sorted((k for k in rows if k.startswith(g + ".")), key=lambda k: int(k.split(".")[1]))
            for g in GROUPS}
    for g in GROUPS:
        if g not in rows or not subs[g]:
            continue
        for j, col in enumerate(COLUMNS):
            parts = [rows[k][j] for k in subs[g]]
            if rows[g][j] is None or None in parts:
                continue
            if rows[g][j] != sum(parts):
                out.append(Problem("table_mismatch", f"表三:{g}:{col}:分项",
                                   f"表三 {COLUMN_NAMES[col]}列：{ROW_NAMES[g]}{rows[g][j]} ≠ 各分项之和 "
                                   f"{' + '.join(map(str, parts))} = {sum(parts)}"))

    def result(g: str, j: int) -> int | None:
        if g in rows:
            return rows[g][j]
        if g in GROUPS and subs[g]:
            parts = [rows[k][j] for k in subs[g]]
            return None if None in parts else sum(parts)
        return None

    # Per column: (七) = (一)+…+(六); 一 + 二 = (七) + 四.
    for j, col in enumerate(COLUMNS):
        if "total" in rows and rows["total"][j] is not None:
            parts = [result(g, j) for g in _RESULTS]
            if None not in parts and rows["total"][j] != sum(parts):
                shown = " + ".join(f"{ROW_NAMES[g][:3]}{v}" for g, v in zip(_RESULTS, parts))
                out.append(Problem("table_mismatch", f"表三:{col}:七=一至六",
                                   f"表三 {COLUMN_NAMES[col]}列：（七）总计{rows['total'][j]} ≠ {shown} = {sum(parts)}"))
    for j, col in enumerate(COLUMNS):
        vals = [rows[k][j] if k in rows else None for k in ("new", "carried_in", "total", "carried_out")]
        if None in vals:
            continue
        a, b, c, d = vals
        if a + b != c + d:
            out.append(Problem("table_mismatch", f"表三:{col}:一+二=七+四",
                               f"表三 {COLUMN_NAMES[col]}列：一、本年新收{a} + 二、上年结转{b} = {a + b} ≠ "
                               f"（七）总计{c} + 四、结转下年度继续办理{d} = {c + d}"))
    return _capped("表三", out)


def _table4_problems(t: Table4) -> list[Problem]:
    out: list[Problem] = []
    for g in T4_GROUPS:
        vals = [t.value(g, m) for m in T4_METRICS]
        if None in vals:
            continue
        parts, total = vals[:4], vals[4]
        if total != sum(parts):
            shown = " + ".join(f"{T4_METRIC_NAMES[m]}{v}" for m, v in zip(T4_METRICS, parts))
            out.append(Problem("table_mismatch", f"表四:{g}",
                               f"表四 {T4_GROUP_NAMES[g]}：总计{total} ≠ {shown} = {sum(parts)}"))
    return _capped("表四", out)


def _capped(table: str, problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS_PER_TABLE:
        return problems
    examples = "；".join(p.message for p in problems[:3])
    return [Problem("table_mismatch", f"{table}:多处",
                    f"{table}共{len(problems)}处数据不一致，请人工核对全表（例如：{examples}）")]


def _text_problems(c: ReportContent) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for q in c.quotes:
        if (q.kind, q.value) in seen:
            continue
        seen.add((q.kind, q.value))
        if q.kind == "applications" and c.table3 is not None:
            table, where = c.table3.value("new"), "表三“一、本年新收”总计"
        elif q.kind == "open" and c.table3 is not None:
            table, where = c.table3.value("open"), "表三“（一）予以公开”总计"
        elif q.kind == "review" and c.table4 is not None:
            table, where = c.table4.value("review"), "表四“行政复议”总计"
        elif q.kind == "litigation" and c.table4 is not None:
            a, b = c.table4.value("direct"), c.table4.value("after_review")
            table = None if a is None or b is None else a + b
            where = "表四“行政诉讼”总计（未经复议直接起诉与复议后起诉之和）"
        elif q.kind == "indicator":
            table, where = c.indicators.get(q.label), f"附表“{q.label}”"
        else:
            continue
        if table is not None and table != q.value:
            unit = q.text[-1] if q.kind == "indicator" else "件"
            out.append(Problem("text_mismatch", f"正文:{q.kind}:{q.value}",
                               f"正文称“{q.text}”，{where}为{table}{unit}"))
    return out


def check_report(content: ReportContent, report_year: int | None, *,
                 from_year: int = FORMAT_FROM_YEAR) -> list[Problem]:
    """The report's problems: missing sections, tables that do not add up, text that disagrees with them.

    Reports for years before `from_year` are free text: only the text-vs-附表 check applies.
    `report_year` None (unknown): no section check; the tables are checked if they are there.
    """
    problems: list[Problem] = []
    formatted = report_year is not None and report_year >= from_year
    if formatted:
        if not content.sections and content.table3 is None and content.table4 is None:
            return [Problem("tables_unreadable", "正文",
                            "正文及统计表格均未能读取（可能以图片或附件形式发布），无法核对，请人工核对")]
        for key, title in SECTIONS.items():
            if key not in content.sections:
                problems.append(Problem("section_missing", key, f"缺少“{title}”部分"))
        missing = [name for name, t in (("表三（收到和处理政府信息公开申请情况）", content.table3),
                                        ("表四（政府信息公开行政复议、行政诉讼情况）", content.table4)) if t is None]
        if missing:
            problems.append(Problem("tables_unreadable", "表格",
                                    f"{'、'.join(missing)}未能读取（可能以图片或附件形式发布），"
                                    "无法核对数据，请人工核对"))
    if formatted or report_year is None:
        if content.table3 is not None:
            problems += _table3_problems(content.table3)
        if content.table4 is not None:
            problems += _table4_problems(content.table4)
    problems += _text_problems(content)
    return problems


def carry_over_mismatch(this_year: ReportContent, last_year: ReportContent) -> Problem | None:
    """This year's 二、上年结转 总计 must be last year's 四、结转下年度继续办理 总计."""
    if this_year.table3 is None or last_year.table3 is None:
        return None
    now, before = this_year.table3.value("carried_in"), last_year.table3.value("carried_out")
    if now is None or before is None or now == before:
        return None
    return Problem("carry_over_mismatch", "表三:二=上年四",
                   f"表三“二、上年结转”总计{now}件，与上年度报告“四、结转下年度继续办理”总计{before}件不一致")
