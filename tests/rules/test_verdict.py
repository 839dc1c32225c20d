"""Veto items and deductions of the 2019 indicators, each at its threshold."""
from datetime import date, timedelta

import pytest

from rules import judge_unit, load_ruleset
from rules.facts import ColumnFacts, UnitFacts
from rules.verdict import FAIL, PASS, UNCHECKED, judge_unit_verdict, ranking

RULES = load_ruleset()
AS_OF = date(2026, 11, 27)


def verdict_of(rows):
    return judge_unit_verdict(rows, RULES, RULES.verdict)


def stale(column):
    return {"rule": "column_stale", "column": column, "state": "open"}


@pytest.mark.parametrize("n, veto", [(4, False), (5, True), (6, True)])
def test_columns_not_updated_veto_at_five(n, veto):
    rows = [stale(f"工作动态{i}") for i in range(n)]
    v = verdict_of(rows)
    assert any(x["id"] == "veto_columns_not_updated" for x in v.vetoes) is veto
    assert (v.verdict == FAIL) is veto


@pytest.mark.parametrize("n, veto", [(4, False), (5, True)])
def test_empty_columns_veto_at_five(n, veto):
    v = verdict_of([{"rule": "column_empty", "column": f"栏目{i}", "state": "new"} for i in range(n)])
    assert any(x["id"] == "veto_empty_columns" for x in v.vetoes) is veto


def test_static_columns_do_not_count_toward_the_not_updated_veto():
    rows = [stale("机构职能")] * 4 + [stale("工作动态")]
    assert not any(x["id"] == "veto_columns_not_updated" for x in verdict_of(rows).vetoes)


def test_deductions_and_pass_mark():
    rows = [stale("政策文件"), {"rule": "dead_link", "column": None, "state": "open"},
            {"rule": "dead_link", "column": None, "state": "open"}]
    v = verdict_of(rows)
    assert v.score == 100 - 5 - 2 and v.verdict == PASS
    assert {d["rule"]: d["points"] for d in v.deductions} == {"column_stale": 5.0, "dead_link": 2.0}


def test_waived_and_rectified_findings_do_not_cost_points():
    v = verdict_of([dict(stale("政策文件"), state="waived"), dict(stale("通知公告"), state="rectified")])
    assert v.score == 100 and v.verdict == PASS


def test_unreachable_site_fails_whatever_the_score():
    v = verdict_of([{"rule": "site_unreachable", "column": None, "state": "new"}])
    assert v.verdict == FAIL and v.score == 100


def unit(columns=(), homepage=None, probes=(0, 0)):
    return UnitFacts(name="u", kind="department", url="http://x/", crawled_at=None, reachable=True,
                     columns=tuple(columns), homepage_newest=homepage, guide_text="",
                     probes_total=probes[0], probes_failed=probes[1])


@pytest.mark.parametrize("rule", ["site_blocked", "site_unverifiable"])
def test_a_unit_that_could_not_be_checked_has_no_score_and_does_not_pass(rule):
    """Nothing of it was read: neither 合格 nor a 100, a person must look (待核验)."""
    unchecked = {"rule": rule, "column": None, "state": "open"}
    v = verdict_of([unchecked])
    assert (v.score, v.verdict) == (None, UNCHECKED)
    assert verdict_of([{**unchecked, "state": "waived"}]).verdict == UNCHECKED   # waived, still unread
    assert verdict_of([{**unchecked, "state": "rectified"}]).verdict == PASS       # read again this time
    down = {"rule": "site_unreachable", "column": None, "state": "open"}
    assert verdict_of([unchecked, down]).verdict == FAIL                          # a veto still fails it


def test_units_that_could_not_be_checked_rank_after_scored_units_and_before_vetoed_ones():
    units = [{"name": "乙", "score": None, "verdict": UNCHECKED, "vetoes": []},
             {"name": "丙", "score": 100.0, "verdict": FAIL, "vetoes": [{"id": "v"}]},
             {"name": "甲", "score": 61.0, "verdict": PASS, "vetoes": []}]
    assert [(r["rank"], r["name"]) for r in ranking(units)] == [(1, "甲"), (2, "乙"), (3, "丙")]


@pytest.mark.parametrize("age, stale_", [(14, False), (15, True)])
def test_homepage_stale_after_two_weeks(age, stale_):
    u = unit(homepage=AS_OF - timedelta(days=age))
    assert any(f.rule == "homepage_stale" for f in judge_unit(u, RULES, AS_OF)) is stale_


def test_homepage_counts_its_columns_when_it_is_a_navigation_shell():
    col = ColumnFacts(name="机构职能", url="http://x/jgzn/", state="list", newest_date=AS_OF - timedelta(days=3))
    assert not any(f.rule == "homepage_stale" for f in judge_unit(unit([col]), RULES, AS_OF))


@pytest.mark.parametrize("probes, unreachable", [
    ((140, 6), False),   # 4.3%
    ((140, 7), True),    # 5.0%: at the threshold
    ((140, 8), True),
    ((10, 10), False),   # too few probes to judge by availability
], ids=["under-5pct", "at-5pct", "over-5pct", "too-few-probes"])
def test_site_unreachable_by_weekly_probe_failures(probes, unreachable):
    u = unit(homepage=AS_OF, probes=probes)
    assert any(f.rule == "site_unreachable" for f in judge_unit(u, RULES, AS_OF)) is unreachable
