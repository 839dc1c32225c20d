"""China's working days: official public holidays and 调休 make-up workdays.

The State Council publishes each year's arrangement in November (国务院办公厅
关于某年部分节假日安排的通知); chinese-calendar carries them. For a year it
does not carry yet, days fall back to Monday–Friday and `uncovered_years`
says which years those were, so reports and `status` can say so.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=None)
def covered(year: int) -> bool:
    """Whether the holiday calendar knows this year's official arrangement."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """A working day in China: holidays off, 调休 weekends on; Mon–Fri for an uncovered year."""
    if covered(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@lru_cache(maxsize=4096)
def add_working_days(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself not counted)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_workday(current):
            days -= 1
    return current


def uncovered_years(start: date, end: date) -> list[int]:
    """Years between start and end (inclusive) counted Mon–Fri for want of the official arrangement."""
    return [y for y in range(start.year, end.year + 1) if not covered(y)]


def calendar_note(start: date, end: date) -> str | None:
    """The footnote a report needs when a deadline in [start, end] was counted without holidays."""
    years = uncovered_years(start, end)
    if not years:
        return None
    shown = "、".join(f"{y}年" for y in years)
    return f"{shown}法定节假日安排尚未收录，整改期限按周一至周五计算工作日，请以国务院公布的安排为准。"


def coverage_line(today: date) -> str:
    """One line for `govfresh status`: how far the official arrangement reaches, and what is counted without it."""
    last = max((y for y in range(2004, today.year + 2) if covered(y)), default=None)
    shown = f"已收录至{last}年" if last else "未收录"
    pending = [y for y in (today.year, today.year + 1) if not covered(y)]
    if not pending:
        return f"法定节假日安排：{shown}"
    years = "、".join(f"{y}年" for y in pending)
    return f"法定节假日安排：{shown}；{years}尚未收录，其整改期限按周一至周五计算（更新 chinese-calendar 后按实际安排）"
