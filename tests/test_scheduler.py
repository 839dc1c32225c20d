"""The scheduler: crontab meaning in Asia/Shanghai, catch-up after downtime, one instance per database."""
import json
import os
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import scheduler
from config.schedule import JOB_NAMES, ScheduleConfig, ScheduleError, next_runs, parse_crontab, parse_schedule
from scheduler import SchedulerLocked, acquire_lock, build_scheduler, catch_up_due, lock_holder, run_forever
from service import crontab_lines, systemd_unit

SH = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[1]
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=SH)


def at(*args):
    return datetime(*args, tzinfo=SH)


def noop():
    pass


JOBS = {name: noop for name in JOB_NAMES}


# ---- when jobs fire --------------------------------------------------------------

def test_default_next_fire_times_in_shanghai(tmp_path):
    sched = build_scheduler(ScheduleConfig(), JOBS, timezone="Asia/Shanghai", state_path=tmp_path / "s.json")
    fires = {job.id: job.trigger.get_next_fire_time(None, FRIDAY) for job in sched.get_jobs()}
    assert fires == {"probe": at(2026, 11, 27, 10, 0), "crawl": at(2026, 11, 30, 6, 0),
                     "weekly": at(2026, 11, 30, 8, 30), "monthly": at(2026, 12, 1, 8, 30)}
    assert fires["weekly"].isoformat() == "2026-11-30T08:30:00+08:00"     # Monday, Beijing time


def test_at_least_20_probes_a_day():
    probes = next_runs(ScheduleConfig(), timezone="Asia/Shanghai", now=at(2026, 11, 27, 0, 0), count=30)["probe"]
    in_one_day = [t for t in probes if t < at(2026, 11, 28, 0, 0)]
    assert len(in_one_day) == 24 >= 20


@pytest.mark.parametrize("expr, expected", [
    ("0 9 * * 0", at(2026, 11, 29, 9, 0)),         # crontab 0 = Sunday (APScheduler 3 alone would say Monday)
    ("0 9 * * 7", at(2026, 11, 29, 9, 0)),         # 7 = Sunday too
    ("0 9 * * 1", at(2026, 11, 30, 9, 0)),
    ("0 9 * * 1-5", at(2026, 11, 30, 9, 0)),       # Friday 10:00 is past 09:00: next working day
    ("0 11 * * 1-5", at(2026, 11, 27, 11, 0)),
    ("0 9 * * sat", at(2026, 11, 28, 9, 0)),
    ("0 9 * * */2", at(2026, 11, 28, 9, 0)),       # Sun, Tue, Thu, Sat
    ("@monthly", at(2026, 12, 1, 0, 0)),
], ids=["sun-0", "sun-7", "mon", "weekdays-next-week", "weekdays-today", "sat-name", "every-2nd-day", "macro"])
def test_crontab_meaning_of_weekdays(expr, expected):
    assert parse_crontab(expr, "Asia/Shanghai").get_next_fire_time(None, FRIDAY) == expected


@pytest.mark.parametrize("expr, message", [
    ("30 8 * *", "needs 5 fields (minute hour day-of-month month day-of-week), got 4"),
    ("61 * * * *", "minute field '61' is invalid"),
    ("30 24 * * 1", "hour field '24' is invalid"),
    ("30 8 * 13 *", "month field '13' is invalid"),
    ("30 8 * * 8", "day of week '8' must be 0-7"),
    ("30 8 * * mon-fri/0", "step '0' must be a positive number"),
    ("30 8 1 * 1", "restrict the day of month or the day of week, not both"),
], ids=["four-fields", "minute", "hour", "month", "weekday", "step", "dom-and-dow"])
def test_bad_crontab_strings_say_what_is_wrong(expr, message):
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_crontab(expr)


def test_schedule_errors_name_the_key():
    with pytest.raises(ScheduleError) as err:
        parse_schedule({"weekly": "30 8 * *", "wekly": "0 9 * * 1"})
    lines = str(err.value).splitlines()
    assert lines[0].startswith("schedule.weekly: '30 8 * *' is not a crontab line")
    assert lines[1].startswith("schedule.wekly: unknown key")


def test_null_disables_a_job_and_other_keys_keep_their_defaults(tmp_path):
    schedule = parse_schedule({"probe": None, "crawl": "0 2 * * 0"})
    assert schedule.entries() == {"crawl": "0 2 * * 0", "weekly": "30 8 * * 1", "monthly": "30 8 1 * *"}
    jobs = {k: v for k, v in JOBS.items() if k != "probe"}
    sched = build_scheduler(schedule, jobs, timezone="Asia/Shanghai", state_path=tmp_path / "s.json")
    assert sorted(j.id for j in sched.get_jobs()) == ["crawl", "monthly", "weekly"]


