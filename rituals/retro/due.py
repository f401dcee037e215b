"""When an open action's due reminder fires: 09:00 the day before it is due, in the owner's timezone.

The owner's zone comes from Slack (users.info), asked by the reminder job, never on the request path:
until it is known the job is planned for the first moment anywhere reaches 09:00 that day (UTC+14)
or, if that is past, right after the action was added. That first run looks the zone up and keeps it
on the action; the scheduler's next sync plans the reminder at 09:00 in that zone. An owner Slack does
not know (or a lookup that fails) gets the team's configured timezone (`retro.timezone` in
ritualbot.yaml, else RITUALBOT_TIMEZONE).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.directory import Directory, DirectoryError
from rituals.retro.models import RetroAction

log = logging.getLogger(__name__)

LOCAL_HOUR = time(9)
FIRST_ZONE = "Etc/GMT-14"  # UTC+14 (the sign is POSIX's): the first place where a day's 09:00 comes


def team_timezone(settings: Any) -> str:
    return str(settings.section("retro").get("timezone") or settings.timezone)


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def remind_at(due_on: date, tz: str) -> datetime:
    """09:00 on the day before `due_on` in `tz`, as UTC."""
    zone = _zone(tz) or UTC
    return datetime.combine(due_on - timedelta(days=1), LOCAL_HOUR, tzinfo=zone).astimezone(UTC)


def window(action: RetroAction, tz: str) -> tuple[datetime, datetime]:
    """From 09:00 the day before the due date to 09:00 on it, in the owner's zone."""
    assert action.due_on is not None
    return remind_at(action.due_on, tz), remind_at(action.due_on + timedelta(days=1), tz)


def planned(action: RetroAction) -> datetime:
    """When the scheduler fires the action's reminder job (see the module's docstring)."""
    assert action.due_on is not None
    if action.owner_tz:
        return remind_at(action.due_on, action.owner_tz)
    return max(remind_at(action.due_on, FIRST_ZONE), action.created_at)


def owner_timezone(action: RetroAction, directory: Directory, fallback: str) -> str:
    """The owner's IANA zone, asked of Slack once and kept on the action; the team's when Slack cannot say."""
    if action.owner_tz:
        return action.owner_tz
    try:
        person = directory.person(action.owner_id)
    except DirectoryError as exc:
        log.warning("retro action owner lookup failed action=%s error=%s", action.id, exc)
        person = None
    tz = person.tz if person is not None and _zone(person.tz) is not None else fallback
    action.owner_tz = tz
    return tz
