"""Fist-of-five tallies and PI week arithmetic, against hand-computed expectations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from rituals.pi import calendar
from rituals.pi.models import ProgramIncrement
from rituals.pi.votes import tally


@pytest.mark.parametrize(
    ("scores", "average", "low"),
    [
        ([4, 3, 2], Decimal("3.0"), True),  # 9/3 = 3.0, but a 2 asks what would raise confidence
        ([4, 4, 3], Decimal("3.7"), False),  # 11/3 = 3.666…
        ([3, 3, 2, 3], Decimal("2.8"), True),  # 11/4 = 2.75 rounds half up
        ([5, 5, 1], Decimal("3.7"), True),  # any 1 asks
        ([3, 3], Decimal("3.0"), False),
        ([], None, False),
    ],
)
def test_tally_average_and_low_confidence(scores, average, low):
    result = tally(scores)
    assert (result.average, result.low, result.count) == (average, low, len(scores))
    assert sum(result.distribution.values()) == len(scores)


def pi(start: date, weekday: int, tz: str = "Europe/Berlin") -> ProgramIncrement:
    return ProgramIncrement(
        start_on=start, end_on=start + timedelta(days=80), checkin_weekday=weekday, checkin_time="10:00", timezone=tz
    )


@pytest.mark.parametrize(
    ("start", "weekday", "day", "week"),
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23), 1),  # starts on a Monday check-in
        (date(2026, 11, 23), 0, date(2026, 11, 29), 1),  # Sunday still week 1
        (date(2026, 11, 23), 0, date(2026, 11, 30), 2),
        (date(2026, 11, 23), 2, date(2026, 11, 24), 1),  # before the first Wednesday: planning, week 1
        (date(2026, 11, 23), 2, date(2026, 12, 2), 2),  # first check-in 25 Nov, 7 days later week 2
    ],
)
def test_week_of(start, weekday, day, week):
    assert calendar.week_of(pi(start, weekday), day) == week


def test_current_week_uses_the_pis_timezone():
    kolkata = pi(date(2026, 11, 23), 0, "Asia/Kolkata")
    # Sunday 29 Nov 20:00 UTC is already Monday 01:30 in Kolkata: week 2 there
    assert calendar.current_week(kolkata, datetime(2026, 11, 29, 20, 0, tzinfo=UTC)) == 2
    assert calendar.current_week(pi(date(2026, 11, 23), 0), datetime(2026, 11, 29, 20, 0, tzinfo=UTC)) == 1


@pytest.mark.parametrize(
    ("weekday", "at", "after", "fields"),
    [
        (0, time(10, 0), timedelta(hours=8), {"day_of_week": 0, "hour": 18, "minute": 0}),
        (4, time(20, 30), timedelta(hours=4), {"day_of_week": 5, "hour": 0, "minute": 30}),  # Friday night -> Saturday
        (6, time(22, 0), timedelta(hours=8), {"day_of_week": 0, "hour": 6, "minute": 0}),  # Sunday -> Monday
    ],
)
def test_cron_fields_wrap_past_midnight(weekday, at, after, fields):
    assert calendar.cron_fields(weekday, at, after) == fields
