"""Past periods from the findings ledger: counts, the comparison, the trend, and the page showing them."""
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from reports import build_period, render_bytes
from reports.history import build_history, period_ranges, summarise_period, unit_ledger
from reports.renderers.html import render_period_page
from report_exports import SCRIPT, export, finding, unit
from report_history import AS_OF, assert_well_formed, entry, five_weeks, week


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


# ---- counting from the ledger ------------------------------------------------------------

@pytest.mark.parametrize("weeks_back, expected", [
    (4, (1, 1, 0, 0)),   # a found
    (3, (2, 1, 0, 1)),   # b found, a carried over
    (2, (3, 1, 0, 2)),   # c found
    (1, (2, 0, 1, 2)),   # b rectified on the last day: not open at the end, counted as rectified
    (0, (2, 1, 1, 1)),   # d found, c rectified, a still open
], ids=["first-week", "second-finding", "peak", "rectified-on-end-day", "current"])
def test_open_new_rectified_and_carried_over_per_week(weeks_back, expected):
    history = build_history(five_weeks(), "week", AS_OF)
    by_end = {s.end: s for s in history.periods}
    assert counts(by_end[week(weeks_back)]) == expected


def test_trend_starts_with_the_first_data_not_twelve_empty_weeks():
    history = build_history(five_weeks(), "week", AS_OF)
    assert [s.end for s in history.periods] == [week(n) for n in (4, 3, 2, 1, 0)]
    assert [s.totals.problem_count for s in history.periods] == [1, 2, 3, 2, 2]
    assert history.previous.end == week(1) and history.current.end == AS_OF


def test_a_long_ledger_gives_the_last_twelve_periods_oldest_first():
    entries = [entry("甲局", "dead_link", f"t{n}", week(n), severity="deduction") for n in range(20)]
    history = build_history(entries, "week", AS_OF)
    assert len(history.periods) == 12
    # one new link a week, none fixed: 9 open at the end of week(11) … 20 now
    assert [s.totals.problem_count for s in history.periods] == list(range(9, 21))


def test_since_keeps_weeks_without_findings_after_the_first_crawl():
    history = build_history([entry("甲局", first_seen=week(0))], "week", AS_OF, since=week(2))
    assert [(s.end, s.totals.problem_count) for s in history.periods] == [(week(2), 0), (week(1), 0), (AS_OF, 1)]


def test_empty_ledger_has_only_the_current_period():
    history = build_history([], "week", AS_OF)
    assert len(history.periods) == 1 and history.previous is None
    assert history.current.totals.problem_count == 0


def test_per_unit_counts_and_severities():
    summary = build_history(five_weeks(), "week", AS_OF).periods[-2]    # week ending 11-20
    by_unit = {u.name: u for u in summary.by_unit}
    assert (by_unit["甲局"].problem_count, by_unit["甲局"].veto_count, by_unit["甲局"].rectified_count) == (1, 1, 1)
    assert (by_unit["乙局"].problem_count, by_unit["乙局"].veto_count) == (1, 0)
    t = summary.totals
    assert (t.units_with_problems, t.veto_count, t.deduction_count) == (2, 1, 1)
    assert [(rc.rule, rc.count) for rc in t.by_rule] == [("column_stale", 1), ("dead_link", 1)]


def test_site_unreachable_counts_units_not_entries():
    entries = [entry("城关镇", "site_unreachable", "home", week(1), column=None),
               entry("城关镇", "site_unreachable", "other", week(1), column=None)]
    assert summarise_period(entries, "week", week(1) - timedelta(days=6), week(1)).totals.unreachable_count == 1


