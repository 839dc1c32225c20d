"""Report periods: which days a weekly or monthly problem list covers.

A week is the seven days ending on the as-of date (the inspection runs on a
fixed weekday, not on calendar weeks); a month is the calendar month of the
as-of date up to that date, so a list run early still says which days it saw.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class PeriodKind:
    name: str          # "周" / "月", as in 周问题清单
    file_prefix: str   # weekly-… / monthly-…


PERIODS: dict[str, PeriodKind] = {
    "week": PeriodKind("周", "weekly"),
    "month": PeriodKind("月", "monthly"),
}


def period_kind(period: str) -> PeriodKind:
    try:
        return PERIODS[period]
    except KeyError:
        known = ", ".join(PERIODS)
        raise ValueError(f"unknown period {period!r}; known periods: {known}") from None


def period_range(period: str, as_of: date) -> tuple[date, date]:
    """First and last day (inclusive) that a period's report covers."""
    period_kind(period)
    if period == "week":
        return as_of - timedelta(days=6), as_of
    return as_of.replace(day=1), as_of


def cn_date(day: date) -> str:
    """2026年11月7日 - the way Chinese official documents write a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_range(start: date, end: date) -> str:
    """2026年11月21日—11月27日; the year is repeated only when it changes."""
    if start == end:
        return cn_date(start)
    if start.year == end.year:
        return f"{cn_date(start)}—{end.month}月{end.day}日"
    return f"{cn_date(start)}—{cn_date(end)}"


def file_stem(period: str, as_of: date) -> str:
    """weekly-2026-11-27 / monthly-2026-11: one file per week, one per month."""
    kind = period_kind(period)
    if period == "week":
        return f"{kind.file_prefix}-{as_of.isoformat()}"
    return f"{kind.file_prefix}-{as_of:%Y-%m}"
