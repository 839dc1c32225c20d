"""Scores and verdicts: the 2019 indicators' veto items (单项否决) and deductions (扣分). Pure.

A unit fails (不合格) on any veto item or a score under the pass mark. The
items and their numbers come from the rule set's `verdict:` section. A unit
whose page could not be read at all (an anti-bot challenge, a login wall, a
page that is not the page, the crawl's deadline) has no score and is not 合格:
it is 待核验 (a person must look), ranked after every scored unit and before
every vetoed one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from plugins import unknown_name
from rules.registry import RULE_KINDS

if TYPE_CHECKING:
    from rules.ruleset import RuleSet

PASS, FAIL, UNCHECKED = "合格", "不合格", "待核验"


@dataclass(frozen=True)
class Verdict:
    score: float | None                  # None: 待核验, nothing could be checked
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


def _unchecked(finding: dict) -> bool:
    """A finding (not rectified: a waiver does not make the page readable) saying the unit could not be checked."""
    kind = RULE_KINDS.get(finding["rule"])
    return kind is not None and kind.unchecked and finding.get("state") != "rectified"


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
    if not vetoes and any(_unchecked(f) for f in findings):
        return Verdict(score=None, verdict=UNCHECKED, deductions=tuple(deductions))
    failed = bool(vetoes) or score < spec.get("pass_score", 60)
    return Verdict(score=score, verdict=FAIL if failed else PASS, vetoes=tuple(vetoes),
                   deductions=tuple(deductions))


VERDICT_KEYS = ("pass_score", "vetoes", "deductions")
ITEM_KEYS = {"vetoes": ("id", "label", "rule", "min_count", "categories"),
             "deductions": ("rule", "label", "points", "max_points", "categories")}


def _number(value: Any, low: float, high: float, *, whole: bool = False, low_open: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        return False
    return (low < value if low_open else low <= value) and value <= high


def spec_problems(spec: Any, categories: dict) -> list[tuple[tuple, str]]:
    """Every problem of a `verdict:` section, as (key path, message): a score is out of 100."""
    if not isinstance(spec, dict):
        return [((), "must be a mapping with pass_score, vetoes and deductions")]
    problems: list[tuple[tuple, str]] = []
    for key in spec:
        if key not in VERDICT_KEYS:
            problems.append(((key,), unknown_name("key", key, VERDICT_KEYS)))
    if "pass_score" in spec and not _number(spec["pass_score"], 0, 100):
        problems.append((("pass_score",), f"must be a score from 0 to 100, got {spec['pass_score']!r}"))
    for group in ("vetoes", "deductions"):
        items = spec.get(group) or []
        if not isinstance(items, list):
            problems.append(((group,), "must be a list"))
            continue
        for i, item in enumerate(items):
            at = (group, i)
            if not isinstance(item, dict):
                problems.append((at, "must be a mapping with 'rule' and 'label'"))
                continue
            for key in item:
                if key not in ITEM_KEYS[group]:
                    problems.append((at + (key,), unknown_name("key", key, ITEM_KEYS[group])))
            for key in ("rule", "label") + (("id",) if group == "vetoes" else ()):
                if not item.get(key):
                    problems.append((at, f"needs '{key}'"))
            if item.get("rule") and item["rule"] not in RULE_KINDS:
                problems.append((at + ("rule",), unknown_name("rule", item["rule"], RULE_KINDS)))
            for cat in item.get("categories") or []:
                if cat not in categories:
                    problems.append((at + ("categories",), unknown_name("category", cat, categories)))
            if group == "vetoes" and "min_count" in item and not _number(item["min_count"], 1, 10_000, whole=True):
                problems.append((at + ("min_count",), f"must be a whole number of findings, 1 or more,"
                                                      f" got {item['min_count']!r}"))
            if group == "deductions":
                if not _number(item.get("points"), 0, 100, low_open=True):
                    problems.append((at + ("points",), f"must be points from over 0 to 100, got {item.get('points')!r}"))
                if "max_points" in item and not _number(item["max_points"], 0, 100, low_open=True):
                    problems.append((at + ("max_points",), f"must be points from over 0 to 100,"
                                                           f" got {item['max_points']!r}"))
    return problems


def rank_key(unit: dict) -> tuple:
    """The county ranking's order: units without a veto by score (best first), then units that
    could not be checked (待核验), then vetoed units.

    A veto (单项否决) fails a unit whatever its score, so every vetoed unit ranks
    after every unit without one: fewer veto items first, then score, then name.
    """
    vetoes = len(unit.get("vetoes") or ())
    return (vetoes > 0, vetoes, unit.get("verdict") == UNCHECKED, -(unit.get("score") or 0), unit["name"])


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
