"""The findings ledger: what is new, still open, rectified or waived. Pure.

A finding's identity is unit + rule + target, so the same problem seen in
three crawls is one entry with a first-seen date, not three problems.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Iterable

from rules.registry import Finding

NEW, OPEN, RECTIFIED, WAIVED = "new", "open", "rectified", "waived"


def identity(unit: str, rule: str, target: str) -> str:
    return f"{unit}|{rule}|{target}"


def add_working_days(start: date, days: int) -> date:
    """start + N working days (Mon–Fri); public holidays vary by year and are not modelled."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True)
class Entry:
    """One ledger line."""
    identity: str
    unit: str
    rule: str
    target: str
    severity: str
    message: str
    column: str | None
    url: str | None
    element: str | None
    first_seen: date
    last_seen: date
    deadline: date
    rectified_at: date | None = None

    @property
    def is_open(self) -> bool:
        return self.rectified_at is None


def update(entries: Iterable[Entry], findings: Iterable[Finding], judged_units: set[str],
           as_of: date, deadline_days: int = 10) -> list[Entry]:
    """The ledger after judging as_of: new entries opened, missing ones rectified.

    Idempotent: applying the same findings for the same as_of again changes nothing.
    Only units judged this time can have entries rectified (a unit left out of a
    crawl has not fixed anything).
    """
    by_id = {e.identity: e for e in entries}
    seen: set[str] = set()
    for f in findings:
        key = identity(f.unit, f.rule, f.target)
        seen.add(key)
        old = by_id.get(key)
        if old is None or (old.rectified_at is not None and old.rectified_at <= as_of):
            # New, or came back after being fixed: a fresh entry and a fresh deadline.
            by_id[key] = Entry(identity=key, unit=f.unit, rule=f.rule, target=f.target, severity=f.severity,
                               message=f.message, column=f.column, url=f.url, element=f.element,
                               first_seen=as_of, last_seen=as_of,
                               deadline=add_working_days(as_of, deadline_days))
        else:
            by_id[key] = replace(old, message=f.message, severity=f.severity,
                                 last_seen=max(old.last_seen, as_of))
    for key, entry in list(by_id.items()):
        if key not in seen and entry.unit in judged_units and entry.is_open and entry.first_seen < as_of:
            by_id[key] = replace(entry, rectified_at=as_of)
    return list(by_id.values())


_DATES = ("first_seen", "last_seen", "deadline", "rectified_at")


def from_rows(rows) -> list[Entry]:
    """Ledger entries from the store's rows."""
    return [Entry(**{k: (date.fromisoformat(v) if k in _DATES and v else v) for k, v in row.items()})
            for row in rows]


def to_rows(entries) -> list[dict]:
    return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.__dict__.items()} for e in entries]


def state_of(entry: Entry, period_start: date, as_of: date) -> str:
    """new (first seen in this period), open (older and not fixed) or rectified."""
    if entry.rectified_at is not None and entry.rectified_at <= as_of:
        return RECTIFIED
    return NEW if entry.first_seen >= period_start else OPEN
