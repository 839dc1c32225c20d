"""Rule files: validation errors that name the key, and province overrides."""
import re

import pytest

from rules import load_ruleset
from rules.ruleset import RuleSetError


def write(tmp_path, name, text):
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_ruleset_has_every_rule_id_of_the_design():
    rs = load_ruleset()
    assert {r.kind for r in rs.rules} >= {"site_unreachable", "column_stale", "column_empty",
                                          "column_unreachable", "dead_link", "guide_missing_element",
                                          "annual_report_missing"}
    assert rs.categories["dynamic"].max_age_days == 14
    assert rs.categories["notice"].max_age_days == rs.categories["policy"].max_age_days == 183


@pytest.mark.parametrize("name, category", [
    ("工作动态", "dynamic"), ("乡镇动态", "dynamic"), ("通知公告", "notice"), ("规范性文件", "policy"),
    ("政府信息公开年报", "report"), ("政府信息公开指南", "guide"), ("财政预决算", "annual"),
    ("机构职能", "static"), ("法定主动公开内容", "other"),
])
def test_category_by_longest_synonym(name, category):
    assert load_ruleset().category_of(name) == category


def test_province_override_changes_only_what_it_names(tmp_path):
    path = write(tmp_path, "province.yaml", """
extends: national-2019
id: province-x
categories:
  dynamic:
    max_age_days: 7
rules:
  - kind: dead_link
    enabled: false
""")
    rs = load_ruleset(path)
    assert rs.id == "province-x"
    assert rs.categories["dynamic"].max_age_days == 7
    assert rs.categories["dynamic"].names == load_ruleset().categories["dynamic"].names
    assert rs.rule("dead_link") is None
    assert rs.rule("column_stale") is not None


@pytest.mark.parametrize("text, words", [
    ("id: x\ncategories: {}\nrules:\n  - kind: column_stael\n", ["rules[0]", "column_stael", "unknown rule kind"]),
    ("id: x\ncategories: {}\nrules:\n  - kind: dead_link\n    severity: fatal\n", ["rules[0]", "severity"]),
    ("id: x\ncategories: {}\nrules:\n  - kind: dead_link\n    threshold: 3\n", ["threshold", "unknown key"]),
    ("id: x\ncategories:\n  dynamic: {names: [动态], max_age_days: -1}\nrules: []\n", ["dynamic.max_age_days"]),
    ("id: x\ncategories: {}\nrules:\n  - kind: column_stale\n    categories: [news]\n", ["news", "unknown category"]),
    ("id: x\ncategorise: {}\nrules: []\n", ["categorise"]),
], ids=["misspelt-kind", "bad-severity", "unknown-param", "negative-age", "unknown-category", "misspelt-top-key"])
def test_bad_rule_file_names_the_key(tmp_path, text, words):
    with pytest.raises(RuleSetError) as err:
        load_ruleset(write(tmp_path, "bad.yaml", text))
    for word in words:
        assert word in str(err.value)


def test_every_problem_is_listed_with_its_file_line_and_the_valid_names(tmp_path):
    path = write(tmp_path, "province.yaml", """\
extends: national-2019
id: province-x
categorise: {}
categories:
  dynamic: {max_age_days: 0}
rules:
  - kind: column_stal
  - kind: dead_link
    severity: fatal
    threshhold: 3
verdict:
  pass_score: 160
  deductions:
    - {rule: dead_lnk, label: 链接, points: 1}
""")
    with pytest.raises(RuleSetError) as err:
        load_ruleset(path)
    problems = err.value.problems
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:{n}" for n in (3, 5, 7, 9, 10, 12, 14)]
    text = str(err.value)
    assert "did you mean 'categories'" in text
    assert "did you mean 'column_stale'" in text and "valid: site_unreachable" in text
    assert "threshhold" in text and "severity" in text and "'fatal'" in text
    assert "verdict.pass_score: must be a score from 0 to 100, got 160" in text
    assert "verdict.deductions[0].rule" in text and "did you mean 'dead_link'" in text


def test_an_unknown_rule_set_is_named_with_the_bundled_ones_not_an_internal_path(tmp_path):
    path = write(tmp_path, "province.yaml", "extends: national-2018\nid: x\n")
    with pytest.raises(RuleSetError) as err:
        load_ruleset(path)
    assert str(err.value) == (f"{path}:1: extends: unknown rule set 'national-2018'; bundled rule sets: "
                              "national-2019 (or give the path of a .yaml file)")
    with pytest.raises(RuleSetError, match="unknown rule set 'national-2018'; bundled rule sets: national-2019"):
        load_ruleset("national-2018")


@pytest.mark.parametrize("verdict, message", [
    ("pass_score: -1", "pass_score: must be a score from 0 to 100"),
    ("deductions: [{rule: dead_link, label: x, points: 150}]", "deductions[0].points: must be points"),
    ("deductions: [{rule: dead_link, label: x, points: 1, max_points: 0}]", "deductions[0].max_points"),
    ("vetoes: [{id: v, rule: column_empty, label: x, min_count: 0}]", "vetoes[0].min_count"),
    ("vetoes: [{rule: column_empty, label: x}]", "vetoes[0]: needs 'id'"),
    ("vetoes: [{id: v, rule: column_empty, label: x, categories: [dynamc]}]", "did you mean 'dynamic'"),
], ids=["negative-pass-mark", "points-over-100", "zero-cap", "zero-count", "veto-without-id", "unknown-category"])
def test_verdict_numbers_are_checked_against_a_score_out_of_100(tmp_path, verdict, message):
    path = write(tmp_path, "v.yaml", f"extends: national-2019\nid: v\nverdict:\n  {verdict}\n")
    with pytest.raises(RuleSetError, match=re.escape(message)):
        load_ruleset(path)


def test_extends_a_file_beside_the_one_that_names_it(tmp_path, monkeypatch):
    write(tmp_path / "rules", "province.yaml", "extends: national-2019\nid: province\ncategories:\n"
                                               "  dynamic: {max_age_days: 7}\n")
    city = write(tmp_path / "rules", "city.yaml", "extends: province.yaml\nid: city\n")
    monkeypatch.chdir(tmp_path)
    rs = load_ruleset(city)
    assert rs.id == "city" and rs.categories["dynamic"].max_age_days == 7
