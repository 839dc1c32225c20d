"""Rule files: validation errors that name the key, and province overrides."""
import pytest

from rules import load_ruleset
from rules.ruleset import RuleSetError


def write(tmp_path, name, text):
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
