"""Standups as a capability: per-member ask/remind triggers in each member's timezone, the digest
trigger in the team's, status lines, and the demo's standup day."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from rituals.standup import calendar, render, service
from rituals.standup.ids import Job
from rituals.standup.models import Standup


def schedule(session: Session) -> list[DesiredJob]:
    wanted: list[DesiredJob] = []
    for standup in session.scalars(select(Standup).where(Standup.paused.is_(False)).order_by(Standup.id)):
        unknown = False
        for member in service.members(session, standup.id):
            if not member.timezone:
                unknown = True  # looked up by standup.roster first; asked from then on
                continue
            scope = f"{standup.id}:{member.user_id}"
            wanted.append(
                DesiredJob(
                    id=f"standup:{scope}:ask",
                    job=Job.ASK.value,
                    scope=scope,
                    trigger=calendar.cron(standup.days, standup.ask_time, member.timezone),
                    team_id=standup.team_id,
                )
            )
            if standup.reminder_minutes:
                wanted.append(
                    DesiredJob(
                        id=f"standup:{scope}:remind",
                        job=Job.REMIND.value,
                        scope=scope,
                        trigger=calendar.cron(
                            standup.days, standup.ask_time, member.timezone, plus_minutes=standup.reminder_minutes
                        ),
                        team_id=standup.team_id,
                    )
                )
        if unknown:
            wanted.append(
                DesiredJob(
                    id=f"standup:{standup.id}:roster",
                    job=Job.ROSTER.value,
                    scope=str(standup.id),
                    trigger=CronTrigger(minute="*/5", timezone="UTC"),
                    team_id=standup.team_id,
                )
            )
        wanted.append(
            DesiredJob(
                id=f"standup:{standup.id}:digest",
                job=Job.DIGEST.value,
                scope=str(standup.id),
                trigger=calendar.cron(standup.days, standup.digest_time, standup.timezone),
                team_id=standup.team_id,
            )
        )
    return wanted


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    query = select(Standup).where(Standup.team_id == team_id, Standup.archived_at.is_(None))
    if channel_id:
        query = query.where(Standup.channel_id == channel_id)
    lines = []
    for s in session.scalars(query.order_by(Standup.id)):
        count = len(service.members(session, s.id))
        state = (
            "paused"
            if s.paused
            else (
                f"{calendar.describe_days(s.days)}, asks at {s.ask_time} each member's "
                f"time, digest {s.digest_time} {s.timezone}"
            )
        )
        lines.append(StatusLine(f"Standup “{s.name}”", f"{state} · {render.plural(count, 'member')}", s.channel_id))
    return lines
