"""The README is the user's manual: every command and every rule is in it, and its examples parse."""
import re
from pathlib import Path

import yaml

from cli import build_parser
from rules import load_ruleset
from rules.registry import RULE_KINDS

README_PATH = Path(__file__).resolve().parents[1] / "README.md"
README = README_PATH.read_text(encoding="utf-8")


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


def test_every_list_source_is_documented():
    from crawler.extract.sources import LIST_SOURCES
    assert [k for k in LIST_SOURCES if f"`{k}`" not in README] == []


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


def test_report_options_reach_the_renderer_and_typos_exit_2(tmp_path):
    import subprocess
    import sys
    from datetime import date

    from store import Store
    db = tmp_path / "d.db"
    with Store(db) as store:
        run = store.start_run("crawl", date(2026, 11, 27), "清河县")
        uid = store.unit_id("教育局", "department", "http://x/")
        store.record_unit_check(run, uid, fetched_at="2026-11-27T01:00:00+00:00", url="http://x/", final_url=None,
                                http_status=None, reachable=0, error="连接被拒绝", elapsed_ms=1, newest_date=None)
        store.finish_run(run)

    def govfresh(*args):
        return subprocess.run([sys.executable, "-m", "cli", "report", "--db", str(db), "--as-of", "2026-11-27",
                               "--out", str(tmp_path), *args], capture_output=True, text=True, timeout=120)
    ok = govfresh("--format", "docx", "--option", "docx.doc_number=清政务办〔2026〕12号")
    assert ok.returncode == 0, ok.stderr
    from docx import Document
    text = "\n".join(p.text for p in Document(tmp_path / "weekly-2026-11-27.docx").paragraphs)
    assert "清政务办〔2026〕12号" in text
    typo = govfresh("--format", "docx,xslx")
    assert typo.returncode == 2 and "xslx" in typo.stderr and "xlsx" in typo.stderr


def test_make_demo_installs_only_what_the_demo_uses():
    import subprocess

    def planned(target):
        done = subprocess.run(["make", "-n", "-B", target], cwd=README_PATH.parent, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout
    demo, test = planned("demo"), planned("test")
    assert "tesseract" not in demo and "chromium" not in demo and "[test]" not in demo
    assert "fonts-noto-cjk" in demo                        # the demo draws the table picture
    assert "tesseract-ocr-chi-sim" in test and "chromium" in test and "[test]" in test


def test_every_plug_in_kind_is_in_the_readme_table_and_in_help():
    import jobs
    from cli import build_parser

    table = README[README.index("| family | kinds |"):]
    table = table[:table.index("\n\n")]
    help_text = build_parser().format_help()
    for family, registry in jobs.plugin_families().items():
        for kind in registry:
            assert f"`{kind}`" in table, (family, kind)
            assert kind in help_text, (family, kind)
