"""Scores and verdicts: the 2019 indicators' veto items (单项否决) and deductions (扣分). Pure.

A unit fails (不合格) on any veto item or a score under the pass mark. The
items and their numbers come from the rule set's `verdict:` section.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from rules.ruleset import RuleSet

PASS, FAIL = "合格", "不合格"


@dataclass(frozen=True)
class Verdict:
    score: float
    verdict: str
    vetoes: tuple[dict, ...] = ()        # {"id", "label", "count", "threshold"}
    deductions: tuple[dict, ...] = ()    # {"rule", "label", "count", "points"}
    extra: dict = field(default_factory=dict)


def _matches(finding: dict, item: dict, ruleset: RuleSet) -> bool:
    # Waived and rectified findings are in the ledger, not in the score.
    if finding["rule"] != item["rule"] or finding.get("state") in ("waived", "rectified"):
        return False
    cats = item.get("categories")
    return not cats or (finding.get("column") is not None and ruleset.category_of(finding["column"]) in cats)


def judge_unit_verdict(findings: Iterable[dict], ruleset: RuleSet, spec: dict) -> Verdict:
    """One unit's score, verdict and the veto items it triggered, with the counts that decided them."""
    findings = list(findings)
    vetoes = []
    for item in spec.get("vetoes", []):
        count = sum(1 for f in findings if _matches(f, item, ruleset))
        if count >= item.get("min_count", 1):
            vetoes.append({"id": item["id"], "label": item["label"], "count": count,
                           "threshold": item.get("min_count", 1)})
    deductions, score = [], 100.0
    for item in spec.get("deductions", []):
        count = sum(1 for f in findings if _matches(f, item, ruleset))
        if count:
            points = min(count * float(item["points"]), float(item.get("max_points", 100)))
            score -= points
            deductions.append({"rule": item["rule"], "label": item["label"], "count": count,
                               "points": round(points, 1)})
    score = round(max(score, 0.0), 1)
    failed = bool(vetoes) or score < spec.get("pass_score", 60)
    return Verdict(score=score, verdict=FAIL if failed else PASS, vetoes=tuple(vetoes),
                   deductions=tuple(deductions))


def check_spec(spec: Any, categories: dict) -> None:
    """Raise ValueError naming the bad key of a `verdict:` section."""
    if not isinstance(spec, dict):
        raise ValueError("verdict: must be a mapping")
    for group in ("vetoes", "deductions"):
        for i, item in enumerate(spec.get(group, [])):
            where = f"verdict.{group}[{i}]"
            if not isinstance(item, dict) or "rule" not in item or "label" not in item:
                raise ValueError(f"{where}: needs 'rule' and 'label'")
            if group == "vetoes" and "id" not in item:
                raise ValueError(f"{where}: needs an 'id'")
            if group == "deductions" and not isinstance(item.get("points"), (int, float)):
                raise ValueError(f"{where}.points: must be a number")
            for cat in item.get("categories", []):
                if cat not in categories:
                    raise ValueError(f"{where}.categories: unknown category {cat!r}")


def rank_key(unit: dict) -> tuple:
    """The county ranking's order: units without a veto by score (best first), then vetoed units.

    A veto (单项否决) fails a unit whatever its score, so every vetoed unit ranks
    after every unit without one: fewer veto items first, then score, then name.
    """
    vetoes = len(unit.get("vetoes") or ())
    return (vetoes > 0, vetoes, -(unit.get("score") or 0), unit["name"])


def ranking(units: list[dict]) -> list[dict]:
    """Rank, name, score, verdict and whether a veto decided it, in the one order every form shows.

    Units that stand equal (the key without the name) share a rank: 1, 2, 2, 4.
    """
    rows: list[dict] = []
    previous = None
    for position, unit in enumerate(sorted(units, key=rank_key), 1):
        standing = rank_key(unit)[:-1]
        rows.append({"rank": rows[-1]["rank"] if standing == previous else position, "name": unit["name"],
                     "score": unit.get("score"), "verdict": unit.get("verdict"),
                     "vetoed": bool(unit.get("vetoes"))})
        previous = standing
    return rows
