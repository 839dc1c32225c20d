"""Waivers (豁免): which findings a waiver covers, and on which days it holds. Pure.

A waiver recorded with `govfresh waive` holds from the day it was recorded (in
the office's time zone) to its `until`; one in sites.yaml from its `from` (when
given) to its `until`. So a waiver granted today never changes last week's list.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo


def _day(value: Any, tz: ZoneInfo) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    if len(text) > 10:   # a recorded timestamp (UTC): the day it was in the office
        return _day(datetime.fromisoformat(text), tz)
    return date.fromisoformat(text)


def in_force(waiver: Mapping[str, Any], day: date, tz: ZoneInfo) -> bool:
    """The waiver holds on `day`: known by then (recorded or from) and not yet expired."""
    until = _day(waiver.get("until"), tz)
    start = _day(waiver.get("from") or waiver.get("created"), tz)
    return until is not None and until >= day and (start is None or start <= day)


def covers(waiver: Mapping[str, Any], unit: str, rule: str, column: str | None) -> bool:
    """The waiver is for this unit, and for this rule and column when it names them."""
    return (waiver.get("unit") == unit and waiver.get("rule") in (None, "", rule)
            and waiver.get("column") in (None, "", column))


def waiver_for(unit: str, rule: str, column: str | None, waivers: Iterable[Mapping[str, Any]], day: date,
               tz: ZoneInfo) -> Mapping[str, Any] | None:
    """The first waiver in force on `day` that covers this finding, or None."""
    return next((w for w in waivers if covers(w, unit, rule, column) and in_force(w, day, tz)), None)
