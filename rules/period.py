"""Judge an as-of date from the store: the one way every command and job judges.

    judgement = judge_as_of(store, date(2026, 11, 27), ruleset, settings)
    export = judgement.export(period_start)          # the export JSON of DESIGN.md
    past = judgement.export(start, at=end)           # what the report of an earlier date said

Every finished crawl up to as_of is judged on its own crawl date and the
ledger is derived from them (rules/ledger.py); waivers count from the day they
were known. Nothing is written: the same store gives the same answer for any
date, however often and in whatever order it is asked.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo

from rules import judge
from rules.facts import UnitFacts, run_facts
from rules.ledger import (OPEN_STATES, RECTIFIED, RECURRENCE_DAYS, WAIVED, Entry, JudgedCrawl, UnitRead, derive,
                          identity)
from rules.registry import RULE_KINDS, Finding
from rules.ruleset import RuleSet
from rules.verdict import judge_unit_verdict, ranking
from rules.waivers import waiver_for
from rules.workdays import add_working_days, calendar_note

if TYPE_CHECKING:
    from store import Store


@dataclass(frozen=True)
class Settings:
    """What sites.yaml says about judging (the defaults match the national rules)."""
    deadline_days: int = 10                  # working days to rectify (整改期限)
    recurrence_days: int = RECURRENCE_DAYS   # back within this many days: 复发, the same entry reopens
    timezone: str = "Asia/Shanghai"
    waivers: tuple[Mapping[str, Any], ...] = ()   # from sites.yaml; `govfresh waive` ones are in the store


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def label_of(rule: str) -> str:
    """问题类型 of a rule id: each rule kind declares its Chinese name."""
    kind = RULE_KINDS.get(rule)
    return kind.label if kind is not None else rule


@dataclass
class Judgement:
    """The finished crawls up to as_of, judged, with the ledger derived from them."""
    as_of: date
    ruleset: RuleSet
    settings: Settings
    runs: list[dict]                         # finished crawls, oldest first
    crawls: list[JudgedCrawl]
    entries: list[Entry]
    waivers: list[Mapping[str, Any]]
    latest_facts: list[UnitFacts]            # the newest crawl's facts, for the columns table
    unfinished: list[dict] = field(default_factory=list)   # failed/aborted crawls after the newest finished one

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def crawl_at(self, day: date) -> tuple[dict, JudgedCrawl] | None:
        """The newest finished crawl on or before `day`."""
        found = None
        for run, crawl in zip(self.runs, self.crawls):
            if crawl.day <= day:
                found = (run, crawl)
        return found

    def waived(self, entry: Entry, day: date) -> bool:
        """A waiver known and in force on `day` covers this entry."""
        return waiver_for(entry.unit, entry.rule, entry.column, self.waivers, day, self.tz) is not None

    # ---- one date's problem list ---------------------------------------------------------

    def unit_rows(self, period_start: date, day: date) -> dict[str, list[dict]]:
        """Each unit's findings as the report of `day` lists them (period from period_start)."""
        at = self.crawl_at(day)
        if at is None:
            return {}
        _, crawl = at
        entries = [e for e in (entry.as_of(day) for entry in self.entries) if e is not None]
        by_identity: dict[str, Entry] = {e.identity: e for e in entries if e.seen_in(crawl.run_id)}
        rows: dict[str, list[dict]] = {name: [] for name in crawl.units}
        for finding in crawl.findings:
            entry = by_identity.get(_key(finding))
            if entry is None or finding.unit not in rows:
                continue
            waiver = waiver_for(finding.unit, finding.rule, finding.column, self.waivers, day, self.tz)
            rows[finding.unit].append(_row(finding, entry, WAIVED if waiver else entry.state(period_start),
                                           day, waiver))
        for entry in entries:
            if entry.unit in rows and entry.rectified_between(period_start, day) and not entry.seen_in(crawl.run_id):
                rows[entry.unit].append(_row(entry.finding, entry, RECTIFIED, day, None))
        return rows

    def export(self, period_start: date, at: date | None = None) -> dict[str, Any]:
        """The export JSON of one date (as_of by default): facts, findings with ledger states, verdicts."""
        day = at or self.as_of
        found = self.crawl_at(day)
        run = found[0] if found else None
        rows = self.unit_rows(period_start, day)
        facts = {u.name: u for u in self.latest_facts} if day == self.as_of else {}
        units = []
        for name, findings in rows.items():
            unit = facts.get(name)
            row = unit_export(unit, findings, self.ruleset) if unit else {"name": name, "findings": findings}
            verdict = judge_unit_verdict(findings, self.ruleset, self.ruleset.verdict)
            row.update(score=verdict.score, verdict=verdict.verdict, vetoes=list(verdict.vetoes),
                       deductions=list(verdict.deductions))
            units.append(row)
        open_rows = [f for u in units for f in u["findings"] if f["state"] not in (RECTIFIED,)]
        return {
            "as_of": day.isoformat(),
            "county": run["county"] if run else None,
            "ruleset": self.ruleset.id,
            "ruleset_title": self.ruleset.title,
            "period_start": period_start.isoformat(),
            "timezone": self.settings.timezone,
            "run": {"id": run["id"], "crawl_date": run["crawl_date"], "started": run["started"],
                    "finished": run["finished"]} if run else None,
            "data_note": self._data_note(run, period_start),
            "unfinished_runs": [{"crawl_date": r["crawl_date"], "status": r["status"], "note": r["note"]}
                                for r in self.unfinished if day == self.as_of],
            "calendar_note": _calendar_note(open_rows),
            "units": units,
            "ranking": ranking(units),
        }

    def _data_note(self, run: dict | None, period_start: date) -> str | None:
        """What the reader must know about how old the data is (本期未检查…), or None when it is this period's."""
        if run is None:
            return "尚无已完成的检查，本期无数据"
        if date.fromisoformat(run["crawl_date"]) >= period_start:
            return None
        finished = _local(run.get("finished"), self.tz)
        return f"本期未检查，数据截至{finished or run['crawl_date']}（最近一次完成的检查）"


