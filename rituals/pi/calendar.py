"""PI time: check-in weeks in the PI's timezone, and when the weekly jobs fire.

Week n runs from the n-th check-in day (00:00 local) to the day before the next one, so an update
made any time in that span counts for week n. The reminder and the summary (the cut-off) follow
the check-in on the same working day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rituals.pi.models import ProgramIncrement

REMIND_AFTER = timedelta(hours=4)
SUMMARY_AFTER = timedelta(hours=8)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_hhmm(value: str) -> time | None:
    try:
        hour, minute = (int(p) for p in value.strip().split(":"))
        return time(hour, minute)
    except (ValueError, AttributeError):
        return None


def local_today(pi: ProgramIncrement, now: datetime) -> date:
    return now.astimezone(ZoneInfo(pi.timezone)).date()


def first_checkin(pi: ProgramIncrement) -> date:
    return pi.start_on + timedelta(days=(pi.checkin_weekday - pi.start_on.weekday()) % 7)


def week_of(pi: ProgramIncrement, day: date) -> int:
    """The check-in week a local date belongs to (planning days before the first check-in are week 1)."""
    return max(1, (day - first_checkin(pi)).days // 7 + 1)


def current_week(pi: ProgramIncrement, now: datetime) -> int:
    return week_of(pi, local_today(pi, now))


def total_weeks(pi: ProgramIncrement) -> int:
    return week_of(pi, pi.end_on)


def is_checkin_day(pi: ProgramIncrement, now: datetime) -> bool:
    """Whether the weekly jobs should act today: a check-in weekday within the PI's dates."""
    today = local_today(pi, now)
    return today.weekday() == pi.checkin_weekday and pi.start_on <= today <= pi.end_on


def cron_fields(weekday: int, at: time, after: timedelta = timedelta()) -> dict[str, int]:
    """day_of_week/hour/minute for a CronTrigger firing `after` the weekly check-in moment."""
    moment = datetime.combine(date(2024, 1, 1) + timedelta(days=weekday), at) + after  # 2024-01-01 is a Monday
    return {"day_of_week": moment.weekday(), "hour": moment.hour, "minute": moment.minute}
