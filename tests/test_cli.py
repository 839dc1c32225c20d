"""The `govfresh` command as a clerk uses it: where it finds things, what it refuses,
what it prints. Each test is a stumble a new user had (issue 14)."""
import json
import os
import shlex
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import cli
import jobs
from config import JOB_COMMANDS, load_config
from mockserver import MockServer, html
from rules import load_ruleset
from rules.registry import RULE_KINDS
from store import Store

AS_OF = date(2026, 11, 27)
UNIT = "清河县教育局"
SECRET_CONFIG = f"""county: 清河县
units:
  - name: {UNIT}
    url: http://127.0.0.1:9/jyj/xxgk/
notify:
  - type: onebot
    url: http://127.0.0.1:3000
    group_id: 123456
    token: ${{GF_TEST_ONEBOT_TOKEN}}
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("GOVFRESH_CONFIG", "GOVFRESH_DB", "GF_TEST_ONEBOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def seed(db: Path, unit: str = UNIT, *, started: str = "2026-11-27T01:00:00+00:00") -> None:
    """One finished crawl: a stale 工作动态 and an empty 通知公告."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:
        run = store.start_run("crawl", AS_OF, "清河县")
        uid = store.unit_id(unit, "department", "http://x/jyj/")
        store.record_unit_check(run, uid, fetched_at=started, url="http://x/jyj/", final_url=None,
                                http_status=200, reachable=1, error=None, elapsed_ms=1, newest_date="2026-09-01")
        store.record_column(run, uid, "工作动态", "http://x/jyj/gzdt/",
                            {"state": "list", "item_count": 5, "newest_date": "2026-09-01"}, [])
        store.record_column(run, uid, "通知公告", "http://x/jyj/tzgg/", {"state": "empty", "item_count": 0}, [])
        store.finish_run(run)
        store.db["runs"].update(run, {"started": started, "finished": "2026-11-27T01:20:00+00:00"})


