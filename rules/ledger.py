"""The findings ledger, derived from the crawl history. Pure.

Nothing here is stored or advanced: the ledger of any date is computed from the
finished crawls up to that date (each judged on its own crawl date), so a report
of any date, run any number of times in any order, says the same thing.

A finding's identity is unit + rule + target (a column name, a guide element, a
link's path: never a scheme, host or port, so a site that moves keeps its
history). One entry per identity:

    first_seen     the first finished crawl that saw the problem
    stretches      the spans it was open: opened by a crawl that saw it, closed
                   (rectified_at) by the first later crawl that read its target
                   and no longer saw it. A crawl that could not read the target
                   (the site was down, the column unverifiable) neither sees
                   nor rectifies: the stretch goes on.
    recurrence     a problem seen again within `recurrence_days` of being
                   rectified reopens its entry (复发), keeping its first_seen and
                   deadline; after longer it is a new entry.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping

from rules.facts import NOT_CHECKED, UnitFacts
from rules.registry import RULE_KINDS, Finding

NEW, OPEN, RECURRED, RECTIFIED, WAIVED = "new", "open", "recurred", "rectified", "waived"
OPEN_STATES = (NEW, OPEN, RECURRED)
RECURRENCE_DAYS = 28


def identity(unit: str, rule: str, target: str) -> str:
    return f"{unit}|{rule}|{target}"


@dataclass(frozen=True)
class UnitRead:
    """What one crawl could read of a unit: its disclosure page, and each column's page."""
    read: bool
    columns: Mapping[str, bool]
    checked: bool = True             # False: the crawl's deadline came before the unit
    # Rule kinds that could not judge the unit although its page was read (Rule.abstains:
    # 首页不更新 with a column unread, a guide found but not read…): their problems stay open.
    undecided: frozenset[str] = frozenset()
    # Single problems ("rule|target") the crawl could not judge (Rule.undecided: a link shown
    # but not checked): they stay open as they were.
    undecided_targets: frozenset[str] = frozenset()

    @classmethod
    def of(cls, unit: UnitFacts, undecided: Iterable[str] = (), targets: Iterable[str] = ()) -> "UnitRead":
        return cls(unit.read, {c.name: c.read for c in unit.columns}, unit.page_state != NOT_CHECKED,
                   frozenset(undecided), frozenset(targets))