def test_jobs_coalesce_and_never_overlap(tmp_path):
    sched = build_scheduler(ScheduleConfig(), JOBS, timezone="Asia/Shanghai", state_path=tmp_path / "s.json")
    for job in sched.get_jobs():
        assert job.coalesce is True and job.max_instances == 1
        assert job.trigger.timezone == SH
    assert sched.get_job("probe").misfire_grace_time == 300
    assert sched.get_job("weekly").misfire_grace_time == 6 * 3600
    assert sched.get_job("probe").executor == "probe" and sched.get_job("crawl").executor == "default"


def test_job_names_are_checked(tmp_path):
    with pytest.raises(ValueError, match="unknown job name"):
        build_scheduler(ScheduleConfig(), {**JOBS, "report": noop}, timezone="Asia/Shanghai",
                        state_path=tmp_path / "s.json")
    with pytest.raises(ValueError, match="no job given for scheduled probe"):
        build_scheduler(ScheduleConfig(), {k: noop for k in ("crawl", "weekly", "monthly")},
                        timezone="Asia/Shanghai", state_path=tmp_path / "s.json")


# ---- catch-up after downtime ---------------------------------------------------------

@pytest.mark.parametrize("state, now, due", [
    ({"weekly": at(2026, 11, 16, 8, 30, 5)}, at(2026, 11, 24, 9, 0), ["weekly"]),      # Monday 23rd missed
    ({"weekly": at(2026, 11, 23, 8, 30, 5)}, at(2026, 11, 24, 9, 0), []),              # ran on Monday
    ({"weekly": at(2026, 11, 23, 8, 30, 5)}, at(2026, 11, 30, 8, 29), []),             # next one not due yet
    ({"weekly": at(2026, 11, 23, 8, 30, 5)}, at(2026, 11, 30, 8, 30), ["weekly"]),
    ({"crawl": at(2026, 11, 16, 6, 0), "weekly": at(2026, 11, 16, 8, 30), "monthly": at(2026, 11, 1, 8, 30)},
     at(2026, 12, 2, 9, 0), ["crawl", "weekly", "monthly"]),                             # crawl before the reports
    ({"probe": at(2026, 1, 1, 0, 0)}, at(2026, 11, 24, 9, 0), []),                      # probes are not made up
    ({}, at(2026, 11, 24, 9, 0), []),                                                    # never ran: nothing to make up
], ids=["missed-monday", "not-missed", "just-before", "on-the-minute", "all-three-in-order", "probe", "empty"])
def test_catch_up_due(state, now, due):
    assert catch_up_due(ScheduleConfig(), state, now) == due


def test_a_successful_run_records_its_start_and_ends_the_catch_up(tmp_path):
    state_path = tmp_path / "t.db.schedule.json"
    now = at(2026, 11, 24, 9, 0)
    ran = []
    sched = build_scheduler(ScheduleConfig(), {**JOBS, "weekly": lambda: ran.append(1)}, timezone="Asia/Shanghai",
                            state_path=state_path, clock=lambda: now)
    sched.get_job("weekly").func()
    assert ran == [1]
    saved = json.loads(state_path.read_text())["last_success"]
    assert saved == {"weekly": "2026-11-24T09:00:00+08:00"}
    assert [p.name for p in tmp_path.iterdir()] == [state_path.name]       # no temp file left behind
    state = scheduler.ScheduleState(state_path).load()
    assert catch_up_due(ScheduleConfig(), state, at(2026, 11, 24, 9, 5)) == []


def test_a_failed_run_is_not_recorded(tmp_path):
    state_path = tmp_path / "t.db.schedule.json"

    def broken():
        raise RuntimeError("crawl failed")
    sched = build_scheduler(ScheduleConfig(), {**JOBS, "crawl": broken}, timezone="Asia/Shanghai",
                            state_path=state_path)
    with pytest.raises(RuntimeError):
        sched.get_job("crawl").func()
    assert not state_path.exists()


def test_an_unreadable_state_file_is_ignored(tmp_path):
    path = tmp_path / "t.db.schedule.json"
    path.write_text("{not json")
    assert scheduler.ScheduleState(path).load() == {}


