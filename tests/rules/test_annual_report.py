"""Annual report content: six sections, 表三/表四 identities, text vs tables, across years (rules/annual_report.py)."""
import time
import unicodedata
from pathlib import Path

import pytest

from rules.annual_report import Problem, carry_over_mismatch, check_report
from rules.report_content import MAX_COLS, MAX_ROWS, MAX_TABLES, cell_value, parse_report, parse_report_cached

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "annual_report"
SHARED = REPO / ".." / "shared"
PINGTAN = SHARED / "corpus" / "real" / "pingtan_dishuiju_2013_report.html"
HENGSHAN = SHARED / "reference" / "hengshan-2017-annual-report.txt"


def content(name: str):
    return parse_report((FIXTURES / name).read_text(encoding="utf-8"))


def triples(problems):
    return [(p.kind, p.key, p.message) for p in problems]


# ---- every fixture, its problems exactly ---------------------------------------------------------

CASES = [
    ("ok_2021.html", 2021, []),
    ("variants_2022.html", 2022, []),   # 一． 二 、 三， （四） 六： headings; <th>; １０; blanks; 2019-style (六); 表四 transposed
    ("missing_section_5.html", 2021, [
        ("section_missing", "五", "缺少“五、存在的主要问题及改进情况”部分"),
    ]),
    ("table3_row_total.html", 2021, [   # one typo: the row, the 总计 column's balance, and the text all disagree
        ("table_mismatch", "表三:new:行合计", "表三 一、本年新收：总计21 ≠ 自然人12 + 法人或其他组织8 = 20"),
        ("table_mismatch", "表三:total:一+二=七+四",
         "表三 总计列：一、本年新收21 + 二、上年结转1 = 22 ≠ （七）总计19 + 四、结转下年度继续办理2 = 21"),
        ("text_mismatch", "正文:applications:20", "正文称“收到政府信息公开申请20件”，表三“一、本年新收”总计为21件"),
    ]),
    ("table3_total7.html", 2021, [
        ("table_mismatch", "表三:natural:七=一至六",
         "表三 自然人列：（七）总计13 ≠ （一）5 + （二）1 + （三）1 + （四）4 + （五）1 + （六）0 = 12"),
        ("table_mismatch", "表三:total:七=一至六",
         "表三 总计列：（七）总计20 ≠ （一）8 + （二）1 + （三）2 + （四）5 + （五）3 + （六）0 = 19"),
    ]),
    ("table3_balance.html", 2021, [
        ("table_mismatch", "表三:natural:一+二=七+四",
         "表三 自然人列：一、本年新收12 + 二、上年结转1 = 13 ≠ （七）总计12 + 四、结转下年度继续办理2 = 14"),
        ("table_mismatch", "表三:total:一+二=七+四",
         "表三 总计列：一、本年新收20 + 二、上年结转1 = 21 ≠ （七）总计19 + 四、结转下年度继续办理3 = 22"),
    ]),
    ("text_applications_23.html", 2021, [
        ("text_mismatch", "正文:applications:23", "正文称“收到政府信息公开申请23件”，表三“一、本年新收”总计为21件"),
    ]),
    ("table4_totals.html", 2021, [
        ("table_mismatch", "表四:review", "表四 行政复议：总计3 ≠ 结果维持1 + 结果纠正0 + 其他结果0 + 尚未审结1 = 2"),
        ("table_mismatch", "表四:direct",
         "表四 行政诉讼（未经复议直接起诉）：总计0 ≠ 结果维持0 + 结果纠正1 + 其他结果0 + 尚未审结0 = 1"),
    ]),
    ("tables_as_images.html", 2021, [
        ("tables_unreadable", "表格", "表三（收到和处理政府信息公开申请情况）、表四（政府信息公开行政复议、"
         "行政诉讼情况）未能读取（可能以图片或附件形式发布），无法核对数据，请人工核对"),
    ]),
    ("attachment_only.html", 2021, [
        ("tables_unreadable", "正文", "正文及统计表格均未能读取（可能以图片或附件形式发布），无法核对，请人工核对"),
    ]),
    # Pre-2019 free text with the old 附表: no section/table checks, but 23 in the text vs 21 in the 附表.
    ("pre2019_policy_interpretation_2017.html", 2017, [
        ("text_mismatch", "正文:indicator:23", "正文称“政策解读稿件发布23篇”，附表“3.政策解读稿件发布数”为21篇"),
    ]),
]


@pytest.mark.parametrize("name, year, expected", CASES, ids=[c[0].removesuffix(".html") for c in CASES])
def test_fixture_problems_exactly(name, year, expected):
    assert triples(check_report(content(name), year)) == expected


