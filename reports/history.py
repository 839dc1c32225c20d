"""Past periods from the findings ledger: the comparison, the trend, a unit's history. Pure.

The ledger (rules/ledger.py) keeps one entry per unit + rule + target with
the day it was first seen and the day it was rectified, so the problems of
any past period can be counted without re-judging anything. For the period
[start, end]:

    open at end   first_seen <= end and (rectified_at is None or rectified_at > end)
    new           open at end and start <= first_seen     (新发现)
    still open    open at end and first_seen < start      (仍未整改: carried over)
    rectified     start <= rectified_at <= end            (已整改)

so open = new + still open, and a problem found and fixed within the same
period counts once, as rectified - the way the export's ledger states
(new/open/rectified) count it on the period's own page.

A waiver (config or store) in force at the end takes a problem out of the
open counts, as it takes it out of that period's problem list.

Limits of the ledger: a problem that comes back after being rectified
replaces its old entry (rules.ledger.update), so its first occurrence no
longer counts in the periods it was open; and the ledger does not know which
units were checked in a period.
"""
from __future__ import annotations

from calendar import monthrange
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence

from rules.ledger import Entry

from . import labels
from .model import _parse_date as _date
from .model import TREND_PERIODS, PeriodSummary, RuleCount, Totals, UnitSummary
from .periods import cn_range, period_kind, period_range
from .text import clean_text


@dataclass(frozen=True)
class History:
    """The periods of one kind ending on as_of, oldest first; the last one is as_of's own."""
    period: str
    as_of: date
    periods: tuple[PeriodSummary, ...]

    @property
    def current(self) -> PeriodSummary:
        return self.periods[-1]

    @property
    def previous(self) -> PeriodSummary | None:
        return self.periods[-2] if len(self.periods) > 1 else None


@dataclass(frozen=True)
class LedgerRow:
    """One ledger entry on a unit's page (问题类型, 栏目, 首次发现, 状态, 整改日期)."""
    rule: str
    problem_type: str
    severity: str
    severity_label: str
    column: str | None
    description: str
    first_seen: date
    deadline: date | None
    state: str                   # new | open | rectified | waived, as of the page's date
    state_label: str
    overdue: bool                # still open after its deadline (已超期)
    rectified_at: date | None


def period_ranges(period: str, as_of: date, count: int = TREND_PERIODS) -> list[tuple[date, date]]:
    """The `count` periods ending with as_of's own, oldest first.

    Weeks are the seven days ending on as_of, as_of - 7, …; months are whole
    calendar months before as_of's (partial) month.
    """
    period_kind(period)
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    ranges = [period_range(period, as_of)]
    while len(ranges) < count:
        start, _ = ranges[-1]
        end = start - timedelta(days=1)
        if end < date.min + timedelta(days=40):
            break
        ranges.append((end - timedelta(days=6), end) if period == "week" else (end.replace(day=1), end))
    return ranges[::-1]


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def build_history(entries: Iterable[Entry], period: str, as_of: date, *, count: int = TREND_PERIODS,
                  since: date | None = None, waivers: Iterable[Mapping[str, Any]] = ()) -> History:
    """Summaries of the `count` periods ending on as_of, from ledger entries.

    Periods that end before `since` (default: the earliest first_seen in the
    ledger) are left out: before the first judged crawl there is no data,
    which is not the same as no problems. as_of's own period is always there.
    """
    entries = list(entries)
    waivers = list(waivers)
    if since is None:
        since = min((e.first_seen for e in entries), default=as_of)
    ranges = period_ranges(period, as_of, count)
    kept = [r for r in ranges[:-1] if r[1] >= since] + [ranges[-1]]
    return History(period=period, as_of=as_of,
                   periods=tuple(summarise_period(entries, period, s, e, waivers=waivers) for s, e in kept))


