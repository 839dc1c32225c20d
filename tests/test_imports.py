"""Imports follow the data: config → crawler → store ← rules → reports → delivery; jobs strings them together.

A part may import the parts upstream of it, never one downstream, and no two
parts import each other (directly or round about). Imports inside functions
count as much as those at the top: a cycle hidden in a function is still one.
"""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What each part may import (besides itself and the standard library / third-party packages).
ALLOWED = {
    "plugins": set(),
    "config": set(),
    "store": set(),
    "crawler": {"config", "store", "plugins"},
    "rules": {"store", "plugins"},
    "reports": {"rules", "plugins"},
    "delivery": {"config", "reports", "plugins"},
    "scheduler": {"config"},
    "service": {"config", "scheduler"},
    # jobs.demo serves the demo county and runs the whole job on it (the demo is a job too).
    "jobs": {"config", "crawler", "store", "rules", "reports", "delivery", "scheduler", "plugins", "demo"},
    "cli": {"jobs", "config", "crawler", "store", "rules", "reports", "delivery", "scheduler", "service",
            "plugins", "demo"},
    "demo": {"config", "crawler", "rules", "plugins"},   # the demo's answer key takes thresholds from the rules
}
PARTS = set(ALLOWED)


def part_of(path: Path) -> str | None:
    rel = path.relative_to(ROOT)
    name = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    return name if name in PARTS else None


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def project_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if rel[0] in ("tests", "bench", "build", ".venv") or rel[0].startswith("."):
            continue
        if part_of(path):
            yield path


def test_no_part_imports_against_the_flow():
    wrong = []
    for path in project_files():
        part = part_of(path)
        for line, module in imports(path):
            if module in PARTS and module != part and module not in ALLOWED[part]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({part}) imports {module}")
    assert not wrong, "\n".join(wrong)


def test_no_cycles_between_parts():
    edges = defaultdict(set)
    for path in project_files():
        part = part_of(path)
        edges[part] |= {m for _, m in imports(path) if m in PARTS and m != part}

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in edges[start])
    cycles = sorted(p for p in PARTS if reaches(p, p))
    assert not cycles, f"parts in an import cycle: {cycles}"


def test_every_module_belongs_to_a_part():
    loose = [p.name for p in ROOT.glob("*.py") if p.stem not in PARTS and p.stem != "setup"]
    assert not loose, f"top-level modules outside the map (add them to ALLOWED and ARCHITECTURE.md): {loose}"
