"""The README is the user's manual: every command and every rule is in it, and its examples parse."""
import re
from pathlib import Path

import yaml

from cli import build_parser
from rules import load_ruleset
from rules.registry import RULE_KINDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_readme_opens_with_the_two_commands():
    head = "\n".join(README.splitlines()[:20])
    assert "make demo" in head and "make test" in head


def test_every_command_is_documented():
    missing = [c for c in subcommands() if f"govfresh {c}" not in README and c != "demo"]
    assert missing == []


def test_every_rule_kind_is_documented_and_explained():
    missing = [k for k in RULE_KINDS if f"`{k}`" not in README]
    assert missing == []
    for kind, cls in RULE_KINDS.items():
        assert (cls.__doc__ or "").strip(), f"{kind} has no docstring for `rules explain`"


def test_readme_yaml_examples_parse_and_the_sites_example_validates(tmp_path, monkeypatch):
    from config import parse_config
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        yaml.safe_load(block)
    first = yaml.safe_load(blocks[0])
    assert parse_config(first).county == "清河县"


def test_readme_province_override_example_loads(tmp_path):
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "extends:" in b)
    path = tmp_path / "province.yaml"
    path.write_text(block, encoding="utf-8")
    assert load_ruleset(path).categories["dynamic"].max_age_days == 7
