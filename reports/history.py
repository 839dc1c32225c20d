"""Past periods: the comparison, the trend and a unit's ledger, from the same judgement as the report.

Each past period is summarised from the export of its own end date, built by
the same code as that period's page (rules.period.Judgement.export), so a bar
of the trend is the 问题总数 the page of that week showed, and shows again
whenever it is rebuilt. For the period [start, end]:

    open      listed by the newest crawl on or before end, not waived then
    new       open, first seen within the period                  (新发现)
    recurred  open again within the period after being rectified   (复发)
    still open  open, first seen before the period                 (仍未整改)
    rectified  rectified within the period and not seen again      (已整改)
"""
from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterable, Mapping

from . import labels
from .model import TREND_PERIODS, PeriodSummary, build_period, summary_of
from .periods import period_kind, period_range
from .text import clean_text

if TYPE_CHECKING:
    from rules.ledger import Entry
    from rules.period import Judgement


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
    state: str                   # new | open | recurred | rectified | waived, as of the page's date
    state_label: str
    overdue: bool                # still open after its deadline (逾期)
    rectified_at: date | None
    recurrences: int = 0         # 复发次数

    @property
    def state_text(self) -> str:
        """状态 with 复发 and 逾期, worded as on every other form (labels.state_text)."""
        return labels.state_text(self.state, self.recurrences, self.overdue)


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


def build_history(judgement: "Judgement", period: str, as_of: date, *, count: int = TREND_PERIODS) -> History:
    """Summaries of the `count` periods ending on as_of, each from the export of its end date.

    Periods that end before the first finished crawl are left out: before it
    there is no data, which is not the same as no problems. as_of's own period
    is always there.
    """
    first = judgement.crawls[0].day if judgement.crawls else as_of
    ranges = period_ranges(period, as_of, count)
    kept = [r for r in ranges[:-1] if r[1] >= first] + [ranges[-1]]
    return History(period=period, as_of=as_of, periods=tuple(
        summary_of(build_period(judgement.export(start, at=end), period, end)) for start, end in kept))


def unit_ledger(entries: Iterable["Entry"], unit: str, period_start: date, as_of: date, *,
                waived: Mapping[str, bool] | None = None) -> tuple[LedgerRow, ...]:
    """A unit's ledger entries as its page shows them on as_of: open ones first
    (longest outstanding first), then rectified ones (latest first).

    `waived` marks the identities a waiver in force on as_of covers.
    """
    rows = []
    for whole in entries:
        e = whole.as_of(as_of)
        if e is None or clean_text(e.unit) != unit:
            continue
        state = "waived" if (waived or {}).get(e.identity) and e.is_open else e.state(period_start)
        rule = clean_text(e.rule) or "unknown"
        severity = clean_text(e.severity) or "warning"
        rows.append(LedgerRow(
            rule=rule, problem_type=labels.rule_label(rule), severity=severity,
            severity_label=labels.severity_label(severity), column=clean_text(e.column) or None,
            description=clean_text(e.message) or labels.rule_label(rule),
            first_seen=e.first_seen, deadline=e.deadline, state=state,
            state_label=labels.state_label(state),
            overdue=state in labels.OPEN_STATES and as_of > e.deadline,
            rectified_at=e.rectified_at, recurrences=e.recurrences))
    rows.sort(key=lambda r: (r.state in labels.CLOSED_STATES,
                             -(r.rectified_at or r.first_seen).toordinal() if r.state in labels.CLOSED_STATES
                             else r.first_seen.toordinal(),
                             labels.severity_rank(r.severity), labels.rule_rank(r.rule), r.column or ""))
    return tuple(rows)
