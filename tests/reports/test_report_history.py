"""Past periods from the findings ledger: counts, the comparison, the trend, and the page showing them."""
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from jobs import period_report
from reports import build_period, render_bytes
from reports.history import build_history, period_ranges, unit_ledger
from reports.renderers.html import render_period_page
from report_exports import SCRIPT, export, finding
from report_exports import unit as unit_export
from report_history import assert_well_formed
from timeline import AS_OF, crawl, five_weeks, fresh, judged, stale, unit, week


def counts(summary):
    return (summary.totals.problem_count, summary.new_count, summary.totals.rectified_count,
            summary.still_open_count)


# ---- periods -----------------------------------------------------------------------------

def test_weeks_are_the_seven_days_ending_on_as_of_and_each_week_before():
    ranges = period_ranges("week", AS_OF)
    assert len(ranges) == 12
    assert ranges[-1] == (date(2026, 11, 21), AS_OF)
    assert ranges[-2] == (date(2026, 11, 14), date(2026, 11, 20))
    assert ranges[0] == (date(2026, 9, 5), date(2026, 9, 11))
    assert all(b[0] - a[1] == timedelta(days=1) for a, b in zip(ranges, ranges[1:]))


def test_months_are_whole_calendar_months_before_the_current_partial_one():
    ranges = period_ranges("month", date(2026, 2, 10), count=4)
    assert ranges == [(date(2025, 11, 1), date(2025, 11, 30)), (date(2025, 12, 1), date(2025, 12, 31)),
                      (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 10))]


# ---- counting each period as its own report counts it --------------------------------------

def history_of(store, period="week", as_of=AS_OF, **kw):
    return build_history(judged(store, as_of, **kw), period, as_of)


@pytest.mark.parametrize("weeks_back, expected", [
    (4, (1, 1, 0, 0)),   # 工作动态 stale found
    (3, (2, 1, 0, 1)),   # 人事信息 empty found, the stale column carried over
    (2, (3, 1, 0, 2)),   # a dead link found
    (1, (2, 0, 1, 2)),   # 人事信息 rectified on the last day: not open at the end, counted as rectified
    (0, (2, 1, 1, 1)),   # 通知公告 stale found, the dead link rectified, 工作动态 still open
], ids=["first-week", "second-finding", "peak", "rectified-on-end-day", "current"])
def test_open_new_rectified_and_carried_over_per_week(store, weeks_back, expected):
    five_weeks(store)
    by_end = {s.end: s for s in history_of(store).periods}
    assert counts(by_end[week(weeks_back)]) == expected


def test_trend_starts_with_the_first_crawl_not_twelve_empty_weeks(store):
    five_weeks(store)
    history = history_of(store)
    assert [s.end for s in history.periods] == [week(n) for n in (4, 3, 2, 1, 0)]
    assert [s.totals.problem_count for s in history.periods] == [1, 2, 3, 2, 2]
    assert history.previous.end == week(1) and history.current.end == AS_OF


def one_new_dead_link_a_week(store, weeks):
    for n in range(weeks - 1, -1, -1):
        crawl(store, week(n), {"甲局": unit({"工作动态": week(n).isoformat()},
                                            links={f"/dead{k}": 404 for k in range(n, weeks)})})


def test_a_long_history_gives_the_last_twelve_periods_oldest_first(store):
    one_new_dead_link_a_week(store, 20)
    history = history_of(store)
    assert len(history.periods) == 12
    # one new dead link a week, none fixed: 9 open at the end of week(11) … 20 now
    assert [s.totals.problem_count for s in history.periods] == list(range(9, 21))


def test_weeks_without_findings_after_the_first_crawl_are_kept(store):
    crawl(store, week(2), {"甲局": fresh(week(2))})
    crawl(store, week(1), {"甲局": fresh(week(1))})
    crawl(store, week(0), {"甲局": stale(week(0))})
    assert [(s.end, s.totals.problem_count) for s in history_of(store).periods] == \
        [(week(2), 0), (week(1), 0), (AS_OF, 1)]


def test_no_crawl_has_only_the_current_period(store):
    history = history_of(store)
    assert len(history.periods) == 1 and history.previous is None
    assert history.current.totals.problem_count == 0


def test_per_unit_counts_and_severities(store):
    five_weeks(store)
    summary = history_of(store).periods[-2]    # week ending 11-20
    by_unit = {u.name: u for u in summary.by_unit}
    assert (by_unit["甲局"].problem_count, by_unit["甲局"].rectified_count, by_unit["甲局"].score) == (1, 1, 98.0)
    assert (by_unit["乙局"].problem_count, by_unit["乙局"].veto_count) == (1, 0)
    t = summary.totals
    assert (t.units_with_problems, t.veto_count, t.deduction_count) == (2, 0, 2)
    assert [(rc.rule, rc.count) for rc in t.by_rule] == [("column_stale", 1), ("dead_link", 1)]


