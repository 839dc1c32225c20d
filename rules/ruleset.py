"""Rule sets: YAML files of categories and rules, validated against the rule registry.

A rule file with mistakes is answered with every mistake at once, each with its
file and line and, for a misspelt name, the valid names: a province's clerk
fixes the file in one go instead of one error per run.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from plugins import unknown_name
from rules.registry import RULE_KINDS
from rules.verdict import spec_problems

RULES_DIR = Path(__file__).resolve().parent
SEVERITIES = ("veto", "deduction", "warning")
TOP_KEYS = ("id", "title", "extends", "categories", "rules", "verdict")
CATEGORY_KEYS = ("label", "names", "max_age_days", "source")
RULE_KEYS = ("kind", "severity", "source", "enabled")
MAX_AGE_DAYS = 3660     # ten years: anything longer is a typo, not a publication cycle


class RuleSetError(Exception):
    """A rule file that cannot be used; the message has one line per problem, each naming
    the file, the line and the key. `problems` holds those lines."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


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
        """The category whose longest synonym appears in the column's name; 'other' if none.

        Asked for every column of every crawl a report judges: answers are kept per name.
        """
        known = self._categories_by_name
        if column_name not in known:
            name = normalise(column_name)
            best, best_len = "other", 0
            for key, syn in self._synonyms:
                if len(syn) > best_len and syn in name:
                    best, best_len = key, len(syn)
            if len(known) < 100_000:
                known[column_name] = best
            return best
        return known[column_name]

    @cached_property
    def checks(self) -> tuple:
        """The rule kinds this set enables, built once: what judging a unit runs."""
        return tuple(RULE_KINDS[spec.kind](spec, self) for spec in self.rules)

    @cached_property
    def _synonyms(self) -> tuple[tuple[str, str], ...]:
        return tuple((cat.key, normalise(syn)) for cat in self.categories.values() for syn in cat.names)

    @cached_property
    def _categories_by_name(self) -> dict[str, str]:
        return {}

    def rule(self, kind: str) -> RuleSpec | None:
        return next((r for r in self.rules if r.kind == kind), None)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no white space: how column names are compared."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def bundled() -> list[str]:
    """The rule sets shipped with govfresh, by name."""
    return sorted(p.stem for p in RULES_DIR.glob("*.yaml"))


# ---- where each key is written -----------------------------------------------------

Path_ = tuple  # a key's logical path: ("rules", "column_stale", "severity"), ("verdict", "vetoes", 0, "rule")


