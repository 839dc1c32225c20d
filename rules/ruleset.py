"""Rule sets: YAML files of categories and rules, validated against the rule registry."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rules.registry import RULE_KINDS
from rules.verdict import check_spec

RULES_DIR = Path(__file__).resolve().parent
SEVERITIES = ("veto", "deduction", "warning")


class RuleSetError(Exception):
    """A rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    names: tuple[str, ...]
    max_age_days: int | None = None
    source: str = ""


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    severity: str
    params: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    categories: dict[str, Category]
    rules: tuple[RuleSpec, ...]
    verdict: dict = field(default_factory=dict)

    def category_of(self, column_name: str) -> str:
        """The category whose longest synonym appears in the column's name; 'other' if none."""
        name = normalise(column_name)
        best, best_len = "other", 0
        for cat in self.categories.values():
            for syn in cat.names:
                if len(syn) > best_len and normalise(syn) in name:
                    best, best_len = cat.key, len(syn)
        return best

    def rule(self, kind: str) -> RuleSpec | None:
        return next((r for r in self.rules if r.kind == kind), None)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no white space: how column names are compared."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleSetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RuleSetError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RuleSetError(f"{path}: expected a mapping with 'id', 'categories' and 'rules'")
    return raw


def _resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    return RULES_DIR / f"{name_or_path}.yaml"


def _load_raw(name_or_path: str | Path, seen: tuple[str, ...] = ()) -> tuple[dict, Path]:
    path = _resolve(name_or_path)
    if str(path) in seen:
        raise RuleSetError(f"{path}: 'extends' loops back to itself")
    raw = _read(path)
    parent = raw.pop("extends", None)
    if parent is None:
        return raw, path
    base, _ = _load_raw(parent, seen + (str(path),))
    # Rules are merged by kind, so an override file lists only the rules it changes.
    base_rules = {r.get("kind"): r for r in base.get("rules", []) if isinstance(r, dict)}
    for rule in raw.pop("rules", []) or []:
        if not isinstance(rule, dict) or "kind" not in rule:
            raise RuleSetError(f"{path}: rules: each entry needs a 'kind'")
        base_rules[rule["kind"]] = _merge(base_rules.get(rule["kind"], {}), rule)
    merged = _merge(base, raw)
    merged["rules"] = [r for r in base_rules.values() if r.get("enabled", True) is not False]
    return merged, path


def load_ruleset(name_or_path: str | Path = "national-2019") -> RuleSet:
    """Load a bundled rule set by name, or a rule file by path, resolving `extends`."""
    raw, path = _load_raw(name_or_path)
    where = str(path)
    unknown = set(raw) - {"id", "title", "categories", "rules", "verdict"}
    if unknown:
        raise RuleSetError(f"{where}: unknown key(s) {sorted(unknown)} (misspelt?)")
    categories: dict[str, Category] = {}
    for key, spec in (raw.get("categories") or {}).items():
        if not isinstance(spec, dict) or not spec.get("names"):
            raise RuleSetError(f"{where}: categories.{key}: needs a list of 'names'")
        bad = set(spec) - {"label", "names", "max_age_days", "source"}
        if bad:
            raise RuleSetError(f"{where}: categories.{key}: unknown key(s) {sorted(bad)}")
        age = spec.get("max_age_days")
        if age is not None and (not isinstance(age, int) or age <= 0):
            raise RuleSetError(f"{where}: categories.{key}.max_age_days: must be a positive whole number of days")
        categories[key] = Category(key=key, label=str(spec.get("label", key)),
                                   names=tuple(str(n) for n in spec["names"]),
                                   max_age_days=age, source=str(spec.get("source", "")))
    rules = []
    for i, spec in enumerate(raw.get("rules") or []):
        kind = spec.get("kind") if isinstance(spec, dict) else None
        here = f"{where}: rules[{i}] ({kind})" if kind else f"{where}: rules[{i}]"
        if kind not in RULE_KINDS:
            raise RuleSetError(f"{here}: unknown rule kind; known kinds: {', '.join(sorted(RULE_KINDS))}")
        severity = spec.get("severity", "deduction")
        if severity not in SEVERITIES:
            raise RuleSetError(f"{here}.severity: must be one of {', '.join(SEVERITIES)}")
        params = {k: v for k, v in spec.items() if k not in ("kind", "severity", "source", "enabled")}
        rule_cls = RULE_KINDS[kind]
        bad = set(params) - set(rule_cls.params)
        if bad:
            known = ", ".join(sorted(rule_cls.params)) or "none"
            raise RuleSetError(f"{here}: unknown key(s) {sorted(bad)}; this rule takes: {known}")
        try:
            rule_cls.check_params(params, categories)
        except ValueError as exc:
            raise RuleSetError(f"{here}: {exc}") from None
        rules.append(RuleSpec(kind=kind, severity=severity, params=params, source=str(spec.get("source", ""))))
    if not raw.get("id"):
        raise RuleSetError(f"{where}: needs an 'id'")
    try:
        check_spec(raw.get("verdict", {}), categories)
    except ValueError as exc:
        raise RuleSetError(f"{where}: {exc}") from None
    return RuleSet(id=str(raw["id"]), title=str(raw.get("title", raw["id"])),
                   categories=categories, rules=tuple(rules), verdict=raw.get("verdict", {}))