def test_correct_report_is_read_completely():
    c = content("ok_2021.html")
    assert list(c.sections) == ["一", "二", "三", "四", "五", "六"]
    t3 = c.table3
    assert t3.rows["new"] == (12, 5, 0, 1, 2, 0, 20)
    assert t3.rows["total"] == (12, 5, 0, 0, 2, 0, 19)
    assert t3.rows["carried_out"] == (1, 0, 0, 1, 0, 0, 2)
    assert [k for k in t3.rows if k.startswith("deny.")] == [f"deny.{i}" for i in range(1, 9)]
    assert [k for k in t3.rows if k.startswith("other.")] == ["other.1", "other.2", "other.3"]
    assert t3.rows["deny.1"] == (0,) * 7 and ("deny.1", 6) in t3.blanks     # "—" cells
    assert t3.rows["reject.3"] == (0,) * 7                                      # "/" and empty cells
    assert dict(c.table4.groups["review"]) == {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2}
    assert c.table4.value("direct") == 1 and c.table4.value("after_review") == 0
    assert sorted((q.kind, q.value) for q in c.quotes) == [
        ("applications", 20), ("litigation", 1), ("open", 8), ("review", 2)]
    # The statistics tables are not part of the text; the page chrome is harmless.
    assert "本年新收政府信息公开申请数量" not in c.text and "收到政府信息公开申请20件" in c.text


def test_variant_layouts_are_read():
    c = content("variants_2022.html")
    assert c.sections["四"] == "(四)政府信息公开行政复议、行政诉讼情况"
    assert c.table3.rows["new"] == (9, 1, 0, 0, 0, 0, 10)                     # full-width digits
    assert c.table3.rows["unable.1"] == (3, 0, 0, 0, 0, 0, 3)                 # unnumbered sub-row, by its words
    assert "other" in c.table3.rows and "other.1" not in c.table3.rows          # 2019 trial format: one (六) row
    assert {g: c.table4.value(g) for g in ("review", "direct", "after_review")} == \
        {"review": 0, "direct": 0, "after_review": 0}                            # transposed, "—" as 0
    kinds = {(q.kind, q.value) for q in c.quotes}
    assert ("applications", 10) in kinds and ("applications", 35) not in kinds  # 全县 is another scope
    assert {("review", 0), ("litigation", 0)} <= kinds                          # 未发生…行政复议、提起行政诉讼


# ---- years ----------------------------------------------------------------------------------------

def test_before_2019_no_section_or_table_checks():
    assert check_report(content("missing_section_5.html"), 2018) == []
    assert check_report(content("tables_as_images.html"), 2018) == []
    assert check_report(content("table4_totals.html"), 2018) == []


def test_unknown_year_checks_tables_but_not_sections():
    assert check_report(content("missing_section_5.html"), None) == []
    assert [p.key for p in check_report(content("table4_totals.html"), None)] == ["表四:review", "表四:direct"]


def test_first_format_year_is_a_parameter():
    assert check_report(content("missing_section_5.html"), 2021, from_year=2022) == []
    assert [p.key for p in check_report(content("missing_section_5.html"), 2019)] == ["五"]


# ---- across years ---------------------------------------------------------------------------------

def test_carry_over_agrees():
    assert carry_over_mismatch(content("variants_2022.html"), content("ok_2021.html")) is None


def test_carry_over_disagrees():
    p = carry_over_mismatch(content("ok_2021.html"), content("ok_2021.html"))
    assert p == Problem("carry_over_mismatch", "表三:二=上年四",
                        "表三“二、上年结转”总计1件，与上年度报告“四、结转下年度继续办理”总计2件不一致")


def test_carry_over_needs_both_tables():
    assert carry_over_mismatch(content("tables_as_images.html"), content("ok_2021.html")) is None
    assert carry_over_mismatch(content("ok_2021.html"), content("attachment_only.html")) is None


# ---- the real pages -------------------------------------------------------------------------------

@pytest.mark.skipif(not PINGTAN.exists(), reason="shared corpus not present")
def test_pingtan_2013_free_text_report_gives_no_problems():
    c = parse_report(PINGTAN.read_text(encoding="utf-8"))
    assert c.table3 is None and c.table4 is None and not c.indicators
    assert "2013年新增主动公开政府信息45条" in c.text
    assert check_report(c, 2013) == []


@pytest.mark.skipif(not HENGSHAN.exists(), reason="shared reference not present")
def test_policy_interpretation_fixture_is_modelled_on_the_hengshan_reference():
    """The reference's text says 23 policy interpretations and its 附表 21; the fixture keeps those words."""
    ref = "".join(unicodedata.normalize("NFKC", HENGSHAN.read_text(encoding="utf-8")).split())
    assert "政策解读稿件发布23篇" in ref and "3.政策解读稿件发布数21" in ref
    c = content("pre2019_policy_interpretation_2017.html")
    assert c.indicators["3.政策解读稿件发布数"] == 21
    # Other 政策解读 figures in the text use other words and are not compared.
    assert [(q.kind, q.value) for q in c.quotes] == [("indicator", 23)]