@dataclass
class _Source:
    """One rule file and, per logical path, the line and the name a person sees for it."""
    path: Path
    marks: dict[Path_, tuple[int, str]] = field(default_factory=dict)

    def walk(self, node: yaml.Node, at: Path_ = (), shown: str = "") -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                key = key_node.value
                here = f"{shown}.{key}" if shown else str(key)
                self.marks[at + (key,)] = (key_node.start_mark.line + 1, here)
                self.walk(value, at + (key,), here)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                kind = _kind_of(item) if at == ("rules",) else None
                here = f"{shown}[{i}]" + (f" ({kind})" if kind else "")
                mark = (item.start_mark.line + 1, here)
                self.marks[at + (i,)] = mark
                if kind:
                    # Rules are merged by kind across `extends`: their keys are found by kind.
                    self.marks[at + (kind,)] = mark
                    self.walk(item, at + (kind,), here)
                self.walk(item, at + (i,), here)

    def find(self, path: Path_) -> tuple[int, int, str] | None:
        """(matched length, line, shown name) of the longest known prefix of path."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.marks:
                line, shown = self.marks[path[:n]]
                rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[n:])
                return n, line, shown + rest
        return None


def _kind_of(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == "kind" and isinstance(value, yaml.ScalarNode):
                return value.value
    return None


class _Problems:
    """Every problem of a rule set, placed in the file (of an `extends` chain) that wrote it."""

    def __init__(self) -> None:
        self.sources: list[_Source] = []          # the file asked for first, then what it extends
        self.items: list[tuple[Path_, str, _Source | None]] = []

    def add(self, path: Path_, message: str, source: _Source | None = None) -> None:
        self.items.append((path, message, source))

    def lines(self) -> list[str]:
        """One line per problem: the file asked for first, then the files it extends; by line."""
        out: list[tuple[int, int, str]] = []
        order = {id(src): i for i, src in enumerate(self.sources)}
        for path, message, source in self.items:
            candidates = [source] if source else self.sources
            best = None
            for src in candidates:
                found = src.find(path)
                if found and (best is None or found[0] > best[1][0]):
                    best = (src, found)
            if best:
                src, (_, line, shown) = best
                out.append((order.get(id(src), -1), line, f"{src.path}:{line}: {shown}: {message}"))
            else:
                src = source or (self.sources[0] if self.sources else None)
                shown = ".".join(map(str, path))
                text = f"{shown + ': ' if shown else ''}{message}"
                out.append((order.get(id(src), -1), 0, f"{src.path}: {text}" if src else text))
        return [text for _, _, text in sorted(out, key=lambda t: (t[0], t[1]))]

    def raise_if_any(self) -> None:
        if self.items:
            raise RuleSetError(self.lines())


# ---- reading and merging ----------------------------------------------------------

def _resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path | None:
    """A rule file's path: a bundled name, or a path (relative to the file that names it)."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in str(name_or_path):
        if not path.is_absolute() and relative_to is not None and (relative_to / path).exists():
            return relative_to / path
        return path
    bundled_path = RULES_DIR / f"{name_or_path}.yaml"
    return bundled_path if bundled_path.exists() else None


def _read(path: Path, problems: _Problems) -> tuple[dict | None, _Source]:
    source = _Source(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.add((), f"cannot read: {exc.strerror or exc}", source)
        return None, source
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problems.add((), f"{where}not valid YAML: {getattr(exc, 'problem', exc)}", source)
        return None, source
    if node is not None:
        source.walk(node)
    if not isinstance(raw, dict):
        problems.add((), "expected a mapping with 'id', 'categories' and 'rules'"
                         + (" (the file is empty)" if raw is None else ""), source)
        return None, source
    return raw, source


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _check_rule_entries(raw: dict, source: _Source, problems: _Problems) -> list[dict]:
    """One file's own rule entries, checked where they are written; the usable ones."""
    rules = raw.get("rules") or []
    if not isinstance(rules, list):
        problems.add(("rules",), "must be a list of rules, each with a 'kind'", source)
        return []
    usable = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or not rule.get("kind"):
            problems.add(("rules", i), "each rule needs a 'kind' (one of " + ", ".join(RULE_KINDS) + ")", source)
            continue
        kind = rule["kind"]
        if kind not in RULE_KINDS:
            problems.add(("rules", i, "kind"), unknown_name("rule kind", kind, RULE_KINDS), source)
            continue
        if "severity" in rule and rule["severity"] not in SEVERITIES:
            problems.add(("rules", i, "severity"), f"must be one of {', '.join(SEVERITIES)}, got {rule['severity']!r}",
                         source)
        if "enabled" in rule and not isinstance(rule["enabled"], bool):
            problems.add(("rules", i, "enabled"), "must be true or false", source)
        takes = [*RULE_KINDS[kind].params, *RULE_KEYS]
        for key in rule:
            if key not in takes:
                problems.add(("rules", i, key), unknown_name("key", key, takes), source)
        usable.append(rule)
    return usable


def _load_raw(name_or_path: str | Path, problems: _Problems, seen: tuple[str, ...] = (),
              relative_to: Path | None = None, named_at: tuple[_Source, Path_] | None = None) -> dict:
    path = _resolve(name_or_path, relative_to)
    if path is None:
        message = (f"unknown rule set {str(name_or_path)!r}; bundled rule sets: {', '.join(bundled())}"
                   " (or give the path of a .yaml file)")
        problems.add(named_at[1] if named_at else (), message, named_at[0] if named_at else None)
        return {}
    if str(path.resolve()) in seen:
        problems.add(named_at[1] if named_at else (), f"'extends' loops back to {path}",
                     named_at[0] if named_at else None)
        return {}
    raw, source = _read(path, problems)
    problems.sources.append(source)
    if raw is None:
        return {}
    for key in raw:
        if key not in TOP_KEYS:
            problems.add((key,), unknown_name("key", key, TOP_KEYS), source)
    own_rules = _check_rule_entries(raw, source, problems)
    parent = raw.get("extends")
    if parent is None:
        return {**raw, "rules": own_rules}
    base = _load_raw(parent, problems, seen + (str(path.resolve()),), path.parent, (source, ("extends",)))
    # Rules are merged by kind, so an override file lists only the rules it changes.
    base_rules = {r.get("kind"): r for r in base.get("rules", []) if isinstance(r, dict)}
    for rule in own_rules:
        base_rules[rule["kind"]] = _merge(base_rules.get(rule["kind"], {}), rule)
    merged = _merge(base, {k: v for k, v in raw.items() if k not in ("rules", "extends")})
    merged["rules"] = [r for r in base_rules.values() if r.get("enabled", True) is not False]
    return merged


# ---- checking the merged rule set ---------------------------------------------------

def _categories(raw: Any, problems: _Problems) -> dict[str, Category]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(("categories",), "must be a mapping of category key → {label, names, max_age_days}")
        return {}
    categories: dict[str, Category] = {}
    for key, spec in raw.items():
        at = ("categories", key)
        if not isinstance(spec, dict) or not spec.get("names"):
            problems.add(at, "needs a list of 'names' (the words of column names in this category)")
            continue
        for bad in (k for k in spec if k not in CATEGORY_KEYS):
            problems.add(at + (bad,), unknown_name("key", bad, CATEGORY_KEYS))
        age = spec.get("max_age_days")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 < age <= MAX_AGE_DAYS):
            problems.add(at + ("max_age_days",), f"must be a whole number of days from 1 to {MAX_AGE_DAYS}, got {age!r}")
        names = spec["names"] if isinstance(spec["names"], list) else [spec["names"]]
        categories[key] = Category(key=key, label=str(spec.get("label", key)), names=tuple(str(n) for n in names),
                                   max_age_days=age, source=str(spec.get("source", "")))
    return categories