@dataclass(frozen=True)
class JudgedCrawl:
    """One finished crawl judged on its own date: what it saw and what it could read."""
    run_id: int
    day: date
    findings: tuple[Finding, ...]
    units: Mapping[str, UnitRead]       # every unit the crawl checked, by name

    def to_json(self) -> str:
        """The judgement as text, to keep (store.save_judged_crawl)."""
        return json.dumps({
            "run_id": self.run_id, "day": self.day.isoformat(),
            "findings": [{**asdict(f), "newest_date": f.newest_date and f.newest_date.isoformat()}
                         for f in self.findings],
            "units": {name: [u.read, dict(u.columns), u.checked, sorted(u.undecided), sorted(u.undecided_targets)]
                      for name, u in self.units.items()},
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "JudgedCrawl":
        data = json.loads(text)
        return cls(run_id=data["run_id"], day=date.fromisoformat(data["day"]),
                   findings=tuple(Finding(**{**f, "newest_date": f["newest_date"] and date.fromisoformat(f["newest_date"])})
                                  for f in data["findings"]),
                   units={name: UnitRead(read, columns, checked, frozenset(undecided), frozenset(targets))
                          for name, (read, columns, checked, undecided, targets) in data["units"].items()})

    def reread(self, finding: Finding) -> bool:
        """Whether this crawl read what the finding is about, so not seeing it again means it is fixed."""
        unit = self.units.get(finding.unit)
        if unit is None or not unit.checked:
            return False                 # left out of this crawl: it has fixed nothing
        kind = RULE_KINDS.get(finding.rule)
        if kind is not None and not kind.needs_content:
            return True                  # about reachability: any answer settles it
        if not unit.read or finding.rule in unit.undecided \
                or f"{finding.rule}|{finding.target}" in unit.undecided_targets:
            return False
        if finding.column is None:
            return True
        # A column gone from a site that was read is no longer a problem of that column.
        return unit.columns.get(finding.column, True)


@dataclass(frozen=True)
class Stretch:
    opened: date
    closed: date | None = None           # rectified_at


@dataclass(frozen=True)
class Entry:
    """One problem over time."""
    identity: str
    unit: str
    rule: str
    target: str
    first_seen: date
    deadline: date
    stretches: tuple[Stretch, ...]
    sightings: tuple[tuple[int, date, Finding], ...]   # (run id, crawl date, the finding as seen)

    @property
    def finding(self) -> Finding:
        """The finding as last seen (its message, severity, column, newest date)."""
        return self.sightings[-1][2]

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def column(self) -> str | None:
        return self.finding.column

    @property
    def last_seen(self) -> date:
        return self.sightings[-1][1]

    @property
    def rectified_at(self) -> date | None:
        return self.stretches[-1].closed

    @property
    def is_open(self) -> bool:
        return self.rectified_at is None

    @property
    def recurrences(self) -> int:
        """How many times it came back after being rectified (复发次数)."""
        return len(self.stretches) - 1

    def seen_in(self, run_id: int) -> bool:
        return any(run == run_id for run, _, _ in self.sightings)

    def as_of(self, day: date) -> "Entry | None":
        """The entry as it stood on `day` (None when first seen later): nothing after it shows."""
        if self.first_seen > day:
            return None
        stretches = tuple(s if s.closed is None or s.closed <= day else Stretch(s.opened)
                          for s in self.stretches if s.opened <= day)
        sightings = tuple(s for s in self.sightings if s[1] <= day)
        if stretches == self.stretches and sightings == self.sightings:
            return self
        return replace(self, stretches=stretches, sightings=sightings)

    def state(self, period_start: date) -> str:
        """new / recurred / open while open; rectified once closed (waivers are applied by the caller)."""
        if not self.is_open:
            return RECTIFIED
        if self.first_seen >= period_start:
            return NEW
        if self.recurrences and self.stretches[-1].opened >= period_start:
            return RECURRED
        return OPEN

    def rectified_between(self, start: date, end: date) -> bool:
        return self.rectified_at is not None and start <= self.rectified_at <= end


@dataclass
class _Open:
    """An entry being built while the crawls are replayed."""
    key: str
    first_seen: date
    deadline: date
    stretches: list[Stretch]
    sightings: list[tuple[int, date, Finding]] = field(default_factory=list)

    def frozen(self) -> Entry:
        f = self.sightings[0][2]
        return Entry(identity=self.key, unit=f.unit, rule=f.rule, target=f.target, first_seen=self.first_seen,
                     deadline=self.deadline, stretches=tuple(self.stretches), sightings=tuple(self.sightings))


def derive(crawls: Iterable[JudgedCrawl], deadline_of: Callable[[date], date],
           recurrence_days: int = RECURRENCE_DAYS) -> list[Entry]:
    """The ledger after replaying the crawls, oldest first: one entry per problem and stretch of history."""
    current: dict[str, _Open] = {}       # the latest entry of each identity
    done: list[_Open] = []               # entries a later recurrence window has passed by
    for crawl in crawls:
        seen: dict[str, Finding] = {}
        for f in crawl.findings:
            seen.setdefault(identity(f.unit, f.rule, f.target), f)
        for key, finding in seen.items():
            entry = current.get(key)
            if entry is not None and entry.stretches[-1].closed is not None:
                if crawl.day - entry.stretches[-1].closed > timedelta(days=recurrence_days):
                    done.append(entry)
                    entry = None
                else:
                    entry.stretches.append(Stretch(crawl.day))      # 复发: the same entry reopens
            if entry is None:
                entry = current[key] = _Open(key, crawl.day, deadline_of(crawl.day), [Stretch(crawl.day)])
            entry.sightings.append((crawl.run_id, crawl.day, finding))
        for key, entry in current.items():
            if key not in seen and entry.stretches[-1].closed is None and crawl.reread(entry.sightings[-1][2]):
                entry.stretches[-1] = Stretch(entry.stretches[-1].opened, crawl.day)
    return [e.frozen() for e in done + list(current.values())]


def as_of(entries: Iterable[Entry], day: date) -> list[Entry]:
    """The ledger as it stood on `day`."""
    return [e for e in (entry.as_of(day) for entry in entries) if e is not None]
