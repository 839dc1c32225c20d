"""The export: one as-of date's facts and findings, as the JSON of DESIGN.md.

This dict is the contract the reports are built from; field names are stable,
new fields may be added.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable

from rules import judge, load_ruleset
from rules.facts import UnitFacts
from rules.facts import latest_facts
from rules.ledger import RECTIFIED, WAIVED, Entry, from_rows, identity, state_of, to_rows, update
from rules.registry import Finding
from rules.ruleset import RuleSet
from rules.verdict import judge_unit_verdict
from store import Store


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def waiver_for(finding: Finding | Entry, waivers: Iterable[dict]) -> dict | None:
    """The first waiver in force that covers this finding (unit, and rule/column when given)."""
    for w in waivers:
        if w["unit"] == finding.unit and w.get("rule") in (None, finding.rule) \
                and w.get("column") in (None, finding.column):
            return w
    return None


def _finding_row(f: Finding | Entry, entry: Entry | None, state: str, as_of: date,
                 waiver: dict | None = None) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "column": f.column, "url": f.url, "element": f.element,
            "message": f.message, "newest_date": _iso(getattr(f, "newest_date", None)),
            "newest_title": getattr(f, "newest_title", None), "target": f.target, "state": state,
            "first_seen": _iso(entry.first_seen) if entry else None,
            "age_days": (as_of - entry.first_seen).days if entry and state not in (RECTIFIED,) else None,
            "deadline": _iso(entry.deadline) if entry else None,
            "rectified_at": _iso(entry.rectified_at) if entry else None,
            "overdue": bool(entry and state not in (RECTIFIED, WAIVED) and as_of > entry.deadline),
            "waiver": waiver and {"reason": waiver["reason"], "until": str(waiver["until"])}}


def unit_export(unit: UnitFacts, findings: list[dict], ruleset: RuleSet) -> dict[str, Any]:
    return {
        "name": unit.name, "kind": unit.kind, "url": unit.url, "reachable": unit.reachable,
        "http_status": unit.http_status, "error": unit.error, "crawled_at": unit.crawled_at,
        "columns": [{"name": c.name, "url": c.url, "category": ruleset.category_of(c.name), "state": c.state,
                     "newest_date": _iso(c.newest_date), "newest_title": c.newest_title,
                     "newest_url": c.newest_url, "item_count": c.item_count, "date_source": c.date_source,
                     "http_status": c.http_status, "error": c.error}
                    for c in unit.columns],
        "findings": findings,
    }


def build_export(store: Store, as_of: date, ruleset: RuleSet | None = None, *,
                 period_start: date | None = None, waivers: Iterable[dict] = (),
                 rectification_days: int = 10) -> dict[str, Any]:
    """Judge the newest finished crawl on or before as_of, and bring the ledger up to date.

    Findings carry their ledger state: new (first seen since period_start), open,
    waived; findings rectified since period_start are listed too, as rectified.
    Judging a past date reads the ledger without changing it.
    """
    ruleset = ruleset or load_ruleset()
    period_start = period_start or as_of - timedelta(days=6)
    run, facts = latest_facts(store, as_of)
    findings = judge(facts, ruleset, as_of)
    entries = from_rows(store.ledger_rows())
    latest = max((e.last_seen for e in entries), default=None)
    if run is not None and (latest is None or as_of >= latest):
        entries = update(entries, [f for fs in findings.values() for f in fs], {u.name for u in facts},
                         as_of, rectification_days)
        store.save_ledger_rows(to_rows(entries))
    by_id = {e.identity: e for e in entries}
    in_force = list(store.waivers(as_of)) + [w for w in waivers if date.fromisoformat(str(w["until"])) >= as_of]
    units = []
    for unit in facts:
        rows = []
        for f in findings[unit.name]:
            entry = by_id.get(identity(f.unit, f.rule, f.target))
            waiver = waiver_for(f, in_force)
            state = WAIVED if waiver else (state_of(entry, period_start, as_of) if entry else "new")
            rows.append(_finding_row(f, entry, state, as_of, waiver))
        for e in entries:
            if e.unit == unit.name and e.rectified_at and period_start <= e.rectified_at <= as_of:
                rows.append(_finding_row(e, e, RECTIFIED, as_of))
        row = unit_export(unit, rows, ruleset)
        v = judge_unit_verdict(rows, ruleset, ruleset.verdict)
        row.update(score=v.score, verdict=v.verdict, vetoes=list(v.vetoes), deductions=list(v.deductions))
        units.append(row)
    return {
        "as_of": as_of.isoformat(),
        "county": run["county"] if run else None,
        "ruleset": ruleset.id,
        "ruleset_title": ruleset.title,
        "period_start": period_start.isoformat(),
        "run": {"id": run["id"], "crawl_date": run["crawl_date"], "started": run["started"],
                "finished": run["finished"]} if run else None,
        "units": units,
        # County ranking: 合格 before 不合格 (a veto fails whatever the score), then by score.
        "ranking": [{"rank": i + 1, "name": u["name"], "score": u["score"], "verdict": u["verdict"]}
                    for i, u in enumerate(sorted(units, key=lambda u: (u["verdict"] != "合格", -u["score"],
                                                                       len(u["vetoes"]), u["name"])))],
    }
