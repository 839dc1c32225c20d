from datetime import date

import pytest

from reports.periods import cn_range, file_stem, period_range


@pytest.mark.parametrize("period, as_of, first, last", [
    ("week", date(2026, 11, 27), date(2026, 11, 21), date(2026, 11, 27)),
    ("week", date(2027, 1, 3), date(2026, 12, 28), date(2027, 1, 3)),
    ("month", date(2026, 11, 27), date(2026, 11, 1), date(2026, 11, 27)),
    ("month", date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 1)),
    ("month", date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28)),
], ids=["week-seven-days-ending-as-of", "week-across-new-year", "month-to-date",
        "month-on-the-first", "month-february-end"])
def test_period_range(period, as_of, first, last):
    assert period_range(period, as_of) == (first, last)


@pytest.mark.parametrize("start, end, text", [
    (date(2026, 11, 21), date(2026, 11, 27), "2026年11月21日—11月27日"),
    (date(2026, 12, 28), date(2027, 1, 3), "2026年12月28日—2027年1月3日"),
    (date(2026, 11, 1), date(2026, 11, 1), "2026年11月1日"),
], ids=["same-year-once", "year-change-repeated", "single-day"])
def test_chinese_date_range(start, end, text):
    assert cn_range(start, end) == text


def test_file_stems_one_per_week_and_one_per_month():
    assert file_stem("week", date(2026, 11, 27)) == "weekly-2026-11-27"
    assert file_stem("month", date(2026, 11, 27)) == "monthly-2026-11"


def test_unknown_period_names_the_known_ones():
    with pytest.raises(ValueError, match=r"'fortnight'.*week, month"):
        period_range("fortnight", date(2026, 11, 27))
