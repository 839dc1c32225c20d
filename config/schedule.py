"""The config's ``schedule:`` section: crontab strings read with crontab's meaning.

Times are crontab strings (0 and 7 are Sunday) in the config's time zone,
checked when sites.yaml is loaded so a typo fails before a crawl, not after.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

JOB_NAMES = ("probe", "crawl", "weekly", "monthly")
# The govfresh command that does what each scheduled job does (jobs.scheduled_jobs): the
# crontab lines run these. The weekly and monthly jobs only report and notify; the crawl
# is a job of its own, scheduled before them.
JOB_COMMANDS: dict[str, tuple[str, ...]] = {
    "probe": ("probe",),
    "crawl": ("crawl",),
    "weekly": ("report", "--period", "week", "--notify"),
    "monthly": ("report", "--period", "month", "--notify"),
}

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
    # Imported here: a crawl loads the config but needs no scheduler (~50 ms of every crawl's start).
    from apscheduler.triggers.cron import CronTrigger

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
                       timezone=zone_of(timezone))


def zone_of(timezone: Any) -> Any:
    if not isinstance(timezone, str):
        return timezone
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {timezone!r} (e.g. Asia/Shanghai)") from None


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
