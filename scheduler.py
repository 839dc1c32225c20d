"""The schedule: hourly probes, the weekly crawl, weekly and monthly report + notify.

Jobs are plain callables handed in by the CLI, so the scheduler only decides
*when*. Times are crontab strings read with crontab's meaning (0 and 7 are
Sunday), in the config's time zone. One scheduler per database (a lock file),
a weekly or monthly run missed while the machine was off is run once at start,
and SIGTERM lets the running job finish.

    govfresh schedule   →  run_forever(schedule, jobs, timezone=…, db_path=…)
    govfresh crontab    →  crontab_lines(…) / systemd_unit(…)
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shlex
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config import ConfigError

LOG = logging.getLogger("govfresh.scheduler")

JOB_NAMES = ("probe", "crawl", "weekly", "monthly")
# Missed runs worth making up, in the order they must run: the report reads the crawl.
CATCH_UP = ("crawl", "weekly", "monthly")
# The govfresh command each job stands for (crontab lines, systemd, docs).
COMMANDS = {"probe": "probe", "crawl": "crawl", "weekly": "run --period week", "monthly": "run --period month"}
LOCKED_EXIT_CODE = 3

_FIELDS = ("minute", "hour", "day of month", "month", "day of week")
_MACROS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"}
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")   # crontab order: 0 (and 7) is Sunday


class ScheduleError(ConfigError, ValueError):
    """A schedule entry cannot be used; the message names the key and the field."""


# ---- crontab strings ----------------------------------------------------------

def _weekday(token: str, expr: str) -> int:
    token = token.strip().lower()
    if len(token) >= 3 and token[:3] in _WEEKDAYS:
        return _WEEKDAYS.index(token[:3])
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    raise ScheduleError(f"{expr!r}: day of week {token!r} must be 0-7 (0 and 7 = Sunday) or sun…sat")


def _weekdays_for_apscheduler(field: str, expr: str) -> str:
    """Crontab's day-of-week field as APScheduler 3 names.

    APScheduler 3 counts 0 as Monday, crontab as Sunday: "30 8 * * 1" passed
    through unchanged would fire on Tuesdays. Naming the days removes the doubt.
    """
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ScheduleError(f"{expr!r}: day of week step {step_text!r} must be a positive number")
        step = int(step_text) if slash else 1
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            low, high = (_weekday(t, expr) for t in base.split("-", 1))
            if high < low:
                raise ScheduleError(f"{expr!r}: day of week range {base!r} runs backwards")
        else:
            low = _weekday(base, expr)
            high = 7 if slash else low          # "1/2" means every 2nd day from Monday
        days.update(d % 7 for d in range(low, high + 1, step))
    return ",".join(_WEEKDAYS[d] for d in sorted(days))


def parse_crontab(expr: str, timezone: Any = "Asia/Shanghai") -> CronTrigger:
    """A 5-field crontab string (minute hour day month weekday) as a CronTrigger."""
    text = " ".join(str(expr).split())
    fields = _MACROS.get(text.lower(), text).split()
    if len(fields) != 5:
        raise ScheduleError(f"{expr!r} is not a crontab line: it needs 5 fields"
                            f" (minute hour day-of-month month day-of-week), got {len(fields)}")
    minute, hour, day, month, dow = fields
    for name, key, value in zip(_FIELDS, ("minute", "hour", "day", "month"), fields):
        try:
            CronTrigger(**{key: value}, timezone="UTC")
        except ValueError as exc:
            raise ScheduleError(f"{expr!r}: {name} field {value!r} is invalid ({exc})") from None
    weekdays = _weekdays_for_apscheduler(dow, expr)
    if day != "*" and dow != "*":
        # cron fires when either matches, APScheduler only when both do: refuse the ambiguity.
        raise ScheduleError(f"{expr!r}: restrict the day of month or the day of week, not both")
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekdays,
                       timezone=_zone(timezone))


def _zone(timezone: Any) -> Any:
    if not isinstance(timezone, str):
        return timezone
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {timezone!r} (e.g. Asia/Shanghai)") from None


# ---- the schedule: config ------------------------------------------------------

class ScheduleConfig(BaseModel):
    """The config's ``schedule:`` mapping. A job set to null does not run."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    probe: str | None = Field("0 * * * *", description="reachability probe of every site (hourly: 24 a day)")
    crawl: str | None = Field("0 6 * * 1", description="full crawl (Monday 06:00)")
    weekly: str | None = Field("30 8 * * 1", description="weekly report + notify (Monday 08:30)")
    monthly: str | None = Field("30 8 1 * *", description="monthly report + notify (the 1st, 08:30)")
    misfire_grace_minutes: int = Field(
        360, ge=1, le=7 * 24 * 60,
        description="a crawl or report this late (machine asleep, busy) still runs; later ones are skipped")

    @field_validator("probe", "crawl", "weekly", "monthly")
    @classmethod
    def _valid_crontab(cls, value: str | None) -> str | None:
        if value is not None:
            parse_crontab(value, "UTC")
        return value

    def entries(self) -> dict[str, str]:
        """The enabled jobs and their crontab strings, in JOB_NAMES order."""
        return {name: getattr(self, name) for name in JOB_NAMES if getattr(self, name)}