@pytest.mark.parametrize("waiver, hidden", [
    ({"unit": "甲局", "rule": None, "column": None, "until": date(2026, 12, 31)}, True),
    ({"unit": "甲局", "rule": "column_stale", "column": "工作动态", "until": "2026-12-31"}, True),
    ({"unit": "甲局", "rule": "dead_link", "column": None, "until": "2026-12-31"}, False),
    ({"unit": "甲局", "until": "2026-11-19"}, False),                              # expired before the end
    ({"unit": "甲局", "until": "2026-12-31", "created": "2026-11-25T08:00:00+00:00"}, False),  # granted later
], ids=["unit-wide", "rule-and-column", "other-rule", "expired", "granted-after-the-period"])
def test_a_waiver_in_force_at_the_end_takes_the_problem_out(waiver, hidden):
    entries = [entry("甲局", first_seen=week(3))]
    summary = summarise_period(entries, "week", week(1) - timedelta(days=6), week(1), waivers=[waiver])
    assert summary.totals.problem_count == (0 if hidden else 1)


# ---- the view model ----------------------------------------------------------------------

def export_with(problems: int, **kw):
    """An export whose one unit has `problems` open findings (the first few as given by kw)."""
    states = kw.get("states", ["open"] * problems)
    return export(unit("甲局", *[finding("dead_link", "deduction", column=f"栏目{i}", state=s)
                                 for i, s in enumerate(states)]))


def twenty_then_sixteen():
    """20 dead links open at the end of last week; 6 rectified this week, 2 new: 16 now."""
    entries = [entry("甲局", "dead_link", f"t{n}", week(2), week(0) if n < 6 else None, "deduction")
               for n in range(20)]
    entries += [entry("甲局", "dead_link", f"n{n}", week(0), severity="deduction") for n in range(2)]
    data = export_with(16, states=["new"] * 2 + ["open"] * 14 + ["rectified"] * 6)
    return build_period(data, "week", AS_OF, history=build_history(entries, "week", AS_OF))


def test_previous_period_totals_and_changes():
    report = twenty_then_sixteen()
    assert report.previous.end == week(1)
    assert (report.previous.totals.problem_count, report.totals.problem_count) == (20, 16)
    assert (report.changes.new_count, report.changes.rectified_count, report.changes.still_open_count) == (2, 6, 14)


def test_trend_is_oldest_first_and_ends_with_this_report():
    report = twenty_then_sixteen()
    assert [s.end for s in report.trend] == [week(2), week(1), AS_OF]
    assert [s.totals.problem_count for s in report.trend] == [20, 20, 16]
    assert report.trend[-1].totals == report.totals


def test_trend_keeps_twelve_periods_with_this_one_last():
    entries = [entry("甲局", "dead_link", f"t{n}", week(n), severity="deduction") for n in range(30)]
    report = build_period(export_with(3), "week", AS_OF, history=build_history(entries, "week", AS_OF))
    assert len(report.trend) == 12
    assert report.trend[0].end == week(11) and report.trend[-1].end == AS_OF
    assert report.trend[-1].totals.problem_count == 3     # the page's own count, not the ledger's 30


def test_without_history_nothing_changes():
    report = build_period(export_with(2), "week", AS_OF)
    assert report.previous is None and report.trend == () and report.changes is None
    assert not report.has_history


def test_history_for_another_period_is_refused():
    with pytest.raises(ValueError, match="history is for the week ending 2026-11-20"):
        build_period(export_with(1), "week", AS_OF, history=build_history(five_weeks(), "week", week(1)))
    with pytest.raises(ValueError, match="month"):
        build_period(export_with(1), "week", AS_OF, history=build_history(five_weeks(), "month", AS_OF))


