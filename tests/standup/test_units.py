"""Table-driven units: what counts as a blocker, participation/streak/median answer time, triggers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rituals.standup import calendar
from rituals.standup.answers import is_blocker
from rituals.standup.stats import Fact, summarize


@pytest.mark.parametrize(
    ("answer", "blocker"),
    [
        ("no", False),
        ("No.", False),
        ("none", False),
        ("NOPE!", False),
        ("-", False),
        ("n/a", False),
        ("N/A", False),
        ("  none  ", False),
        ("", False),
        (None, False),
        ("Waiting on GPU quota", True),
        ("no GPU quota yet", True),
        ("nothing yet from legal", True),
    ],
)
def test_blocker_answers(answer, blocker):
    assert is_blocker(answer) is blocker


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_participation_streak_and_median_answer_time():
    facts = [
        # ada: answered Mon (10 min), Tue (30 min), missed Wed, answered Thu (20 min), Fri (5 min)
        Fact("A", date(2026, 11, 23), "answered", _at(23, 8), _at(23, 8, 10)),
        Fact("A", date(2026, 11, 24), "answered", _at(24, 8), _at(24, 8, 30)),
        Fact("A", date(2026, 11, 25), "asked", _at(25, 8)),
        Fact("A", date(2026, 11, 26), "answered", _at(26, 8), _at(26, 8, 20)),
        Fact("A", date(2026, 11, 27), "answered", _at(27, 8), _at(27, 8, 5)),
        # grace: answered last Friday (outside the window), away Mon-Tue, answered early Wed, asked Thu-Fri
        Fact("G", date(2026, 11, 20), "answered", _at(20, 17), _at(20, 18)),
        Fact("G", date(2026, 11, 23), "away"),
        Fact("G", date(2026, 11, 24), "skipped"),
        Fact("G", date(2026, 11, 25), "answered", None, _at(24, 22)),
        Fact("G", date(2026, 11, 26), "answered", _at(26, 17), _at(26, 19)),
        Fact("G", date(2026, 11, 27), "asked", _at(27, 17)),
    ]
    stats = summarize(["A", "G", "R"], facts, date(2026, 11, 23), date(2026, 11, 27))
    ada, grace, ravi = stats
    # ada: 4 of 5; streak Thu+Fri = 2; median of 10, 30, 20, 5 minutes = 15
    assert (ada.answered, ada.expected, ada.streak, ada.median_minutes) == (4, 5, 2, 15.0)
    assert ada.rate == 0.8
    # grace: away/skipped not counted: 2 of 3; streak broken by Friday; only Thursday has an ask -> 120 min
    assert (grace.answered, grace.expected, grace.streak, grace.median_minutes) == (2, 3, 0, 120.0)
    assert (ravi.expected, ravi.rate, ravi.median_minutes) == (0, None, None)


def test_streak_skips_away_days():
    facts = [
        Fact("A", date(2026, 11, 23), "answered"),
        Fact("A", date(2026, 11, 24), "away"),
        Fact("A", date(2026, 11, 25), "answered"),
    ]
    assert summarize(["A"], facts, date(2026, 11, 25), date(2026, 11, 25))[0].streak == 2


@pytest.mark.parametrize(
    ("tz", "at", "first_fire_utc"),
    [
        ("Asia/Kolkata", "09:00", datetime(2026, 11, 23, 3, 30, tzinfo=UTC)),
        ("Europe/Berlin", "09:00", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("America/Los_Angeles", "09:00", datetime(2026, 11, 23, 17, 0, tzinfo=UTC)),
    ],
)
def test_member_trigger_fires_at_local_time(tz, at, first_fire_utc):
    trigger = calendar.cron([1, 2, 3, 4, 5], at, tz)
    start = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Sunday night UTC; Monday morning in Kolkata
    assert trigger.get_next_fire_time(None, start) == first_fire_utc


def test_reminder_offset_is_capped_at_the_end_of_the_local_day():
    trigger = calendar.cron([1], "23:30", "UTC", plus_minutes=60)
    assert trigger.get_next_fire_time(None, datetime(2026, 11, 23, tzinfo=UTC)) == datetime(
        2026, 11, 23, 23, 59, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("after", "holidays", "expected"),
    [
        (date(2026, 11, 23), [], date(2026, 11, 24)),  # Mon -> Tue
        (date(2026, 11, 27), [], date(2026, 11, 30)),  # Fri -> Mon
        (date(2026, 11, 27), ["2026-11-30"], date(2026, 12, 1)),  # Fri -> Tue over a holiday Monday
    ],
)
def test_next_standup_day(after, holidays, expected):
    assert calendar.next_standup_day([1, 2, 3, 4, 5], after, holidays) == expected
    assert expected - after <= timedelta(days=4)