def sites(folder: Path, text: str = f"county: 清河县\nunits:\n  - name: {UNIT}\n    url: http://x/jyj/\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def govfresh(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# ---- 1. one way to find the config and the database -----------------------------------------

def test_the_database_beside_sites_yaml_is_found_from_its_folder_without_flags(tmp_path, capsys, monkeypatch):
    sites(tmp_path / "office")
    seed(tmp_path / "office" / "govfresh.db")
    monkeypatch.chdir(tmp_path / "office")
    code, out, err = govfresh(capsys, "export", "--as-of", AS_OF)
    assert code == 0, err
    assert json.loads(out)["units"][0]["name"] == UNIT


def test_govfresh_config_names_the_config_and_its_db_is_beside_it_not_in_the_cwd(tmp_path, capsys, monkeypatch):
    config = sites(tmp_path / "office")
    seed(tmp_path / "office" / "govfresh.db")
    seed(tmp_path / "home" / "govfresh.db", unit="别的县的局")     # a stray ./govfresh.db must not be read
    monkeypatch.chdir(tmp_path / "home")
    monkeypatch.setenv("GOVFRESH_CONFIG", str(config))
    code, out, err = govfresh(capsys, "export", "--as-of", AS_OF)
    assert code == 0, err
    assert [u["name"] for u in json.loads(out)["units"]] == [UNIT]


def test_govfresh_db_and_the_flags_win_in_order(tmp_path, capsys, monkeypatch):
    config = sites(tmp_path / "office")
    seed(tmp_path / "env.db", unit="环境变量的局")
    seed(tmp_path / "flag.db", unit="命令行的局")
    monkeypatch.setenv("GOVFRESH_DB", str(tmp_path / "env.db"))
    _, out, _ = govfresh(capsys, "export", "--config", config, "--as-of", AS_OF)
    assert json.loads(out)["units"][0]["name"] == "环境变量的局"
    _, out, _ = govfresh(capsys, "export", "--config", config, "--db", tmp_path / "flag.db", "--as-of", AS_OF)
    assert json.loads(out)["units"][0]["name"] == "命令行的局"


def test_with_no_config_and_no_db_the_command_says_how_to_name_them(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = govfresh(capsys, "export")
    assert code == 2
    assert "--db" in err and "GOVFRESH_DB" in err and "sites.yaml" in err
    code, _, err = govfresh(capsys, "status")
    assert code == 2 and "--config" in err and "GOVFRESH_CONFIG" in err


def test_config_waivers_apply_to_report_and_export(tmp_path, capsys):
    config = sites(tmp_path, f"county: 清河县\nunits:\n  - name: {UNIT}\n    url: http://x/jyj/\n"
                             f"waivers:\n  - {{unit: {UNIT}, column: 工作动态, reason: 栏目整合中, until: 2027-01-31}}\n")
    seed(tmp_path / "govfresh.db")
    _, out, _ = govfresh(capsys, "export", "--config", config, "--as-of", AS_OF)
    states = {f["column"]: f["state"] for f in json.loads(out)["units"][0]["findings"] if f["column"]}
    assert states["工作动态"] == "waived" and states["通知公告"] != "waived"


@pytest.mark.parametrize("entry, expected", [
    ("waivers:\n  - {unit: 清河县教育局, rule: column_stal, reason: r, until: 2027-01-31}\n",
     ["sites.yaml: waivers[0].rule: unknown rule 'column_stal'", "did you mean 'column_stale'"]),
    ("ruleset: national-2018\n", ["sites.yaml: ruleset: unknown rule set 'national-2018'", "national-2019"]),
], ids=["waiver-rule", "ruleset"])
def test_names_in_sites_yaml_are_checked_against_the_rule_set(tmp_path, capsys, entry, expected):
    config = sites(tmp_path, f"county: 清河县\nunits:\n  - name: {UNIT}\n    url: http://x/jyj/\n{entry}")
    seed(tmp_path / "govfresh.db")
    code, out, err = govfresh(capsys, "export", "--config", config, "--as-of", AS_OF)
    assert code == 2 and out == ""
    for text in expected:
        assert text in err


@pytest.mark.parametrize("command", [["export"], ["report"], ["status"],
                                     ["waive", "--unit", UNIT, "--reason", "r", "--until", "2099-01-01"]])
def test_a_command_that_reads_never_creates_a_database(tmp_path, capsys, command):
    config = sites(tmp_path)
    code, _, err = govfresh(capsys, *command, "--config", config)
    assert not (tmp_path / "govfresh.db").exists()
    assert list(tmp_path.iterdir()) == [config]
    if command[0] != "status":
        assert code == 2 and str(tmp_path / "govfresh.db") in err and "no such database" in err


def test_export_of_a_database_without_a_finished_crawl_is_an_error_not_an_empty_county(tmp_path, capsys):
    with Store(tmp_path / "g.db"):
        pass
    code, out, err = govfresh(capsys, "export", "--db", tmp_path / "g.db", "--as-of", AS_OF)
    assert code == 2 and out == "" and "no crawl on or before 2026-11-27" in err


@pytest.mark.parametrize("flag, typed, valid", [
    ("--unit", "清河县教育", "清河县教育局"),
    ("--column", "工作动", "工作动态"),
    ("--rule", "column_stal", "column_stale"),
], ids=["unit", "column", "rule"])
def test_waive_checks_names_against_the_crawls_and_the_rules(tmp_path, capsys, flag, typed, valid):
    seed(tmp_path / "g.db")
    args = {"--unit": UNIT, "--column": None, "--rule": None, flag: typed}
    code, _, err = govfresh(capsys, "waive", "--db", tmp_path / "g.db", "--reason", "r", "--until", "2099-01-01",
                            *[x for k, v in args.items() if v for x in (k, v)])
    assert code == 2
    assert f"did you mean '{valid}'" in err and "valid:" in err
    with Store(tmp_path / "g.db") as store:
        assert store.waivers(AS_OF) == []


def test_waive_with_good_names_records_the_waiver(tmp_path, capsys):
    seed(tmp_path / "g.db")
    code, out, err = govfresh(capsys, "waive", "--db", tmp_path / "g.db", "--unit", UNIT, "--column", "工作动态",
                              "--rule", "column_stale", "--reason", "栏目整合中", "--until", "2099-01-01")
    assert code == 0, err
    assert "豁免" in out and "工作动态" in out


# ---- 2. nothing asks for a secret it does not use ----------------------------------------------

@pytest.mark.parametrize("command", [["status"], ["crontab"], ["crontab", "--systemd"], ["export", "--as-of", AS_OF],
                                     ["report", "--as-of", AS_OF], ["rules", "explain"]])
def test_commands_that_send_nothing_run_without_the_notify_secret(tmp_path, capsys, monkeypatch, command):
    sites(tmp_path, SECRET_CONFIG)
    seed(tmp_path / "govfresh.db")
    monkeypatch.chdir(tmp_path)
    code, _, err = govfresh(capsys, *command, *(["--out", tmp_path / "out"] if command[0] == "report" else []))
    assert code == 0, err


@pytest.mark.parametrize("command", [["notify", "--as-of", AS_OF], ["run"], ["schedule"]])
def test_sending_commands_name_the_missing_variable_before_doing_anything(tmp_path, capsys, monkeypatch, command):
    sites(tmp_path, SECRET_CONFIG)
    monkeypatch.chdir(tmp_path)
    if command[0] == "notify":
        seed(tmp_path / "govfresh.db")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, _, err = govfresh(capsys, *command)
    assert code == 2
    assert "GF_TEST_ONEBOT_TOKEN" in err and "notify[0].token" in err and "sites.yaml" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before      # no crawl, no database, no lock


def test_each_crontab_line_does_what_the_schedulers_job_does(tmp_path, capsys, monkeypatch):
    """Run every crontab line's command and every scheduler job with the work recorded, not done."""
    import crawler.probe
    import crawler.run

    config_path = sites(tmp_path)
    config, db, out = load_config(config_path), tmp_path / "govfresh.db", tmp_path / "reports-out"
    done = []
    default_timeout = crawler.probe.PROBE_TIMEOUT
    monkeypatch.setattr(crawler.probe, "probe_all", lambda c, d, **kw: done.append(
        ("probe", str(d), kw.get("timeout", default_timeout))) or [])
    monkeypatch.setattr(crawler.run, "crawl", lambda c, d, day=None: done.append(("crawl", str(d), day)) or 1)
    monkeypatch.setattr(crawler.run, "crawl_here", lambda c, d, day=None, **kw: done.append(("crawl", str(d), day)) or 1)
    monkeypatch.setattr(jobs, "crawl_summary", lambda d, run: "")
    monkeypatch.setattr(crawler.run, "today_in", lambda tz: AS_OF)

    def report_job(config, db, period, as_of, formats, out, rules=None, notify_targets=True, options=None):
        done.append(("report", str(db), period, as_of, tuple(formats), str(Path(out).resolve()), notify_targets,
                     rules, options or None))
        return jobs.RunResult(report=None, paths=[])
    monkeypatch.setattr(jobs, "report_job", report_job)
    monkeypatch.setattr(jobs, "stale_warning", lambda report: None)
    monkeypatch.chdir(tmp_path)

    scheduled = jobs.scheduled_jobs(str(config_path), config, str(db), str(out))
    code, printed, err = govfresh(capsys, "crontab", "--config", config_path, "--out", out)
    assert code == 0, err
    lines = [line for line in printed.splitlines() if line and not line.startswith(("#", "CRON_TZ"))]
    assert len(lines) == len(JOB_COMMANDS)
    for name, line in zip(JOB_COMMANDS, lines):
        argv = shlex.split(line.split("set +a;", 1)[1])[1:]      # after loading the env file: the program
        done.clear()
        scheduled[name]()
        by_scheduler = list(done)
        done.clear()
        assert cli.main(argv) == 0, (name, line)
        assert done == by_scheduler, name
    assert "weekly" in JOB_COMMANDS and "crawl" not in JOB_COMMANDS["weekly"]


# ---- status ------------------------------------------------------------------------------------

def test_status_shows_what_happened_in_the_configured_time_zone(tmp_path, capsys):
    config = sites(tmp_path)
    db = tmp_path / "govfresh.db"
    seed(db, started="2026-11-27T01:00:00+00:00")
    # A scheduler that ran 20 s and did nothing: it only started counting the jobs it watches.
    Path(f"{db}.schedule.json").write_text(json.dumps(
        {"since": {"crawl": "2026-11-30T21:02:00+08:00", "weekly": "2026-11-30T21:02:00+08:00"}}))
    code, out, err = govfresh(capsys, "status", "--config", config)
    assert code == 0, err
    assert "21:02" not in out                          # the scheduler's start is not a run
    crawl_line = next(line for line in out.splitlines() if "（crawl）" in line)
    assert "上次 2026-11-27 09:20" in crawl_line        # the crawl that finished at 01:20 UTC, in Shanghai time
    weekly_line = next(line for line in out.splitlines() if "（weekly）" in line)
    assert "上次 —" in weekly_line
    assert "开始 2026-11-27 09:00，结束 2026-11-27 09:20" in out
    assert "+00:00" not in out and "T01:" not in out


def test_local_time_reads_utc_offsets_and_naive_stamps_as_utc():
    tz = ZoneInfo("Asia/Shanghai")
    assert jobs.local_time("2026-11-27T01:00:00+00:00", tz) == "2026-11-27 09:00"
    assert jobs.local_time("2026-11-27T09:00:00+08:00", tz) == "2026-11-27 09:00"
    assert jobs.local_time("2026-11-27T01:00:00", tz) == "2026-11-27 09:00"
    assert jobs.local_time(datetime(2026, 11, 27, 9, 0, tzinfo=tz), ZoneInfo("UTC")) == "2026-11-27 01:00"
    assert jobs.local_time(None, tz) == "—"


# ---- 3. the command explains itself ----------------------------------------------------------------

def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("govfresh ")


def _walk(parser, path=("govfresh",)):
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, path + (name,))
        elif not isinstance(action, argparse._HelpAction):
            yield " ".join(path), action


def test_every_option_of_every_command_has_help_text():
    options = list(_walk(cli.build_parser()))
    assert len(options) > 40
    missing = [f"{where} {'/'.join(a.option_strings) or a.dest}" for where, a in options
               if not (a.help or "").strip()]
    assert missing == []


@pytest.mark.parametrize("argv", [["rules", "explain"], ["--help"], ["report", "--help"]])
def test_piping_into_a_reader_that_stops_early_ends_quietly(argv):
    read, write = os.pipe()
    os.close(read)       # the reader (`head`) is already gone: every write fails with EPIPE
    done = subprocess.run([sys.executable, "-m", "cli", *argv], stdout=write, stderr=subprocess.PIPE, text=True,
                          timeout=120)
    os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr
    assert done.stderr == ""


def test_rules_explain_gives_the_scoring_and_every_rule_in_chinese(capsys):
    code, out, _ = govfresh(capsys, "rules", "explain")
    assert code == 0
    rs = load_ruleset()
    assert f"低于 {rs.verdict['pass_score']} 分为不合格" in out
    for item in rs.verdict["vetoes"]:
        line = next(line for line in out.splitlines() if line.strip().startswith(item["label"] + "："))
        assert f"{item.get('min_count', 1)} 个及以上" in line
    for item in rs.verdict["deductions"]:
        line = next(line for line in out.splitlines() if line.strip().startswith(item["label"] + "：") and "扣" in line)
        assert f"每个扣 {item['points']:g} 分" in line
        if "max_points" in item:
            assert f"最多扣 {item['max_points']:g} 分" in line
    for spec in rs.rules:
        assert f"{RULE_KINDS[spec.kind].label}（{spec.kind}，" in out
        assert RULE_KINDS[spec.kind].description in out
    assert "公开指南缺失（guide_missing，" in out
    assert "参数 max_failure_ratio：0.05" in out and "参数 categories：动态要闻类、通知公告类、政策文件类" in out
    assert "办公时间" in out                  # the guide's elements by their Chinese names


@pytest.mark.parametrize("kind", list(RULE_KINDS))
def test_every_rule_kind_describes_itself_in_chinese(kind):
    description = RULE_KINDS[kind].description
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in description) >= 10


