import dataclasses
from datetime import date

import pytest

from reports import build_period
from reports.labels import RULE_LABELS
from reports.text import clean_text, safe_href
from report_exports import export, finding, load, unit


def names(units):
    return [u.name for u in units]


def test_two_unit_fixture_totals():
    report = build_period(load("export_two_units.json"), "week")
    t = report.totals
    assert (t.units_checked, t.units_with_problems, t.problem_count, t.veto_count,
            t.deduction_count, t.unreachable_count) == (2, 1, 3, 1, 2, 0)
    assert [(rc.rule, rc.problem_type, rc.count) for rc in t.by_rule] == [
        ("column_stale", "栏目更新不及时", 1),
        ("column_empty", "空白栏目", 1),
        ("guide_missing_element", "公开指南要素缺失", 1),
    ]


def test_titles_name_county_period_and_days():
    data = load("export_two_units.json")
    week = build_period(data, "week")
    month = build_period(data, "month")
    assert week.title == "清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）"
    assert (week.start, week.end, week.as_of) == (date(2026, 11, 21), date(2026, 11, 27), date(2026, 11, 27))
    assert month.title == "清河县政府信息公开检查月问题清单（2026年11月1日—11月27日）"
    assert (month.period, month.period_name, month.start) == ("month", "月", date(2026, 11, 1))
    assert (week.file_stem, month.file_stem) == ("weekly-2026-11-27", "monthly-2026-11")


def test_units_worst_first_vetoes_then_problem_count_then_name():
    """Without verdicts the ranking is by open problems; units list it turned round."""
    data = export(
        unit("甲乡"),                                                   # no problems
        unit("乙局", finding(severity="deduction"), finding("column_empty", "deduction")),
        unit("丙局", finding()),                                        # one veto
        unit("丁局", finding(), finding("column_empty", "deduction")),  # veto + deduction
        unit("戊局", finding()),                                        # one veto, ties 丙局
        unit("己局", finding(state="rectified")),                       # only rectified
    )
    report = build_period(data, "week")
    assert names(report.units) == ["丁局", "丙局", "戊局", "乙局", "己局", "甲乡"]
    assert names(report.units_with_problems) == ["丁局", "丙局", "戊局", "乙局"]
    assert names(report.units_without_problems) == ["己局", "甲乡"]


def test_open_problems_before_closed_and_vetoes_before_deductions_within_a_unit():
    data = export(unit("乙局",
                       finding("dead_link", "deduction"),
                       finding("column_stale", "veto", state="rectified"),
                       finding("column_empty", "veto")))
    rows = build_period(data, "week").units[0].findings
    assert [(f.rule, f.state) for f in rows] == [
        ("column_empty", "new"), ("dead_link", "new"), ("column_stale", "rectified")]


def test_rectified_and_waived_are_shown_but_not_counted():
    data = export(unit("乙局", finding(state="rectified"), finding(state="waived"),
                       finding("column_empty", "deduction", state="open")))
    report = build_period(data, "week")
    t = report.totals
    assert (t.problem_count, t.veto_count, t.rectified_count, t.waived_count) == (1, 0, 1, 1)
    u = report.units[0]
    assert (u.problem_count, u.rectified_count, len(u.findings)) == (1, 1, 3)
    assert [f.state_label for f in u.findings] == ["未整改", "已整改", "已豁免"]


def test_missing_state_means_new():
    row = build_period(export(unit("乙局", finding())), "week").units[0].findings[0]
    assert (row.state, row.state_label, row.is_open) == ("new", "新发现", True)


@pytest.mark.parametrize("rule, label", [
    ("site_unreachable", "网站无法访问"),
    ("column_stale", "栏目更新不及时"),
    ("column_empty", "空白栏目"),
    ("dead_link", "链接无法打开"),
    ("guide_missing_element", "公开指南要素缺失"),
    ("annual_report_missing", "年度报告未按时发布"),
    ("some_future_rule", "some_future_rule"),
], ids=lambda v: v if v.isascii() else "")
def test_problem_type_labels(rule, label):
    row = build_period(export(unit("乙局", finding(rule))), "week").units[0].findings[0]
    assert row.problem_type == label


def test_every_project_rule_id_has_a_label():
    project_rules = {"site_unreachable", "homepage_stale", "column_stale", "column_empty",
                     "column_unreachable", "column_unverifiable", "dead_link", "guide_missing",
                     "guide_missing_element", "annual_report_missing"}
    assert project_rules <= RULE_LABELS.keys()
    assert all(RULE_LABELS[r] and not RULE_LABELS[r].isascii() for r in project_rules)


def test_unreachable_counts_the_crawl_record_and_the_rule():
    data = export(unit("甲乡", reachable=False, error="连接超时"),
                  unit("乙局", finding("site_unreachable", column=None)),
                  unit("丙局"))
    report = build_period(data, "week")
    assert report.totals.unreachable_count == 2
    # a failed crawl alone is not a finding: judging is the rules' job
    assert report.totals.units_with_problems == 1