def parse_schedule(raw: Mapping[str, Any] | None, source: str = "schedule") -> ScheduleConfig:
    """Validate the config's schedule mapping; errors name the key."""
    try:
        return ScheduleConfig.model_validate(dict(raw or {}))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            msg = "unknown key (one of " + ", ".join(ScheduleConfig.model_fields) + ")" \
                if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}.{key}: {msg}")
        raise ScheduleError("\n".join(lines)) from None


def next_runs(schedule: ScheduleConfig, *, timezone: Any, now: datetime, count: int = 1) -> dict[str, list[datetime]]:
    """The next `count` fire times of each enabled job after `now` (for `govfresh status`)."""
    out: dict[str, list[datetime]] = {}
    for name, expr in schedule.entries().items():
        trigger, times, previous = parse_crontab(expr, timezone), [], None
        for _ in range(count):
            previous = trigger.get_next_fire_time(previous, now if previous is None else previous)
            if previous is None:
                break
            times.append(previous)
        out[name] = times
    return out


# ---- last successful runs --------------------------------------------------------

class ScheduleState:
    """The last successful start of each job, in `<db>.schedule.json`.

    Written through a temporary file and os.replace, so a crash mid-write leaves
    the old state rather than half a JSON file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self) -> dict[str, datetime]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: datetime.fromisoformat(when) for name, when in data.get("last_success", {}).items()}
        except FileNotFoundError:
            return {}
        except (ValueError, AttributeError, TypeError) as exc:
            LOG.warning("ignoring unreadable schedule state %s: %s", self.path, exc)
            return {}

    def mark(self, name: str, when: datetime) -> None:
        with self._lock:
            state = self.load()
            state[name] = when
            self._write(state)

    def baseline(self, names: list[str], when: datetime) -> None:
        """Jobs never run before count from now, so only later downtime is made up."""
        with self._lock:
            state = self.load()
            missing = [n for n in names if n not in state]
            if missing:
                state.update({n: when for n in missing})
                self._write(state)

    def _write(self, state: dict[str, datetime]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"last_success": {n: t.isoformat() for n, t in sorted(state.items())}}, indent=1)
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
    zone = _zone(timezone)
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
                          name=f"govfresh {COMMANDS[name]}", executor="probe" if name == "probe" else "default",
                          coalesce=True, max_instances=1, misfire_grace_time=grace, replace_existing=True)
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    return scheduler


def build_scheduler(schedule: ScheduleConfig, jobs: Mapping[str, Callable[[], None]], *, timezone: Any,
                    state_path: str | Path, clock: Callable[[], datetime] | None = None) -> BackgroundScheduler:
    """A BackgroundScheduler (not started) with one cron job per enabled schedule entry."""
    zone = _zone(timezone)
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
        # The file stays: deleting a flock'ed file lets two processes lock two different files.
        if self.fd >= 0:
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


def acquire_lock(db_path: str | Path) -> SchedulerLock:
    """Hold `<db>.lock` exclusively (flock) or raise SchedulerLocked with the holder's pid.

    flock is released by the kernel when the process dies, so a crash never leaves
    a stale lock behind.
    """
    path = lock_path_for(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        pid = _read_pid(fd)
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise SchedulerLocked(db_path, pid) from None
        raise
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return SchedulerLock(path, fd)


def lock_holder(db_path: str | Path) -> int | None:
    """The pid of the scheduler running against this database (-1: running, pid unreadable), or None."""
    path = lock_path_for(db_path)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
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
    zone = _zone(timezone)
    clock = clock or (lambda: datetime.now(zone))
    stop = stop or threading.Event()
    with acquire_lock(db_path):
        state = ScheduleState(state_path_for(db_path))
        scheduler = _build(schedule, jobs, zone, state, clock)
        now = clock()
        state.baseline([n for n in CATCH_UP if n in schedule.entries()], now)
        due = catch_up_due(schedule, state.load(), now)
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


# ---- the same schedule for cron and systemd ----------------------------------------

def _cron_quote(value: str) -> str:
    # cron turns an unescaped % into a newline.
    return shlex.quote(value).replace("%", "\\%")


def crontab_lines(config_path: str | Path, schedule: ScheduleConfig, govfresh_bin: str | Path = "govfresh",
                  *, timezone: str = "Asia/Shanghai") -> list[str]:
    """The schedule as crontab lines, for offices that prefer cron to `govfresh schedule`."""
    config = _cron_quote(os.path.abspath(config_path))
    command = _cron_quote(str(govfresh_bin))
    lines = [
        "# govfresh — generated by `govfresh crontab`; install with `crontab -e`.",
        "# CRON_TZ is honoured by cronie (RHEL, openEuler, Kylin Server); Debian/Ubuntu cron",
        f"# ignores it, so set the machine's time zone to {timezone} there.",
        f"CRON_TZ={timezone}",
    ]
    entries = schedule.entries()
    for name in JOB_NAMES:
        if name in entries:
            sub, _, extra = COMMANDS[name].partition(" ")
            lines.append(f"{entries[name]} {command} {sub} --config {config}" + (f" {extra}" if extra else ""))
        else:
            lines.append(f"# {name}: disabled in the schedule")
    return lines


def _systemd_quote(value: str) -> str:
    if value and all(c.isalnum() or c in "/._-+:@=," for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(config_path: str | Path, govfresh_bin: str | Path, workdir: str | Path) -> str:
    """A systemd service running `govfresh schedule` (save as /etc/systemd/system/govfresh.service)."""
    program = str(govfresh_bin)
    # systemd wants an absolute program path; a bare name is looked up on PATH now.
    program = os.path.abspath(program) if os.sep in program else shutil.which(program) or program
    exec_start = " ".join(_systemd_quote(p) for p in (program, "schedule", "--config", os.path.abspath(config_path)))
    return f"""\
[Unit]
Description=govfresh: scheduled checks of government information-disclosure sites (政务公开巡检)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
WorkingDirectory={_systemd_quote(os.path.abspath(workdir))}
# Secrets for ${{VAR}} references in the config (WECOM_KEY=…), readable by root only.
EnvironmentFile=-/etc/govfresh.env
ExecStart={exec_start}
# SIGTERM lets the running crawl or report finish; give it time before SIGKILL.
KillSignal=SIGTERM
TimeoutStopSec=30min
Restart=on-failure
RestartSec=60
# Exit code {LOCKED_EXIT_CODE}: another scheduler has the database; restarting will not help.
RestartPreventExitStatus={LOCKED_EXIT_CODE}

[Install]
WantedBy=multi-user.target
"""