def test_run_forever_makes_up_a_missed_monday_once(tmp_path):
    db = tmp_path / "t.db"
    Path(f"{db}.schedule.json").write_text(json.dumps({"last_success": {
        "crawl": "2026-11-23T06:00:03+08:00", "weekly": "2026-11-16T08:30:04+08:00"}}))
    calls, weekly_ran = [], threading.Event()
    jobs = {**JOBS, "crawl": lambda: calls.append("crawl"),
            "weekly": lambda: (calls.append("weekly"), weekly_ran.set())}
    stop = threading.Event()
    runner = threading.Thread(target=run_forever, args=(ScheduleConfig(), jobs),
                              kwargs=dict(timezone="Asia/Shanghai", db_path=db, stop=stop,
                                          clock=lambda: at(2026, 11, 24, 9, 0)))
    runner.start()
    try:
        assert weekly_ran.wait(10)
        with pytest.raises(SchedulerLocked) as err:          # meanwhile a second scheduler is refused
            run_forever(ScheduleConfig(), jobs, timezone="Asia/Shanghai", db_path=db)
        assert err.value.pid == os.getpid()
    finally:
        stop.set()
        runner.join(10)
    assert not runner.is_alive()
    assert calls == ["weekly"]
    saved = json.loads(Path(f"{db}.schedule.json").read_text())
    assert saved["last_success"]["weekly"] == "2026-11-24T09:00:00+08:00"
    # Never run: counted from now, but not recorded as a run (status shows only what happened).
    assert "monthly" not in saved["last_success"]
    assert saved["since"]["monthly"] == "2026-11-24T09:00:00+08:00"
    assert lock_holder(db) is None
    assert not Path(f"{db}.lock").exists()                   # a clean stop leaves no lock file


# ---- one scheduler per database ------------------------------------------------------

def test_a_second_lock_fails_with_the_holders_pid(tmp_path):
    db = tmp_path / "t.db"
    with acquire_lock(db):
        assert lock_holder(db) == os.getpid()
        with pytest.raises(SchedulerLocked) as err:
            acquire_lock(db)
        assert err.value.pid == os.getpid() and err.value.exit_code == 3
        assert f"another govfresh scheduler (pid {os.getpid()}) is running against {db}" in str(err.value)
    with acquire_lock(db):                                  # released: free again
        pass
    assert lock_holder(db) is None


def test_a_released_lock_leaves_no_file_and_stays_exclusive_for_who_opened_it_before(tmp_path, monkeypatch):
    """Removing the lock file on release is safe: a process that opened the old file
    before it was removed, and gets the lock on it after, must notice and start over."""
    db = tmp_path / "t.db"
    path = Path(f"{db}.lock")
    first = acquire_lock(db)
    late = os.open(path, os.O_RDWR)                  # another scheduler opened the file, then waited
    first.release()
    assert not path.exists()                         # nothing left behind
    third = acquire_lock(db)                         # meanwhile a third one started on a fresh file
    real_open = os.open
    opened = []

    def open_late_first(file, flags, mode=0o777):
        if not opened:
            opened.append(file)
            return late                              # the late one resumes with its old descriptor
        return real_open(file, flags, mode)
    monkeypatch.setattr(scheduler.os, "open", open_late_first)
    with pytest.raises(SchedulerLocked) as err:      # its lock on the removed file does not count
        acquire_lock(db)
    assert err.value.pid == os.getpid()
    monkeypatch.undo()
    third.release()
    assert not path.exists()
    with acquire_lock(db):
        assert lock_holder(db) == os.getpid()


def _child(code: str, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO), "DB": str(tmp_path / "t.db")})


def test_the_lock_names_another_process(tmp_path):
    child = _child("""
        import os, sys, scheduler
        lock = scheduler.acquire_lock(os.environ["DB"])
        print("locked", flush=True)
        sys.stdin.readline()
    """, tmp_path)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(SchedulerLocked) as err:
            acquire_lock(tmp_path / "t.db")
        assert err.value.pid == child.pid
    finally:
        child.communicate("\n", timeout=10)
    acquire_lock(tmp_path / "t.db").release()               # the kernel freed it when the child ended