def _rules(raw_rules: list[dict], categories: dict[str, Category], problems: _Problems) -> list[RuleSpec]:
    rules = []
    for spec in raw_rules:
        kind = spec["kind"]
        params = {k: v for k, v in spec.items() if k not in RULE_KEYS}
        try:
            RULE_KINDS[kind].check_params(params, categories)
        except ValueError as exc:
            key, sep, message = str(exc).partition(": ")
            key = key.split(".")[0]
            if sep and key in params:
                problems.add(("rules", kind, key), message)
            else:
                problems.add(("rules", kind), str(exc))
        severity = spec.get("severity", "deduction")
        rules.append(RuleSpec(kind=kind, severity=severity if severity in SEVERITIES else "deduction",
                              params=params, source=str(spec.get("source", ""))))
    return rules


def load_ruleset(name_or_path: str | Path = "national-2019") -> RuleSet:
    """Load a bundled rule set by name, or a rule file by path, resolving `extends`.

    Raises RuleSetError listing every problem found, each with its file and line.
    """
    problems = _Problems()
    raw = _load_raw(name_or_path, problems)
    categories = _categories(raw.get("categories"), problems)
    rules = _rules(raw.get("rules", []), categories, problems)
    if raw and not raw.get("id"):
        problems.add(("id",), "needs an 'id' (the rule set's name in reports)")
    verdict = raw.get("verdict") or {}
    for path, message in spec_problems(verdict, categories):
        problems.add(("verdict", *path), message)
    problems.raise_if_any()
    return RuleSet(id=str(raw["id"]), title=str(raw.get("title", raw["id"])),
                   categories=categories, rules=tuple(rules), verdict=verdict)