def test_monthly_previous_is_the_whole_previous_month():
    entries = [entry("甲局", first_seen=date(2026, 10, 5), rectified_at=date(2026, 11, 6)),
               entry("乙局", first_seen=date(2026, 10, 20))]
    report = build_period(export_with(1), "month", AS_OF, history=build_history(entries, "month", AS_OF))
    assert (report.previous.start, report.previous.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert report.previous.totals.problem_count == 2 and report.previous.new_count == 2


# ---- a unit's ledger ---------------------------------------------------------------------

def test_unit_ledger_states_overdue_and_order():
    entries = five_weeks() + [entry("甲局", "homepage_stale", "h", week(0) + timedelta(days=1))]  # after as_of
    rows = unit_ledger(entries, "甲局", AS_OF - timedelta(days=6), AS_OF)
    assert [(r.rule, r.state, r.overdue, r.rectified_at) for r in rows] == [
        ("column_stale", "open", True, None),              # first seen 10-30, deadline 11-13 passed
        ("column_empty", "rectified", False, week(1)),
    ]
    assert rows[0].problem_type == "栏目更新不及时" and rows[1].column == "人事信息"


def test_unit_ledger_as_of_a_past_date_shows_later_fixes_as_open():
    rows = unit_ledger(five_weeks(), "乙局", week(1) - timedelta(days=6), week(1))
    assert [(r.rule, r.state) for r in rows] == [("dead_link", "open")]


# ---- the period page -----------------------------------------------------------------------

def page(report, site: bool = False) -> str:
    if site:
        return render_period_page(report, site=True).decode("utf-8")
    return render_bytes(report, "html").decode("utf-8")


def test_page_compares_with_the_previous_period():
    html = page(twenty_then_sixteen())
    soup = BeautifulSoup(html, "lxml")
    compare = soup.select_one(".compare").get_text()
    assert compare.startswith("与上期（2026年11月14日—11月20日）相比：")
    assert "问题总数 16（上期 20，↓4）" in compare
    assert "存在问题单位 1（上期 1，持平）" in compare
    assert soup.select_one(".compare .better").get_text() == "↓4"
    assert soup.select_one(".changes").get_text() == "本期新发现问题 2 个，已整改 6 个，仍未整改 14 个。"
    assert_well_formed(html)


def test_trend_chart_is_inline_svg_with_a_text_alternative():
    html = page(twenty_then_sixteen())
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


def test_no_history_no_chart_and_no_comparison():
    for report in (build_period(export_with(2), "week", AS_OF),
                   build_period(export_with(2), "week", AS_OF, history=build_history([], "week", AS_OF))):
        soup = BeautifulSoup(page(report), "lxml")
        assert soup.find("svg") is None and soup.find("figure") is None
        assert soup.select_one(".compare") is None and soup.select_one(".changes") is None


def test_monthly_chart_labels_months():
    entries = [entry("甲局", first_seen=date(2026, 9, 3))]
    report = build_period(export_with(1), "month", AS_OF, history=build_history(entries, "month", AS_OF))
    labels = [t.get_text() for t in BeautifulSoup(page(report), "lxml").find("svg").find_all("text")][1::2]
    assert labels == ["26年9月", "26年10月", "26年11月"]


def test_hostile_names_stay_text_on_a_page_with_history():
    hostile = f"甲局{SCRIPT}"
    entries = [entry(hostile, first_seen=week(2), column=f"<svg onload=alert(1)>")]
    data = export(unit(hostile, finding(column="<svg onload=alert(1)>", state="open")))
    report = build_period(data, "week", AS_OF, history=build_history(entries, "week", AS_OF))
    html = page(report, site=True)
    soup = BeautifulSoup(html, "lxml")
    assert len(soup.find_all("svg")) == 1                     # only the chart
    assert not soup.find_all("script")
    assert SCRIPT in soup.get_text()
    assert_well_formed(html)


def test_found_and_fixed_within_a_month_counts_once_as_rectified():
    entries = [entry("甲局", first_seen=date(2026, 11, 6), rectified_at=date(2026, 11, 20)),
               entry("甲局", "dead_link", "x", date(2026, 11, 13), severity="deduction")]
    s = summarise_period(entries, "month", date(2026, 11, 1), AS_OF)
    assert counts(s) == (1, 1, 1, 0)       # open = new + still open; the fixed one is only rectified
