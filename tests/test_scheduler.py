"""The scheduler: jobs fire on time, catch-up after downtime, one instance per database, clean SIGTERM."""
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
from config.schedule import JOB_NAMES, ScheduleConfig, parse_schedule
from scheduler import SchedulerLocked, acquire_lock, build_scheduler, catch_up_due, lock_holder, run_forever

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


def test_the_lock_file_is_private(tmp_path):
    import os
    import stat
    with acquire_lock(tmp_path / "g.db") as lock:
        assert stat.S_IMODE(os.stat(lock.path).st_mode) == 0o600
