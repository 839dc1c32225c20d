"""Which findings a waiver covers, and on which days it holds."""
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from rules.waivers import covers, in_force, waiver_for

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("waiver, unit, rule, column, expected", [
    ({"unit": "教育局"}, "教育局", "column_stale", "工作动态", True),                       # the whole unit
    ({"unit": "教育局", "rule": "column_stale"}, "教育局", "column_stale", "通知公告", True),
    ({"unit": "教育局", "rule": "column_stale"}, "教育局", "dead_link", None, False),
    ({"unit": "教育局", "column": "工作动态"}, "教育局", "column_empty", "工作动态", True),
    ({"unit": "教育局", "column": "工作动态"}, "教育局", "column_stale", "通知公告", False),
    ({"unit": "教育局"}, "财政局", "column_stale", "工作动态", False),
], ids=["unit", "rule", "other-rule", "column", "other-column", "other-unit"])
def test_what_a_waiver_covers(waiver, unit, rule, column, expected):
    assert covers(waiver, unit, rule, column) is expected


def test_a_recorded_waiver_holds_from_the_office_day_it_was_recorded():
    # 2026-11-22 17:00 UTC is already 11-23 in Beijing: the waiver starts on the 23rd.
    waiver = {"unit": "教育局", "until": "2026-12-31", "created": "2026-11-22T17:00:00+00:00"}
    assert not in_force(waiver, date(2026, 11, 22), SH)
    assert in_force(waiver, date(2026, 11, 23), SH)
    assert in_force(waiver, date(2026, 12, 31), SH) and not in_force(waiver, date(2027, 1, 1), SH)


def test_a_config_waiver_holds_from_its_from_date_or_always():
    dated = {"unit": "教育局", "until": date(2026, 12, 31), "from": date(2026, 12, 1)}
    standing = {"unit": "教育局", "until": date(2026, 12, 31)}
    assert not in_force(dated, date(2026, 11, 30), SH) and in_force(dated, date(2026, 12, 1), SH)
    assert in_force(standing, date(2020, 1, 1), SH)


def test_the_first_waiver_in_force_that_covers_it():
    waivers = [{"unit": "教育局", "rule": "dead_link", "until": "2026-12-31", "reason": "a"},
               {"unit": "教育局", "until": "2026-11-01", "reason": "expired"},
               {"unit": "教育局", "until": "2026-12-31", "reason": "b"}]
    assert waiver_for("教育局", "column_stale", None, waivers, date(2026, 11, 27), SH)["reason"] == "b"
    assert waiver_for("财政局", "column_stale", None, waivers, date(2026, 11, 27), SH) is None
