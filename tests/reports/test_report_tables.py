"""The pieces the Excel, Word, chat and picture forms share: ranking, numbering, text safety."""
import pytest

from reports import build_period
from reports.renderers.tables import cn_numeral, main_problems, ranking, worst_first
from reports.text import clean_text, display_width, encode_href, looks_like_formula
from report_exports import FORMULA_STARTS, INVISIBLE, export, finding, states_export, unit


@pytest.mark.parametrize("n, numeral", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"), (99, "九十九"),
    (100, "一百"), (101, "一百零一"), (110, "一百一十"), (115, "一百一十五"), (999, "九百九十九"),
    (1200, "1200")])
def test_cn_numeral(n, numeral):
    assert cn_numeral(n) == numeral


def test_ranking_best_first_with_shared_ranks():
    """Without the rules' verdict the one ranking is by open problems: fewer vetoes, then fewer problems."""
    report = build_period(export(unit("乙局", finding()), unit("甲局", finding()),
                                 unit("丙局", finding(), finding(severity="deduction")),
                                 unit("丁局", finding(severity="warning")), unit("戊局")), "week")
    assert [(r.rank, r.name, r.problems, r.vetoes, r.deductions, r.warnings) for r in ranking(report)] == [
        (1, "戊局", 0, 0, 0, 0), (2, "丁局", 1, 0, 0, 1), (3, "乙局", 1, 1, 0, 0), (3, "甲局", 1, 1, 0, 0),
        (5, "丙局", 2, 1, 1, 0)]
    assert [(r.rank, r.name) for r in ranking(report, with_clean=False)] == [
        (2, "丁局"), (3, "乙局"), (3, "甲局"), (5, "丙局")]
    # the worst-first list is the same ranking turned round; equal places keep their order
    assert [(r.rank, r.name) for r in worst_first(report)] == [(5, "丙局"), (3, "乙局"), (3, "甲局"), (2, "丁局")]


def test_the_rules_ranking_decides_and_a_veto_ranks_last_whatever_the_score():
    data = export(unit("甲局", finding("site_unreachable", column=None), score=100.0, verdict="不合格",
                       vetoes=[{"label": "站点无法访问"}]),
                  unit("乙局", finding("dead_link", "deduction"), score=99.0, verdict="合格"),
                  unit("丙局", score=100.0, verdict="合格"), unit("丁局", score=100.0, verdict="合格"))
    data["ranking"] = [{"rank": 1, "name": "丙局"}, {"rank": 1, "name": "丁局"}, {"rank": 3, "name": "乙局"},
                       {"rank": 4, "name": "甲局"}]
    report = build_period(data, "week")
    assert [(r.rank, r.name, r.score_label) for r in ranking(report)] == [
        (1, "丙局", "100.0"), (1, "丁局", "100.0"), (3, "乙局", "99.0"), (4, "甲局", "单项否决")]
    assert [(r.rank, r.name) for r in worst_first(report)] == [(4, "甲局"), (3, "乙局")]


def test_main_problems_are_open_kinds_worst_first():
    education = build_period(states_export(), "week").units[0]
    assert main_problems(education) == "栏目更新不及时、空白栏目"     # rectified/waived left out
    assert main_problems(education, most=1) == "栏目更新不及时等"


@pytest.mark.parametrize("text", FORMULA_STARTS + ("\t=1", "\r=1", "\n=1"))
def test_formula_starts(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["工作动态", "2026-11-27", "a=b", "（=1）", ""])
def test_not_formula_starts(text):
    assert not looks_like_formula(text)


def test_invisible_characters_are_cleaned():
    assert clean_text(f"甲{INVISIBLE}局\u00ad\u061c\u180e\ufff9") == "甲局"


def test_display_width_counts_chinese_double():
    assert display_width("清河县") == 6 and display_width("abc") == 3 and display_width("ＡＢ") == 4


def test_encode_href():
    assert encode_href('http://x.gov.cn/a b<c>"d') == "http://x.gov.cn/a%20b%3Cc%3E%22d"
    assert encode_href("http://x.gov.cn/政务?q=%20") == "http://x.gov.cn/%E6%94%BF%E5%8A%A1?q=%20"
    assert encode_href("http://x.gov.cn/(a)[b]", also="()[]") == "http://x.gov.cn/%28a%29%5Bb%5D"