# ---- sections -------------------------------------------------------------------------------------

STANDARD = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def sections_of(*lines):
    return dict(parse_report("".join(f"<p>{ln}</p>" for ln in lines)).sections)


@pytest.mark.parametrize("heading, key", [
    ("一、总体情况", "一"), ("一．总体情况", "一"), ("一 、 总体情况", "一"), ("一，总体情况", "一"),
    ("<strong>一、</strong><span>总体情况</span>", "一"), ("一、总体情况。2021年，我局……", "一"),
    ("五、政府信息公开工作存在的主要问题及改进情况", "五"), ("五、存在问题及改进情况", "五"),
    ("五、存在的主要问题及改进措施", "五"), ("（五）存在的主要问题及改进情况", "五"),
    ("三、依申请公开政府信息情况", "三"), ("六：其他需要报告的事项", "六"), ("其他需要报告的事项", "六"),
], ids=lambda v: str(v))
def test_section_heading_variants(heading, key):
    lines = [heading if s.startswith(key) else s for s in STANDARD]
    assert key in sections_of(*lines)


def test_sub_headings_of_section_one_are_not_sections_two_and_three():
    found = sections_of("一、总体情况", "（一）主动公开", "（二）依申请公开", "四、政府信息公开行政复议、行政诉讼情况")
    assert list(found) == ["一", "四"]


def test_a_numbered_line_inside_a_later_section_does_not_count():
    found = sections_of("一、总体情况", "五、存在的主要问题及改进情况", "二、依申请公开答复还不够规范")
    assert list(found) == ["一", "五"]


def test_body_sentences_are_not_headings():
    assert sections_of("本报告包括总体情况、主动公开政府信息情况等六部分。", "一是主动公开政府信息情况良好") == {}


# ---- cells ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12", ("value", 12)), ("１２", ("value", 12)), (" 1 2 ", ("value", 12)), ("1,234", ("value", 1234)),
    ("12件", ("value", 12)), ("0", ("value", 0)),
    ("", ("blank", 0)), ("\xa0", ("blank", 0)), ("—", ("blank", 0)), ("——", ("blank", 0)), ("-", ("blank", 0)),
    ("－", ("blank", 0)), ("/", ("blank", 0)), ("无", ("blank", 0)),
    ("见附件", ("label", None)), ("1.5", ("label", None)), ("自然人", ("label", None)),
], ids=repr)
def test_cell_values(text, expected):
    assert cell_value(text) == expected


# ---- tables in other shapes -----------------------------------------------------------------------

ROWS = [("一、本年新收政府信息公开申请数量", (2, 1, 0, 0, 0, 0, 3)), ("二、上年结转政府信息公开申请数量", (0,) * 7),
        ("（一）予以公开", (1, 1, 0, 0, 0, 0, 2)), ("（二）部分公开", (0,) * 7), ("（六）其他处理", (1, 0, 0, 0, 0, 0, 1)),
        ("（七）总计", (2, 1, 0, 0, 0, 0, 3)), ("四、结转下年度继续办理", (0,) * 7)]


def table3_html(rows=ROWS, header=True):
    head = ("<tr><td></td><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td>"
            "<td>其他</td><td>总计</td></tr>") if header else ""
    body = "".join(f"<tr><td>{label}</td>" + "".join(f"<td>{v}</td>" for v in vals) + "</tr>" for label, vals in rows)
    return f"<table>{head}{body}</table>"


def test_table3_without_its_header_is_read_by_position():
    c = parse_report(table3_html(header=False))
    assert c.table3 is not None and c.table3.rows["open"] == (1, 1, 0, 0, 0, 0, 2)
    assert check_report(c, None) == []


def test_blank_total_beside_non_zero_parts_is_said_to_be_blank():
    rows = [(label, vals[:6] + ("",)) if label == "（一）予以公开" else (label, vals) for label, vals in ROWS]
    c = parse_report(table3_html(rows))
    assert triples(check_report(c, None))[0] == (
        "table_mismatch", "表三:open:行合计", "表三 （一）予以公开：总计（空白） ≠ 自然人1 + 法人或其他组织1 = 2")


def test_printed_subtotal_row_must_equal_its_sub_rows():
    rows = ROWS[:4] + [("（三）不予公开", (1, 0, 0, 0, 0, 0, 1)), ("（三）不予公开1.属于国家秘密", (0,) * 7),
                       ("（三）不予公开2.其他法律行政法规禁止公开", (0,) * 7)] + ROWS[4:]
    keys = [p.key for p in check_report(parse_report(table3_html(rows)), None)]
    assert "表三:deny:natural:分项" in keys and "表三:deny:total:分项" in keys