def test_sigterm_lets_the_running_job_finish(tmp_path):
    Path(f"{tmp_path / 't.db'}.schedule.json").write_text(json.dumps(
        {"last_success": {"weekly": (datetime.now(SH) - timedelta(days=8)).isoformat()}}))
    child = _child("""
        import logging, os, sys, scheduler
        logging.basicConfig(level=logging.INFO)
        def weekly():
            print("started", flush=True)
            sys.stdin.readline()               # the test lets the job end after sending SIGTERM
            open(os.environ["DB"] + ".done", "w").close()
            print("finished", flush=True)
        from config import ScheduleConfig
        schedule = ScheduleConfig(probe=None, crawl=None, monthly=None)
        scheduler.run_forever(schedule, {"weekly": weekly}, timezone="Asia/Shanghai", db_path=os.environ["DB"])
        print("exited cleanly", flush=True)
    """, tmp_path)
    try:
        assert child.stdout.readline().strip() == "started"
        child.terminate()
        out, err = child.communicate("\n", timeout=20)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert out.index("finished") < out.index("exited cleanly")     # shutdown waited for the job
    assert Path(f"{tmp_path / 't.db'}.done").exists()
    assert "SIGTERM received: finishing the current job" in err


# ---- cron and systemd -------------------------------------------------------------------

def test_crontab_lines_load_the_secrets_then_run_the_jobs_commands(tmp_path):
    config = tmp_path / "sites.yaml"
    lines = crontab_lines(config, ScheduleConfig(), "/opt/govfresh/bin/govfresh", env_file="/etc/govfresh.env",
                          out="/srv/reports")
    assert "CRON_TZ=Asia/Shanghai" in lines
    load = "set -a; [ ! -r /etc/govfresh.env ] || . /etc/govfresh.env; set +a;"
    assert lines[-4:] == [
        f"0 * * * * {load} /opt/govfresh/bin/govfresh probe --config {config}",
        f"0 6 * * 1 {load} /opt/govfresh/bin/govfresh crawl --config {config}",
        # the weekly job reports and notifies; it does not crawl again (the crawl is its own job)
        f"30 8 * * 1 {load} /opt/govfresh/bin/govfresh report --config {config} --period week --notify"
        " --out /srv/reports",
        f"30 8 1 * * {load} /opt/govfresh/bin/govfresh report --config {config} --period month --notify"
        " --out /srv/reports",
    ]


def test_crontab_lines_quote_paths_and_note_disabled_jobs():
    lines = crontab_lines("/srv/清河 县/sites%.yaml", ScheduleConfig(probe=None), "govfresh",
                          env_file="/etc/gov fresh%.env", db="/var/lib/g.db")
    assert "# probe: disabled in the schedule" in lines
    assert ("0 6 * * 1 set -a; [ ! -r '/etc/gov fresh\\%.env' ] || . '/etc/gov fresh\\%.env'; set +a;"
            " govfresh crawl --config '/srv/清河 县/sites\\%.yaml' --db /var/lib/g.db") in lines


def test_a_crontab_line_is_a_shell_command_that_loads_the_env_file(tmp_path):
    import subprocess

    env_file = tmp_path / "govfresh.env"
    env_file.write_text("ONEBOT_TOKEN=t0ken\n", encoding="utf-8")
    fake = tmp_path / "govfresh"
    fake.write_text('#!/bin/sh\necho "$ONEBOT_TOKEN $*"\n', encoding="utf-8")
    fake.chmod(0o755)
    line = crontab_lines(tmp_path / "sites.yaml", ScheduleConfig(), fake, env_file=env_file)[-1]
    command = line.split(" ", 5)[5].replace("\\%", "%")      # what cron hands to /bin/sh
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.stdout.split() == ["t0ken", "report", "--config", str(tmp_path / "sites.yaml"),
                                   "--period", "month", "--notify"]


def test_systemd_unit_runs_the_scheduler_confined(tmp_path):
    unit = systemd_unit("/etc/govfresh/sites.yaml", "/opt/govfresh/bin/govfresh", "/var/lib/govfresh",
                        out_dir="/srv/govfresh/reports")
    # Crawled pages are untrusted: a user of its own, no privileges, a read-only system,
    # a private /tmp, and write access to its data and output folders only.
    for line in ("User=govfresh", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                 "ReadWritePaths=/var/lib/govfresh /srv/govfresh/reports", "UMask=0077"):
        assert f"\n{line}\n" in unit, line
    assert "User=root" not in unit
    assert "ExecStart=/opt/govfresh/bin/govfresh schedule --config /etc/govfresh/sites.yaml" in unit
    assert "WorkingDirectory=/var/lib/govfresh" in unit
    assert "RestartPreventExitStatus=3" in unit and "KillSignal=SIGTERM" in unit
    assert "[Install]\nWantedBy=multi-user.target" in unit


def test_the_lock_file_is_private(tmp_path):
    import os
    import stat
    with acquire_lock(tmp_path / "g.db") as lock:
        assert stat.S_IMODE(os.stat(lock.path).st_mode) == 0o600
