"""The export: one as-of date's facts and findings, as the JSON of DESIGN.md.

This dict is the contract the reports are built from; field names are stable,
new fields may be added.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from rules import judge, load_ruleset
from rules.facts import UnitFacts
from rules.ruleset import RuleSet
from store import Store


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def unit_export(unit: UnitFacts, findings: list, ruleset: RuleSet) -> dict[str, Any]:
    return {
        "name": unit.name, "kind": unit.kind, "url": unit.url, "reachable": unit.reachable,
        "http_status": unit.http_status, "error": unit.error, "crawled_at": unit.crawled_at,
        "columns": [{"name": c.name, "url": c.url, "category": ruleset.category_of(c.name), "state": c.state,
                     "newest_date": _iso(c.newest_date), "newest_title": c.newest_title,
                     "newest_url": c.newest_url, "item_count": c.item_count, "date_source": c.date_source,
                     "http_status": c.http_status, "error": c.error}
                    for c in unit.columns],
        "findings": [{"rule": f.rule, "severity": f.severity, "column": f.column, "url": f.url,
                      "element": f.element, "message": f.message, "newest_date": _iso(f.newest_date),
                      "newest_title": f.newest_title, "target": f.target}
                     for f in findings],
    }


def build_export(store: Store, as_of: date, ruleset: RuleSet | None = None) -> dict[str, Any]:
    """Judge the newest finished crawl on or before as_of."""
    ruleset = ruleset or load_ruleset()
    run, facts = store.unit_facts(as_of)
    findings = judge(facts, ruleset, as_of)
    return {
        "as_of": as_of.isoformat(),
        "county": run["county"] if run else None,
        "ruleset": ruleset.id,
        "run": {"id": run["id"], "crawl_date": run["crawl_date"], "started": run["started"],
                "finished": run["finished"]} if run else None,
        "units": [unit_export(u, findings[u.name], ruleset) for u in facts],
    }
