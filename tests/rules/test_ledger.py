"""The findings ledger across runs: new → open → rectified, idempotent, reopenable."""
from datetime import date

from rules.ledger import NEW, OPEN, RECTIFIED, add_working_days, state_of, update
from rules.registry import Finding

W1, W2, W3, W4 = date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27)


def stale(unit="教育局", column="工作动态"):
    return Finding(unit=unit, rule="column_stale", severity="deduction", message="…", column=column,
                   url=f"http://x/{column}/")


def test_three_runs_new_then_open_then_rectified():
    ledger = update([], [stale()], {"教育局"}, W1)
    (e,) = ledger
    assert e.first_seen == W1 and state_of(e, W1, W1) == NEW
    ledger = update(ledger, [stale()], {"教育局"}, W2)
    (e,) = ledger
    assert e.first_seen == W1 and e.last_seen == W2 and state_of(e, date(2026, 11, 7), W2) == OPEN
    ledger = update(ledger, [], {"教育局"}, W3)
    (e,) = ledger
    assert e.rectified_at == W3 and state_of(e, date(2026, 11, 14), W3) == RECTIFIED


def test_rerunning_the_same_date_changes_nothing():
    once = update([], [stale(), stale(column="通知公告")], {"教育局"}, W1)
    assert update(once, [stale(), stale(column="通知公告")], {"教育局"}, W1) == once


def test_a_unit_left_out_of_a_crawl_has_not_fixed_anything():
    ledger = update([], [stale(unit="新兴镇")], {"新兴镇"}, W1)
    (e,) = update(ledger, [], {"教育局"}, W2)
    assert e.is_open


def test_a_problem_that_comes_back_opens_a_fresh_entry():
    ledger = update(update([], [stale()], {"教育局"}, W1), [], {"教育局"}, W2)
    (e,) = update(ledger, [stale()], {"教育局"}, W4)
    assert e.is_open and e.first_seen == W4


def test_deadline_is_ten_working_days():
    (e,) = update([], [stale()], {"教育局"}, date(2026, 11, 27))  # a Friday
    assert e.deadline == date(2026, 12, 11)
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday → Monday
