"""China's working days from the official arrangement, and honesty about years it does not cover."""
from datetime import date

from rules.workdays import add_working_days, calendar_note, covered, is_workday, uncovered_years


def test_holidays_are_off_and_make_up_weekends_are_worked():
    assert not is_workday(date(2026, 10, 5))          # 国庆, a Monday
    assert is_workday(date(2026, 10, 10))             # 调休: the Saturday after 国庆 is worked
    assert not is_workday(date(2026, 2, 17))          # 春节
    assert is_workday(date(2026, 2, 14))              # 调休 Saturday before 春节


def test_a_year_without_an_arrangement_falls_back_to_monday_to_friday_and_says_so():
    year = next(y for y in range(2026, 2100) if not covered(y))
    first_monday = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 0)
    assert add_working_days(first_monday, 5) == date(year, 1, first_monday.day + 7)
    assert uncovered_years(date(year - 1, 12, 20), date(year, 1, 10)) == [year]
    note = calendar_note(date(year - 1, 12, 20), date(year, 1, 10))
    assert f"{year}年" in note and "周一至周五" in note
    assert calendar_note(date(2026, 3, 1), date(2026, 3, 31)) is None


def test_status_says_how_far_the_holiday_calendar_reaches():
    from rules.workdays import coverage_line

    year = next(y for y in range(2026, 2100) if not covered(y))
    line = coverage_line(date(year - 1, 12, 1))
    assert f"已收录至{year - 1}年" in line and f"{year}年尚未收录" in line and "周一至周五" in line
    assert "尚未收录" not in coverage_line(date(2025, 6, 1))
