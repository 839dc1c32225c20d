"""The schedule section: crontab strings with crontab's meaning, in the config's time zone."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config.schedule import ScheduleConfig, ScheduleError, next_runs, parse_crontab, parse_schedule

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=SH)


def at(*args):
    return datetime(*args, tzinfo=SH)


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
