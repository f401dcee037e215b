"""Standup time: which local day a member is on, when they are asked, reminded and digested,
and whether a day counts (standup weekday, holiday, away)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.errors import UserError

CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(value: str, *, field: str | None = None) -> time:
    match = _HHMM.match((value or "").strip())
    if not match:
        raise UserError(f"“{value}” is not a time of day: use HH:MM, e.g. 09:30.", field=field)
    return time(int(match.group(1)), int(match.group(2)))


def parse_date(value: str, *, field: str | None = None) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"“{value}” is not a date: use YYYY-MM-DD, e.g. 2026-12-24.", field=field) from None


def parse_dates(text: str, *, field: str | None = None) -> list[str]:
    """Holiday dates typed as a comma/space separated list; returned sorted as ISO strings."""
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    return sorted({parse_date(p, field=field).isoformat() for p in parts})


def zone(name: str, *, field: str | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"“{name}” is not a timezone: use an Area/City name such as Europe/Berlin.", field=field
        ) from None


def local_date(now: datetime, tz: str) -> date:
    return now.astimezone(zone(tz)).date()


def local_datetime(day: date, at: str, tz: str) -> datetime:
    return datetime.combine(day, parse_time(at), tzinfo=zone(tz))


def cron(days: Iterable[int], at: str, tz: str, *, plus_minutes: int = 0) -> CronTrigger:
    """A trigger at `at` (+ minutes, capped at 23:59) local time on ISO weekdays `days`."""
    t = parse_time(at)
    minutes = min(t.hour * 60 + t.minute + plus_minutes, 23 * 60 + 59)
    dow = ",".join(CRON_DAYS[d - 1] for d in sorted(set(days))) or "mon-fri"
    return CronTrigger(day_of_week=dow, hour=minutes // 60, minute=minutes % 60, timezone=zone(tz))


def is_standup_weekday(days: Iterable[int], day: date) -> bool:
    return day.isoweekday() in set(days)


def next_standup_day(days: Iterable[int], after: date, holidays: Iterable[str] = ()) -> date:
    wanted, skip = set(days) or {1, 2, 3, 4, 5}, set(holidays)
    day = after + timedelta(days=1)
    while day.isoweekday() not in wanted or day.isoformat() in skip:
        day += timedelta(days=1)
    return day


def working_days(days: Iterable[int], holidays: Iterable[str], start: date, end: date) -> int:
    """Standup days after `start` up to and including `end` (a Friday blocker is 1 working day old on Monday)."""
    wanted, skip = set(days) or {1, 2, 3, 4, 5}, set(holidays)
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += day.isoweekday() in wanted and day.isoformat() not in skip
        day += timedelta(days=1)
    return count


def describe_days(days: Iterable[int]) -> str:
    chosen = sorted(set(days))
    if chosen == [1, 2, 3, 4, 5]:
        return "weekdays"
    if chosen == list(range(1, 8)):
        return "every day"
    return ", ".join(DAY_NAMES[d - 1][:3] for d in chosen)
