"""A member's absences across the workspace's standups: listing them (`/standup away list`) and
ending one early (`/standup back`), which puts today's standups back in play."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.standup import answers, calendar, publish, service
from rituals.standup.models import StandupAway

log = logging.getLogger(__name__)
AWAY_STATES = ("away", "skipped")


def _today(session: Session, team_id: str, user_id: str, now: datetime) -> date:
    """The member's local date, from the timezone their standups know."""
    for standup in service.of_user(session, team_id, user_id):
        member = next((m for m in service.members(session, standup.id) if m.user_id == user_id), None)
        if member is not None and member.timezone:
            return calendar.local_date(now, member.timezone)
    return now.date()


def periods(session: Session, team_id: str, user_id: str, now: datetime) -> list[StandupAway]:
    """Absences that are not over yet, soonest first."""
    today = _today(session, team_id, user_id, now)
    return list(
        session.scalars(
            select(StandupAway)
            .where(StandupAway.team_id == team_id, StandupAway.user_id == user_id, StandupAway.end >= today)
            .order_by(StandupAway.start, StandupAway.id)
        )
    )


def describe(rows: list[StandupAway]) -> str:
    if not rows:
        return "You have no absence planned. `/standup away <from> <to>` adds one."
    lines = [f"• {a.start} to {a.end}" + (" (skipped)" if a.kind == "skip" else "") for a in rows]
    return "Your absences:\n" + "\n".join(lines) + "\n`/standup back` ends the current one early."


def back(session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """End the absence covering today (future ones stay); today's skipped or away standups are asked
    again (at once when their time has passed). Returns how many standups that puts back."""
    today = _today(session, team_id, user_id, now)
    current = [a for a in periods(session, team_id, user_id, now) if a.start <= today]
    for away in current:
        if away.start < today:
            away.end = today - timedelta(days=1)
        else:
            session.delete(away)
    reopened = 0
    for standup in service.of_user(session, team_id, user_id):
        entry = answers.find_entry(session, standup.id, user_id, today)
        if entry is None or entry.status not in AWAY_STATES:
            continue
        entry.status, entry.updated_at = "asked", now
        reopened += 1
        member_tz = next(m.timezone for m in service.members(session, standup.id) if m.user_id == user_id)
        if entry.asked_at is None and calendar.local_datetime(today, standup.ask_time, member_tz) <= now:
            answers.refresh_questions(standup, entry)
            publish.ask(session, standup, entry, now)
        publish.refresh_day(session, standup, publish.get_day(session, standup, today), now)
    if not current and not reopened:
        raise UserError("You are not away today. `/standup away list` shows what is planned.")
    session.flush()
    log.info("standup member back team=%s user=%s reopened=%s", team_id, user_id, reopened)
    return reopened