def summarise_period(entries: Iterable[Entry], period: str | None, start: date, end: date, *,
                     waivers: Sequence[Mapping[str, Any]] = ()) -> PeriodSummary:
    """One period [start, end] counted from the ledger (see the module docstring)."""
    open_at_end: list[Entry] = []
    new: Counter[str] = Counter()
    rectified: Counter[str] = Counter()
    units: set[str] = set()
    carried = 0
    for e in entries:
        if e.first_seen > end:
            continue
        name = clean_text(e.unit)
        units.add(name)
        if e.rectified_at is not None and e.rectified_at <= end:
            if e.rectified_at >= start:
                rectified[name] += 1
            continue
        if waived(e, end, waivers):
            continue
        open_at_end.append(e)
        if e.first_seen >= start:
            new[name] += 1
        else:
            carried += 1
    by_unit_open: dict[str, list[Entry]] = defaultdict(list)
    for e in open_at_end:
        by_unit_open[clean_text(e.unit)].append(e)
    severities = Counter(e.severity for e in open_at_end)
    rules = Counter(e.rule for e in open_at_end)
    by_rule = sorted(rules.items(), key=lambda kv: (-kv[1], labels.rule_rank(kv[0]), kv[0]))
    totals = Totals(
        units_checked=0,   # not recorded in the ledger
        units_with_problems=len(by_unit_open),
        problem_count=len(open_at_end),
        veto_count=severities["veto"],
        deduction_count=severities["deduction"],
        warning_count=severities["warning"],
        unreachable_count=len({clean_text(e.unit) for e in open_at_end if e.rule == "site_unreachable"}),
        rectified_count=sum(rectified.values()),
        waived_count=0,
        by_rule=tuple(RuleCount(rule, labels.rule_label(rule), n) for rule, n in by_rule),
    )
    by_unit = tuple(UnitSummary(
        name=name, problem_count=len(by_unit_open.get(name, ())),
        veto_count=sum(1 for e in by_unit_open.get(name, ()) if e.severity == "veto"),
        new_count=new[name], rectified_count=rectified[name]) for name in sorted(units))
    return PeriodSummary(start=start, end=end, period_label=cn_range(start, end), totals=totals,
                         period=period, new_count=sum(new.values()), still_open_count=carried,
                         by_unit=by_unit)


def waived(entry: Entry, on: date, waivers: Iterable[Mapping[str, Any]]) -> bool:
    """A waiver in force on `on` covers this entry (unit, and rule/column when given).

    The same matching as export.waiver_for. A waiver from sites.yaml has no
    start date, so it counts as in force from the beginning until `until`.
    """
    for w in waivers:
        until = _date(w.get("until"))
        created = _date(w.get("created"))
        if until is None or until < on or (created is not None and created > on):
            continue
        if w.get("unit") == entry.unit and w.get("rule") in (None, entry.rule) \
                and w.get("column") in (None, entry.column):
            return True
    return False


def unit_ledger(entries: Iterable[Entry], unit: str, period_start: date, as_of: date, *,
                waivers: Sequence[Mapping[str, Any]] = ()) -> tuple[LedgerRow, ...]:
    """A unit's ledger entries as its page shows them on as_of: open ones first
    (longest outstanding first), then rectified ones (latest first)."""
    rows = []
    for e in entries:
        if clean_text(e.unit) != unit or e.first_seen > as_of:
            continue
        rectified_at = e.rectified_at if e.rectified_at is not None and e.rectified_at <= as_of else None
        if rectified_at is not None:
            state = "rectified"
        elif waived(e, as_of, waivers):
            state = "waived"
        else:
            state = "new" if e.first_seen >= period_start else "open"
        rule = clean_text(e.rule) or "unknown"
        severity = clean_text(e.severity) or "warning"
        column = clean_text(e.column) or None
        rows.append(LedgerRow(
            rule=rule, problem_type=labels.rule_label(rule), severity=severity,
            severity_label=labels.severity_label(severity), column=column,
            description=clean_text(e.message) or labels.rule_label(rule),
            first_seen=e.first_seen, deadline=e.deadline, state=state,
            state_label=labels.state_label(state),
            overdue=state in ("new", "open") and e.deadline is not None and as_of > e.deadline,
            rectified_at=rectified_at))
    rows.sort(key=lambda r: (r.state in labels.CLOSED_STATES,
                             -(r.rectified_at or r.first_seen).toordinal() if r.state in labels.CLOSED_STATES
                             else r.first_seen.toordinal(),
                             labels.severity_rank(r.severity), labels.rule_rank(r.rule), r.column or ""))
    return tuple(rows)