def test_a_table_that_does_not_add_up_anywhere_gives_one_summary():
    labels = [label for label, _ in ROWS[:4]] + ["（三）不予公开", "（四）无法提供", "（五）不予处理"] + \
        [label for label, _ in ROWS[4:]]
    rows = [(label, (i, 0, 0, 0, 0, 0, 99)) for i, label in enumerate(labels)]
    (p,) = check_report(parse_report(table3_html(rows)), None)
    assert p.kind == "table_mismatch" and p.key == "表三:多处" and "请人工核对全表" in p.message


def test_words_where_a_number_belongs_skip_that_identity():
    rows = [(label, vals[:6] + ("见附件",)) if label.startswith("一") else (label, vals) for label, vals in ROWS]
    c = parse_report(table3_html(rows))
    assert c.table3.value("new") is None and check_report(c, None) == []


def test_tables_nested_in_a_layout_table_are_found():
    page = f"<table><tr><td>一、总体情况 正文很长……行政复议 维持 纠正 指标 单位</td></tr><tr><td>{table3_html()}</td></tr></table>"
    c = parse_report(page)
    assert c.table3 is not None and "一、总体情况" in c.text


# ---- quotes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("本机关共收到政府信息公开申请23件。", [("applications", 23)]),
    ("本年度新收政府信息公开申请23件。", [("applications", 23)]),
    ("本年度未收到政府信息公开申请。", [("applications", 0)]),
    ("2021年全县共收到政府信息公开申请350件。", []),
    ("共收到政府信息公开申请25件（含上年结转2件）。", []),
    ("收到政府信息公开申请数量较上年增加5件。", []),
    ("其中网上收到政府信息公开申请20件。", []),
    ("政务服务中心共受理申请12000件。", []),
    ("办理结果中，予以公开8件，部分公开1件。", [("open", 8)]),
    ("予以公开及部分公开258件。", []),
    ("主动予以公开文件12件。", []),
    ("因政府信息公开被申请行政复议2件，被提起行政诉讼1件。", [("review", 2), ("litigation", 1)]),
    ("信息公开类行政复议7件，诉讼9件，均获维持。", [("review", 7), ("litigation", 9)]),
    ("全年办理行政复议案件120件。", []),
    ("未发生因政府信息公开被申请行政复议的情况。", [("review", 0)]),
    ("未发生政府信息公开行政复议被纠错情况。", []),
], ids=lambda v: v if isinstance(v, str) else "")
def test_only_unambiguous_quotes_are_taken(sentence, expected):
    assert sorted((q.kind, q.value) for q in parse_report(f"<p>{sentence}</p>").quotes) == sorted(expected)


# ---- untrusted input ------------------------------------------------------------------------------

HOSTILE = {
    "empty": "",
    "not_html": "\x00\x01<<<>>>&&&;;",
    "bytes": "<p>一、总体情况</p>".encode("utf-8"),
    "bad_spans": "<table><tr><td rowspan=x colspan=-3>1</td><td colspan='99999999999'>2<td rowspan=0>3",
    "huge_spans": "<table>" + ("<tr>" + "<td rowspan=100000 colspan=100000>1</td>" * 100 + "</tr>") * 100 + "</table>",
    "long_table": "<table>" + "<tr><td>（七）总计</td>" + "<td>1</td>" * 7 + "</tr>" * 2000 + "</table>",
    "wide_table": "<table>" + ("<tr>" + "<td>1</td>" * 2000 + "</tr>") * 20 + "</table>",
    "many_tables": "<table><tr><td>行政复议</td><td>维持</td></tr><tr><td>1</td><td>2</td></tr></table>" * 500,
    "nested_tables": "<table><tr><td>" * 200 + "x" + "</td></tr></table>" * 200,
    "deep_nesting": "<div>" * 5000 + "一、总体情况" + "</div>" * 5000,
    "unclosed": "<html><body><p>一、总体情况<table><tr><td>本年新收<td>1<tr><td>上年结转",
    "script_only": "<script>收到政府信息公开申请23件</script>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_never_crashes_and_stays_bounded(name):
    start = time.monotonic()
    c = parse_report(HOSTILE[name])
    for year in (2013, 2021, None):
        assert isinstance(check_report(c, year), list)
    assert c.tables_seen <= MAX_TABLES
    if c.table3 is not None:
        assert len(c.table3.rows) <= MAX_ROWS
    assert time.monotonic() - start < 20
    assert not c.quotes if name == "script_only" else True


def test_grid_limits_are_sane():
    assert MAX_ROWS >= 40 and MAX_COLS >= 16   # 表三 has 25 rows and 10 columns, 表四 15 columns


def test_parse_is_memoised_for_several_rules():
    html = (FIXTURES / "ok_2021.html").read_text(encoding="utf-8")
    assert parse_report_cached(html) is parse_report_cached(html)
