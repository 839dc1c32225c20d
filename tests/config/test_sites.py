"""sites.yaml: the office's list of units, and the errors a clerk sees."""
import pytest

from config import ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_loads(tmp_path):
    config = load_config(write(tmp_path, """
county: 清河县
units:
  - name: 清河县教育局
    kind: department
    url: http://example.gov.cn/jyj/xxgk/
"""))
    assert config.county == "清河县"
    assert config.units[0].name == "清河县教育局"
    assert config.units[0].host == "example.gov.cn"
    assert config.crawl.timeout <= 30


@pytest.mark.parametrize("text, expected", [
    ("county: x\nunits:\n  - name: 清河县教育局\n    kind: department\n", ["清河县教育局", "url", "required"]),
    ("county: x\nunits:\n  - name: 新兴镇\n    url: ftp://x.gov.cn/\n", ["新兴镇", "url", "http"]),
    ("county: x\nunits:\n  - name: 新兴镇\n    kind: village\n    url: http://x.gov.cn/\n", ["新兴镇", "kind"]),
    ("county: x\nunits:\n  - name: 新兴镇\n    ulr: http://x.gov.cn/\n", ["新兴镇", "ulr", "unknown key"]),
    ("county: x\nunits: []\n", ["units"]),
    ("units:\n  - name: a\n    url: http://x.gov.cn/\n", ["county", "required"]),
    ("county: x\nunits:\n  - name: a\n    url: http://x.gov.cn/\n  - name: a\n    url: http://y.gov.cn/\n",
     ["units[1] (a).name", "'a'", "units[0]"]),
    ("county: [unclosed\n", ["line 2", "not valid YAML"]),
    ("- just\n- a list\n", ["mapping", "a list"]),
    ("", ["empty", "county", "units"]),
    ("# only a comment\n", ["empty"]),
    ("county: x\nunits:\n  - name: 教育局\n    url: http://x.gov.cn/\n"
     "waivers:\n  - {unit: 教育, reason: r, until: 2027-01-01}\n", ["waivers[0].unit", "'教育'", "did you mean '教育局'"]),
], ids=["unit-without-url", "non-http-url", "unknown-kind", "misspelt-key", "no-units", "no-county",
        "duplicate-unit", "broken-yaml", "not-a-mapping", "empty-file", "only-comments", "waiver-unit-misspelt"])
def test_bad_file_names_the_unit_and_key(tmp_path, text, expected):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    for word in expected:
        assert word in str(err.value)
    assert "sites.yaml" in str(err.value)
    assert "(top level)" not in str(err.value) and "NoneType" not in str(err.value)


def test_secrets_are_read_only_when_sending_and_a_missing_one_is_named(tmp_path, monkeypatch):
    text = ("county: x\nunits:\n  - name: a\n    url: http://x.gov.cn/\n"
            "notify:\n  - type: wecom\n    webhook: https://h/send?key=${GF_TEST_KEY}\n")
    monkeypatch.delenv("GF_TEST_KEY", raising=False)
    config = load_config(write(tmp_path, text))       # status, report, crontab: no secret needed
    with pytest.raises(ConfigError) as err:
        config.notify_targets()
    assert "GF_TEST_KEY" in str(err.value) and "notify[0].webhook" in str(err.value)
    assert "sites.yaml" in str(err.value)
    monkeypatch.setenv("GF_TEST_KEY", "s3cret")
    assert config.notify_targets()[0].webhook.endswith("key=s3cret")


def test_a_notify_target_is_still_checked_when_its_secret_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("GF_TEST_KEY", raising=False)
    text = ("county: x\nunits:\n  - name: a\n    url: http://x.gov.cn/\n"
            "notify:\n  - type: wecom\n    webhok: https://h/send?key=${GF_TEST_KEY}\n")
    with pytest.raises(ConfigError, match=r"notify\[0\] \(wecom\): webhok: unknown key"):
        load_config(write(tmp_path, text))


def test_a_variable_outside_notify_is_needed_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv("GF_DATA", raising=False)
    text = "county: x\ndb: ${GF_DATA}/g.db\nunits:\n  - name: a\n    url: http://x.gov.cn/\n"
    with pytest.raises(ConfigError, match="db: environment variable GF_DATA is not set"):
        load_config(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml")