def test_finding_fills_newest_date_title_and_url_from_its_column():
    data = export(unit("乙局", finding("column_stale", column="工作动态", url=None),
                       columns=[{"name": "工作动态", "url": "http://x.gov.cn/gzdt/",
                                 "newest_date": "2026-10-28", "newest_title": "秋季会议"}]))
    row = build_period(data, "week").units[0].findings[0]
    assert (row.newest_date, row.newest_title, row.link) == (
        date(2026, 10, 28), "秋季会议", "http://x.gov.cn/gzdt/")


def test_a_date_read_in_the_browser_is_marked_so():
    # A clerk who checks it by hand must open the page in a browser: a plain download shows no list.
    cols = [{"name": "工作动态", "url": "http://x.gov.cn/gzdt/", "newest_date": "2026-10-28", "date_source": "browser"},
            {"name": "通知公告", "url": "http://x.gov.cn/tzgg/", "newest_date": "2026-05-02", "date_source": "list"}]
    data = export(unit("乙局", finding("column_stale", column="工作动态", url=None),
                       finding("column_stale", column="通知公告", url=None), columns=cols))
    report = build_period(data, "week")
    assert [r.date_note for r in report.units[0].findings] == ["浏览器渲染", None]
    from reports.renderers.markdown import MarkdownRenderer
    assert "最新更新日期：2026-10-28（浏览器渲染）" in MarkdownRenderer().render(report).decode()


def test_missing_message_gets_a_plain_description():
    data = export(unit("乙局",
                       finding("guide_missing_element", "deduction", column=None,
                               element="office_hours", message=None),
                       finding("column_empty", "deduction", column="人事信息", message="")))
    rows = build_period(data, "week").units[0].findings
    assert [r.description for r in rows] == ["人事信息：空白栏目", "政府信息公开指南缺少“办公时间”"]
    assert rows[1].element_label == "办公时间"


def test_minimal_export_is_tolerated():
    report = build_period({"as_of": "2026-11-27", "units": [{"name": "乙局"}, "junk", {"findings": [None]}]},
                          "month")
    assert report.title.startswith("政府信息公开检查月问题清单")
    assert names(report.units) == ["乙局", "（未命名单位）"]
    assert report.ruleset is None
    assert report.units[0].reachable is None


def test_county_and_as_of_arguments_override_the_export():
    report = build_period(export(as_of="2026-11-27"), "week", as_of=date(2026, 12, 4), county="河西县")
    assert report.title == "河西县政府信息公开检查周问题清单（2026年11月28日—12月4日）"


def test_no_as_of_anywhere_is_an_error():
    with pytest.raises(ValueError, match="as_of"):
        build_period({"units": []}, "week")


def test_model_is_frozen_and_history_is_left_empty():
    report = build_period(load("export_two_units.json"), "week")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "x"
    assert report.previous is None and report.trend == ()


@pytest.mark.parametrize("url, href", [
    ("http://www.qinghe.gov.cn/jyj/", "http://www.qinghe.gov.cn/jyj/"),
    ("HTTPS://www.qinghe.gov.cn/", "HTTPS://www.qinghe.gov.cn/"),
    ("javascript:alert(1)", None),
    ("  JaVaScRiPt:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("\x01javascript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("/jyj/xxgk/", None),
    ("http:alert(1)", None),
    ("http://[::1", None),
    (None, None),
    ("http://x.gov.cn/" + "a" * 3000, None),
], ids=["http", "https-upper", "javascript", "javascript-mixed-case-padded",
        "javascript-split-by-newline", "javascript-behind-control-char", "data",
        "relative", "http-without-host", "broken-ipv6", "none", "too-long"])
def test_only_absolute_http_urls_become_links(url, href):
    assert safe_href(url) == href


def test_clean_text_folds_lines_and_drops_invisible_characters():
    assert clean_text("工作\n# 动态\r\n\t- x") == "工作 # 动态 - x"
    assert clean_text("abc\u202etxt.exe\x00") == "abctxt.exe"
    assert clean_text("字" * 400).endswith("…") and len(clean_text("字" * 400)) == 300


def test_ranking_puts_vetoed_units_last_whatever_their_score():
    from reports import build_period
    export = {"as_of": "2026-11-27", "county": "清河县", "units": [
        {"name": "甲局", "score": 100.0, "verdict": "不合格", "findings": [], "vetoes": [{"label": "站点无法访问"}]},
        {"name": "乙局", "score": 95.0, "verdict": "合格", "findings": []},
        {"name": "丙局", "score": 99.0, "verdict": "合格", "findings": []}]}
    report = build_period(export, "week")
    assert [u.name for u in report.ranked] == ["丙局", "乙局", "甲局"]
    assert report.ranked[-1].vetoes == ("站点无法访问",)