def test_an_unreachable_site_counts_once(store):
    crawl(store, week(1), {"城关镇": unit(reachable=False), "甲局": fresh(week(1))})
    assert history_of(store, as_of=week(1)).current.totals.unreachable_count == 1


@pytest.mark.parametrize("waiver, hidden", [
    ({"unit": "甲局", "rule": None, "column": None, "reason": "r", "until": date(2026, 12, 31)}, True),
    ({"unit": "甲局", "rule": "column_stale", "column": "工作动态", "reason": "r", "until": "2026-12-31"}, True),
    ({"unit": "甲局", "rule": "dead_link", "column": None, "reason": "r", "until": "2026-12-31"}, False),
    ({"unit": "甲局", "reason": "r", "until": "2026-11-19"}, False),                       # expired before the end
    ({"unit": "甲局", "reason": "r", "until": "2026-12-31", "from": "2026-11-25"}, False),  # holds only later
], ids=["unit-wide", "rule-and-column", "other-rule", "expired", "from-after-the-period"])
def test_a_waiver_in_force_at_the_end_takes_the_problem_out(store, waiver, hidden):
    for n in (3, 2, 1):
        crawl(store, week(n), {"甲局": stale(week(n))})
    summary = history_of(store, as_of=week(1), waivers=(waiver,)).current
    assert summary.totals.problem_count == (0 if hidden else 1)


def test_a_recorded_waiver_hides_nothing_before_the_day_it_was_recorded(store):
    for n in (3, 2, 1, 0):
        crawl(store, week(n), {"甲局": stale(week(n))})
    store.add_waiver("甲局", None, None, "机构改革", date(2026, 12, 31), created="2026-11-24T02:00:00+00:00")
    assert [s.totals.problem_count for s in history_of(store).periods] == [1, 1, 1, 0]


# ---- the view model ----------------------------------------------------------------------

def export_with(problems: int):
    """An export whose one unit has `problems` open findings."""
    return export(unit_export("甲局", *[finding("dead_link", "deduction", column=f"栏目{i}", state="open")
                                        for i in range(problems)]))


def twenty_then_sixteen(store):
    """20 dead links open at the end of last week; 6 rectified this week, 2 new: 16 now."""
    links = {f"/t{n}": 404 for n in range(20)}
    for n in (2, 1):
        crawl(store, week(n), {"甲局": unit({"工作动态": week(n).isoformat()}, links=links)})
    now = {f"/t{n}": 404 for n in range(6, 20)} | {"/n0": 404, "/n1": 404}
    crawl(store, AS_OF, {"甲局": unit({"工作动态": AS_OF.isoformat()}, links=now)})
    return period_report(judged(store, AS_OF), "week")


def test_previous_period_totals_and_changes(store):
    report = twenty_then_sixteen(store)
    assert report.previous.end == week(1)
    assert (report.previous.totals.problem_count, report.totals.problem_count) == (20, 16)
    assert (report.changes.new_count, report.changes.rectified_count, report.changes.still_open_count) == (2, 6, 14)


def test_trend_is_oldest_first_and_ends_with_this_report(store):
    report = twenty_then_sixteen(store)
    assert [s.end for s in report.trend] == [week(2), week(1), AS_OF]
    assert [s.totals.problem_count for s in report.trend] == [20, 20, 16]
    assert report.trend[-1].totals == report.totals


def test_trend_keeps_twelve_periods_with_this_one_last(store):
    one_new_dead_link_a_week(store, 30)
    report = period_report(judged(store, AS_OF), "week")
    assert len(report.trend) == 12
    assert report.trend[0].end == week(11) and report.trend[-1].end == AS_OF
    assert report.trend[-1].totals.problem_count == report.totals.problem_count == 30


def test_without_history_nothing_changes():
    report = build_period(export_with(2), "week", AS_OF)
    assert report.previous is None and report.trend == () and report.changes is None
    assert not report.has_history


def test_history_for_another_period_is_refused(store):
    five_weeks(store)
    with pytest.raises(ValueError, match="history is for the week ending 2026-11-20"):
        build_period(export_with(1), "week", AS_OF, history=build_history(judged(store, week(1)), "week", week(1)))
    with pytest.raises(ValueError, match="month"):
        build_period(export_with(1), "week", AS_OF, history=history_of(store, "month"))


