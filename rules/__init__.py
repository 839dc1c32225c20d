"""Judging: rule sets (YAML) applied to crawl facts for an as-of date. Pure."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from rules.facts import ColumnFacts, LinkFacts, UnitFacts
from rules.registry import RULE_KINDS, Finding
from rules.ruleset import RuleSet, RuleSetError, load_ruleset

__all__ = ["judge", "judge_unit", "load_ruleset", "RuleSet", "RuleSetError", "Finding",
           "UnitFacts", "ColumnFacts", "LinkFacts", "RULE_KINDS"]


def judge_unit(unit: UnitFacts, ruleset: RuleSet, as_of: date) -> list[Finding]:
    """One unit's findings. A site whose page was not read gets only findings about that."""
    return [f for rule in ruleset.checks for f in rule.findings(unit, as_of)]


def judge(facts: Iterable[UnitFacts], ruleset: RuleSet, as_of: date) -> dict[str, list[Finding]]:
    """Findings by unit name, in the order the units were given."""
    return {unit.name: judge_unit(unit, ruleset, as_of) for unit in facts}