def _key(finding: Finding) -> str:
    return identity(finding.unit, finding.rule, finding.target)


def _local(stamp: str | None, tz: ZoneInfo) -> str | None:
    """A stored UTC timestamp as the office reads it: 2026-11-27 09:05."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment.tzinfo else moment.strftime("%Y-%m-%d %H:%M")


def _row(f: Finding, entry: Entry, state: str, day: date, waiver: Mapping[str, Any] | None) -> dict[str, Any]:
    still_open = state in OPEN_STATES
    return {"rule": f.rule, "label": label_of(f.rule), "severity": f.severity, "column": f.column, "url": f.url,
            "element": f.element, "message": f.message, "newest_date": _iso(f.newest_date),
            "newest_title": f.newest_title, "target": f.target, "state": state,
            "first_seen": _iso(entry.first_seen), "last_seen": _iso(entry.last_seen),
            "age_days": (day - entry.first_seen).days if state != RECTIFIED else None,
            "deadline": _iso(entry.deadline), "rectified_at": _iso(entry.rectified_at),
            "recurrences": entry.recurrences,
            "overdue": still_open and day > entry.deadline,
            "waiver": waiver and {"reason": waiver["reason"], "until": str(waiver["until"])}}


def _calendar_note(rows: list[dict]) -> str | None:
    spans = [(date.fromisoformat(r["first_seen"]), date.fromisoformat(r["deadline"]))
             for r in rows if r.get("first_seen") and r.get("deadline")]
    if not spans:
        return None
    return calendar_note(min(s for s, _ in spans), max(e for _, e in spans))


def unit_export(unit: UnitFacts, findings: list[dict], ruleset: RuleSet) -> dict[str, Any]:
    """One unit of the export: what the crawl saw of it, and its findings."""
    return {
        "name": unit.name, "kind": unit.kind, "url": unit.url, "reachable": unit.reachable,
        "read": unit.read, "blocked": unit.blocked,
        "state": unit.page_state,   # read | unreachable | blocked | unverifiable | not_checked
        "http_status": unit.http_status, "error": unit.error, "crawled_at": unit.crawled_at,
        "columns": [{"name": c.name, "url": c.url, "category": ruleset.category_of(c.name), "state": c.state,
                     "newest_date": _iso(c.newest_date), "newest_title": c.newest_title,
                     "newest_url": c.newest_url, "item_count": c.item_count, "date_source": c.date_source,
                     "list_source": c.list_source,
                     "http_status": c.http_status, "error": c.error}
                    for c in unit.columns],
        "findings": findings,
    }


def judge_crawl(store: "Store", run: dict, ruleset: RuleSet) -> tuple[JudgedCrawl, list[UnitFacts]]:
    """One finished crawl judged on its own crawl date."""
    day = date.fromisoformat(run["crawl_date"])
    facts = run_facts(store, run, day)
    findings = judge(facts, ruleset, day)
    return (JudgedCrawl(run_id=run["id"], day=day, findings=tuple(f for fs in findings.values() for f in fs),
                        units={u.name: UnitRead.of(u, {r.kind for r in ruleset.checks if u.read and r.abstains(u, day)},
                                                   {f"{r.kind}|{t}" for r in ruleset.checks if u.read
                                                    for t in r.undecided(u, day)})
                               for u in facts}), facts)


_RULES_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def _rules_code() -> str:
    """A hash of the rules' own code and of the store that reads their facts: a judgement kept
    by other code is not reused."""
    digest = hashlib.sha256()
    for path in [*sorted(_RULES_DIR.glob("*.py")), Path(importlib.util.find_spec("store").origin)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def judgement_key(ruleset: RuleSet) -> str:
    """What a kept judgement of a crawl depends on besides the crawl: the rule set and the rules' code."""
    spec = json.dumps([ruleset.id, {k: asdict(c) for k, c in ruleset.categories.items()},
                       [asdict(r) for r in ruleset.rules]], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256((spec + _rules_code()).encode()).hexdigest()[:32]


def kept_judgement(store: "Store", run: dict, ruleset: RuleSet, key: str, today: date) -> JudgedCrawl:
    """A crawl's judgement, kept from an earlier report when the crawl's day is over.

    Only a past day's crawl is kept: its week of availability probes is complete, so
    judging it again would give the same findings.
    """
    kept = store.judged_crawl(run["id"], key)
    if kept is not None:
        return JudgedCrawl.from_json(kept)
    crawl, _ = judge_crawl(store, run, ruleset)
    keep(store, crawl, key, today)
    return crawl


def keep(store: "Store", crawl: JudgedCrawl, key: str, today: date) -> None:
    """Keep a past day's judgement; best effort (a read-only database is judged every time)."""
    if crawl.day < today and store.judged_crawl(crawl.run_id, key) is None:
        try:
            store.save_judged_crawl(crawl.run_id, key, crawl.to_json())
        except sqlite3.OperationalError:
            pass


def judge_as_of(store: "Store", as_of: date, ruleset: RuleSet, settings: Settings = Settings()) -> Judgement:
    """Every finished crawl up to as_of judged, the ledger derived, the waivers known on as_of."""
    runs = store.finished_runs("crawl", until=as_of)
    key, today = judgement_key(ruleset), datetime.now(ZoneInfo(settings.timezone)).date()
    crawls = [kept_judgement(store, run, ruleset, key, today) for run in runs[:-1]]
    latest = []
    if runs:
        crawl, latest = judge_crawl(store, runs[-1], ruleset)   # the newest crawl's facts fill the columns table
        keep(store, crawl, key, today)
        crawls.append(crawl)
    entries = derive(crawls, partial(add_working_days, days=settings.deadline_days), settings.recurrence_days)
    waivers = list(settings.waivers) + store.waivers(date.min)
    unfinished = store.unfinished_runs_after(runs[-1]["id"] if runs else 0, "crawl", as_of)
    return Judgement(as_of=as_of, ruleset=ruleset, settings=settings, runs=runs, crawls=crawls,
                     entries=entries, waivers=waivers, latest_facts=latest, unfinished=unfinished)