def test_monthly_previous_is_the_whole_previous_month(store):
    oct5, oct20, nov6 = date(2026, 10, 5), date(2026, 10, 20), date(2026, 11, 6)
    crawl(store, oct5, {"甲局": stale(oct5), "乙局": fresh(oct5)})
    crawl(store, oct20, {"甲局": stale(oct20), "乙局": stale(oct20)})
    crawl(store, nov6, {"甲局": fresh(nov6), "乙局": stale(nov6)})
    report = period_report(judged(store, AS_OF), "month")
    assert (report.previous.start, report.previous.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert report.previous.totals.problem_count == 2 and report.previous.new_count == 2


# ---- a unit's ledger ---------------------------------------------------------------------

def test_unit_ledger_states_overdue_and_order(store):
    five_weeks(store)
    judgement = judged(store, AS_OF)
    rows = unit_ledger(judgement.entries, "甲局", AS_OF - timedelta(days=6), AS_OF)
    assert [(r.rule, r.state, r.overdue, r.rectified_at) for r in rows] == [
        ("column_stale", "open", True, None),              # first seen 10-30, deadline 11-13 passed
        ("column_empty", "rectified", False, week(1)),
    ]
    assert rows[0].problem_type == "栏目更新不及时" and rows[1].column == "人事信息"


def test_unit_ledger_as_of_a_past_date_shows_later_fixes_as_open(store):
    five_weeks(store)
    rows = unit_ledger(judged(store, AS_OF).entries, "乙局", week(1) - timedelta(days=6), week(1))
    assert [(r.rule, r.state) for r in rows] == [("dead_link", "open")]


# ---- the period page -----------------------------------------------------------------------

def page(report, site: bool = False) -> str:
    if site:
        return render_period_page(report, site=True).decode("utf-8")
    return render_bytes(report, "html").decode("utf-8")


def test_page_compares_with_the_previous_period(store):
    html = page(twenty_then_sixteen(store))
    soup = BeautifulSoup(html, "lxml")
    compare = soup.select_one(".compare").get_text()
    assert compare.startswith("与上期（2026年11月14日—11月20日）相比：")
    assert "问题总数 16（上期 20，↓4）" in compare
    assert "存在问题单位 1（上期 1，持平）" in compare
    assert soup.select_one(".compare .better").get_text() == "↓4"
    assert soup.select_one(".changes").get_text() == "本期新发现问题 2 个，已整改 6 个，仍未整改 14 个。"
    assert_well_formed(html)


def test_trend_chart_is_inline_svg_with_a_text_alternative(store):
    html = page(twenty_then_sixteen(store))
    soup = BeautifulSoup(html, "lxml")
    svg = soup.find("svg")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "trend-title trend-desc"
    assert soup.find(id="trend-title").get_text() == "近 3 期问题总数趋势"
    desc = soup.find(id="trend-desc").get_text()
    assert desc == ("近 3 期问题总数（由早到晚）：2026年11月7日—11月13日 20 个；"
                    "2026年11月14日—11月20日 20 个；2026年11月21日—11月27日 16 个。")
    assert soup.select_one("figure.trend figcaption").get_text() == desc
    rects = svg.find_all("rect")
    assert len(rects) == 3
    heights = [float(r["height"]) for r in rects]
    assert heights[0] == heights[1] > heights[2] > 0
    labels = [t.get_text() for t in svg.find_all("text")]
    assert labels == ["20", "11/13", "20", "11/20", "16", "11/27"]
    # no script, no external reference, from the chart or anywhere
    assert not soup.find_all(["script", "image", "use", "foreignobject", "img"])
    assert "href" not in str(svg)
    assert_well_formed(html)


def test_no_history_no_chart_and_no_comparison(store):
    for report in (build_period(export_with(2), "week", AS_OF),
                   build_period(export_with(2), "week", AS_OF, history=history_of(store))):
        soup = BeautifulSoup(page(report), "lxml")
        assert soup.find("svg") is None and soup.find("figure") is None
        assert soup.select_one(".compare") is None and soup.select_one(".changes") is None


def test_monthly_chart_labels_months(store):
    for day in (date(2026, 9, 3), date(2026, 10, 3), date(2026, 11, 3)):
        crawl(store, day, {"甲局": unit({"工作动态": "2026-08-01"})})
    report = period_report(judged(store, AS_OF), "month")
    labels = [t.get_text() for t in BeautifulSoup(page(report), "lxml").find("svg").find_all("text")][1::2]
    assert labels == ["26年9月", "26年10月", "26年11月"]


def test_hostile_names_stay_text_on_a_page_with_history(store):
    hostile = f"甲局{SCRIPT}"
    for n in (2, 1, 0):
        crawl(store, week(n), {hostile: unit({"工作动态<svg onload=alert(1)>": "2026-08-01"})})
    report = period_report(judged(store, AS_OF), "week")
    html = page(report, site=True)
    soup = BeautifulSoup(html, "lxml")
    assert len(soup.find_all("svg")) == 1                     # only the chart
    assert not soup.find_all("script")
    assert SCRIPT in soup.get_text()
    assert_well_formed(html)


def test_found_and_fixed_within_a_month_counts_once_as_rectified(store):
    nov6, nov13, nov20 = date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20)
    crawl(store, nov6, {"甲局": stale(nov6)})
    crawl(store, nov13, {"甲局": stale(nov13, links={"/x": 404})})
    crawl(store, nov20, {"甲局": fresh(nov20) | {"links": {"/x": 404}}})
    s = history_of(store, "month").current
    assert counts(s) == (1, 1, 1, 0)       # open = new + still open; the fixed one is only rectified