# ---- 5. the office's language ---------------------------------------------------------------------

def test_run_prints_its_summary_in_chinese_without_rule_ids(tmp_path):
    page = ('<html><body><ul class="nav"><li><a href="/x/gzdt/">工作动态</a></li>'
            '<li><a href="/x/tzgg/">通知公告</a></li></ul></body></html>')
    listing = '<html><body><ul class="list"><li><a href="/x/1.html">会议召开</a><span>2026-09-01</span></li></ul></body></html>'
    routes = {"/x/": html(page), "/x/gzdt/": html(listing), "/x/tzgg/": html("<html><body><p>暂无信息</p></body></html>")}
    with MockServer(routes) as server:
        config = sites(tmp_path, f"county: 测试县\nunits:\n  - name: 测试局\n    url: {server.url}/x/\n")
        crawl = subprocess.run([sys.executable, "-m", "cli", "crawl", "--config", str(config), "--crawl-date",
                                AS_OF.isoformat()], capture_output=True, text=True, timeout=120)
        run = subprocess.run([sys.executable, "-m", "cli", "run", "--config", str(config), "--crawl-date",
                              AS_OF.isoformat(), "--out", str(tmp_path / "out")], capture_output=True, text=True,
                             timeout=120)
    assert crawl.returncode == 0 and run.returncode == 0, crawl.stderr + run.stderr
    assert "抓取完成" in crawl.stdout and "1 个单位" in crawl.stdout
    assert "首页更新不及时：1" in run.stdout and "空白栏目：1" in run.stdout
    for kind in RULE_KINDS:
        assert kind not in crawl.stdout + run.stdout


def test_notify_dry_run_writes_nothing_and_names_its_attachments(tmp_path, capsys, monkeypatch):
    sites(tmp_path, SECRET_CONFIG)
    seed(tmp_path / "govfresh.db")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GF_TEST_ONEBOT_TOKEN", "t0ken")
    code, out, err = govfresh(capsys, "notify", "--as-of", AS_OF, "--dry-run")
    assert code == 0, err
    assert not (tmp_path / "reports-out").exists()
    assert "附件：" in out and "weekly-2026-11-27.xlsx" in out
    assert "t0ken" not in out + err
