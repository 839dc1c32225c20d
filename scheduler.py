"""Running the schedule: hourly probes, the weekly crawl, weekly and monthly report + notify.

Jobs are plain callables handed in by jobs.py, so the scheduler only decides
*when* (the crontab strings are read and checked in config.schedule). One
scheduler per database (a lock file), a weekly or monthly run missed while the
machine was off is run once at start, and SIGTERM lets the running job finish
(and removes the lock file).

    govfresh schedule   →  run_forever(schedule, jobs, timezone=…, db_path=…)
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from config.schedule import JOB_COMMANDS, JOB_NAMES, ScheduleConfig, parse_crontab, zone_of

LOG = logging.getLogger("govfresh.scheduler")

# Missed runs worth making up, in the order they must run: the report reads the crawl.
CATCH_UP = ("crawl", "weekly", "monthly")
LOCKED_EXIT_CODE = 3


# ---- last successful runs --------------------------------------------------------

class ScheduleState:
    """When each job last succeeded, in `<db>.schedule.json`; and, for a job that has
    never run, since when the scheduler has been watching it (catch-up counts from
    there). Only the first is something that happened: `govfresh status` shows that.

    Written through a temporary file and os.replace, so a crash mid-write leaves
    the old state rather than half a JSON file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict[str, datetime]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {key: {name: datetime.fromisoformat(when) for name, when in (data.get(key) or {}).items()}
                    for key in ("last_success", "since")}
        except FileNotFoundError:
            return {"last_success": {}, "since": {}}
        except (ValueError, AttributeError, TypeError) as exc:
            LOG.warning("ignoring unreadable schedule state %s: %s", self.path, exc)
            return {"last_success": {}, "since": {}}

    def load(self) -> dict[str, datetime]:
        """The last successful start of each job that has run."""
        return self._read()["last_success"]

    def counted_from(self) -> dict[str, datetime]:
        """Per job, the time missed runs are counted from: its last success, else when watching began."""
        state = self._read()
        return {**state["since"], **state["last_success"]}

    def mark(self, name: str, when: datetime) -> None:
        with self._lock:
            state = self._read()
            state["last_success"][name] = when
            state["since"].pop(name, None)
            self._write(state)

    def baseline(self, names: list[str], when: datetime) -> None:
        """Jobs never run before count from now, so only later downtime is made up."""
        with self._lock:
            state = self._read()
            missing = [n for n in names if n not in state["last_success"] and n not in state["since"]]
            if missing:
                state["since"].update({n: when for n in missing})
                self._write(state)

    def _write(self, state: dict[str, dict[str, datetime]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({key: {n: t.isoformat() for n, t in sorted(times.items())}
                           for key, times in state.items() if times}, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def state_path_for(db_path: str | Path) -> Path:
    return Path(f"{db_path}.schedule.json")


def catch_up_due(schedule: ScheduleConfig, state: Mapping[str, datetime], now: datetime,
                 *, timezone: Any = None) -> list[str]:
    """Jobs (of crawl, weekly, monthly) with a scheduled time between their last success and now.

    A job with no recorded success is not due: there is nothing to make up yet.
    """
    zone = timezone or now.tzinfo
    if zone is None:
        raise ValueError("catch_up_due needs an aware `now` or a timezone")
    due = []
    entries = schedule.entries()
    for name in CATCH_UP:
        last = state.get(name)
        if name not in entries or last is None:
            continue
        missed = parse_crontab(entries[name], zone).get_next_fire_time(last, now)
        if missed is not None and missed <= now:
            due.append(name)
    return due


# ---- building and running ----------------------------------------------------------

def _tracked(name: str, job: Callable[[], None], state: ScheduleState, clock: Callable[[], datetime]
             ) -> Callable[[], None]:
    """The job, recording its start time as the last success when it returns."""
    def run() -> None:
        started = clock()
        LOG.info("job %s started", name)
        job()   # an exception propagates to APScheduler, which logs it; state stays as it was
        state.mark(name, started)
        LOG.info("job %s finished", name)
    run.__name__ = f"govfresh_{name}"
    return run


def _on_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        LOG.warning("job %s missed its %s run (machine asleep or busy); next run as scheduled",
                    event.job_id, event.scheduled_run_time)
    elif event.exception is not None:
        LOG.error("job %s failed: %s", event.job_id, event.exception)


def _build(schedule: ScheduleConfig, jobs: Mapping[str, Callable[[], None]], timezone: Any,
           state: ScheduleState, clock: Callable[[], datetime]) -> BackgroundScheduler:
    unknown = set(jobs) - set(JOB_NAMES)
    if unknown:
        raise ValueError(f"unknown job name(s) {sorted(unknown)}; expected {', '.join(JOB_NAMES)}")
    missing = [n for n in schedule.entries() if n not in jobs]
    if missing:
        raise ValueError(f"no job given for scheduled {', '.join(missing)}")
    zone = zone_of(timezone)
    scheduler = BackgroundScheduler(
        timezone=zone,
        # One worker for crawl and reports, so a report waits for the crawl it reads;
        # probes have their own, so a long crawl does not silence them.
        executors={"default": ThreadPoolExecutor(1), "probe": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1})
    for name, expr in schedule.entries().items():
        # Coalesce + a grace time: after a sleep, one late run rather than a burst;
        # a probe an hour late is worthless, a weekly notice 3 hours late is not.
        grace = 5 * 60 if name == "probe" else schedule.misfire_grace_minutes * 60
        scheduler.add_job(_tracked(name, jobs[name], state, clock), parse_crontab(expr, zone), id=name,
                          name="govfresh " + " ".join(JOB_COMMANDS[name]),
                          executor="probe" if name == "probe" else "default",
                          coalesce=True, max_instances=1, misfire_grace_time=grace, replace_existing=True)
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    return scheduler


def build_scheduler(schedule: ScheduleConfig, jobs: Mapping[str, Callable[[], None]], *, timezone: Any,
                    state_path: str | Path, clock: Callable[[], datetime] | None = None) -> BackgroundScheduler:
    """A BackgroundScheduler (not started) with one cron job per enabled schedule entry."""
    zone = zone_of(timezone)
    return _build(schedule, jobs, zone, ScheduleState(state_path), clock or (lambda: datetime.now(zone)))


# ---- one scheduler per database -------------------------------------------------

class SchedulerLocked(RuntimeError):
    """Another scheduler holds the database's lock. The CLI exits with `exit_code`."""
    exit_code = LOCKED_EXIT_CODE

    def __init__(self, db_path: str | Path, pid: int | None):
        self.pid = pid
        holder = f"pid {pid}" if pid else "pid unknown"
        super().__init__(f"another govfresh scheduler ({holder}) is running against {db_path};"
                         f" stop it first, or use another database")


@dataclass
class SchedulerLock:
    path: Path
    fd: int

    def release(self) -> None:
        """Remove the lock file, then let go of it: a clean exit leaves nothing behind.

        Removing a flock'ed file is safe only because it happens while it is still
        held, and because acquire_lock checks, once it has a lock, that its file is
        still the one at the path: a process that opened the file before it was
        removed finds it gone and starts over on a fresh one.
        """
        if self.fd < 0:
            return
        try:
            if os.path.samestat(os.fstat(self.fd), os.stat(self.path)):
                self.path.unlink()
        except FileNotFoundError:
            pass
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = -1

    def __enter__(self) -> "SchedulerLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path_for(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


def _read_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 32).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def _is_at(fd: int, path: Path) -> bool:
    """Whether the open file is (still) the file at `path`."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def acquire_lock(db_path: str | Path) -> SchedulerLock:
    """Hold `<db>.lock` exclusively (flock) or raise SchedulerLocked with the holder's pid.

    flock is released by the kernel when the process dies, so a crash never leaves
    a stale lock behind (only its empty-of-meaning file, which the next holder reuses).
    """
    path = lock_path_for(db_path)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            pid = _read_pid(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise SchedulerLocked(db_path, pid) from None
            raise
        if _is_at(fd, path):
            break
        # The previous holder removed this file between our open and our lock: the
        # lock that counts is on whatever file is at the path now.
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return SchedulerLock(path, fd)


def lock_holder(db_path: str | Path) -> int | None:
    """The pid of the scheduler running against this database (-1: running, pid unreadable), or None."""
    try:
        fd = os.open(lock_path_for(db_path), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_pid(fd) or -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def run_forever(schedule: ScheduleConfig, jobs: Mapping[str, Callable[[], None]], *, timezone: Any,
                db_path: str | Path, clock: Callable[[], datetime] | None = None,
                stop: threading.Event | None = None) -> None:
    """Lock the database, make up missed runs, then run the schedule until SIGTERM/SIGINT.

    Raises SchedulerLocked (exit code 3) when another scheduler has the database.
    `stop` lets a caller other than a signal end the loop (tests, an embedding).
    """
    zone = zone_of(timezone)
    clock = clock or (lambda: datetime.now(zone))
    stop = stop or threading.Event()
    with acquire_lock(db_path):
        state = ScheduleState(state_path_for(db_path))
        scheduler = _build(schedule, jobs, zone, state, clock)
        now = clock()
        state.baseline([n for n in CATCH_UP if n in schedule.entries()], now)
        due = catch_up_due(schedule, state.counted_from(), now)
        if due:
            LOG.info("missed while down: %s; running now", ", ".join(due))
            runners = [scheduler.get_job(name).func for name in due]
            # Queued on the same one-worker executor as the cron jobs, in order.
            scheduler.add_job(lambda: [run() for run in runners], id="catch-up", name="catch up",
                              next_run_time=datetime.now(zone), misfire_grace_time=None)
        restore = _install_signal_handlers(stop)
        try:
            scheduler.start()
            for job in scheduler.get_jobs():
                LOG.info("%s: next run %s", job.name, job.next_run_time)
            while not stop.wait(1.0):
                pass
            LOG.info("stopping: waiting for the running job to finish")
            scheduler.shutdown(wait=True)
            LOG.info("scheduler stopped")
        finally:
            restore()


def _install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM/SIGINT set `stop`; a second one exits at once. Returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None     # signals can only be handled in the main thread

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            LOG.warning("second %s: exiting without waiting", signal.Signals(signum).name)
            os._exit(128 + signum)
        LOG.info("%s received: finishing the current job, then stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return restore
