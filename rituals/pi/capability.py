"""PI check-ins as a capability: status lines (App Home, /ritual status), weekly jobs, the demo's PI."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from rituals.pi import calendar, render, service, tracking, train, votes
from rituals.pi.ids import Job
from rituals.pi.models import ProgramIncrement

WEEKLY = (
    ("checkin", Job.CHECKIN.value, timedelta()),
    ("remind", Job.REMIND.value, calendar.REMIND_AFTER),
    ("summary", Job.SUMMARY.value, calendar.SUMMARY_AFTER),
)


def _running(session: Session, team_id: str | None, channel_id: str | None) -> list[ProgramIncrement]:
    query = select(ProgramIncrement).where(ProgramIncrement.state.in_(("active", "closing")))
    if team_id:
        query = query.where(ProgramIncrement.team_id == team_id)
    if channel_id:
        query = query.where(ProgramIncrement.channel_id == channel_id)
    return list(session.scalars(query.order_by(ProgramIncrement.id)))


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    lines = []
    for pi in _running(session, team_id, channel_id):
        confidence = votes.last_average(session, pi.id)
        detail = (
            f"“{pi.name}” until {pi.end_on:%d %b %Y}, {pi.state}; last confidence "
            f"{f'{confidence}/5' if confidence is not None else '—'}"
        )
        lines.append(StatusLine("PI", detail, pi.channel_id))
        whole = train.build(session, pi)
        if len(whole.teams) > 1:
            lines.append(StatusLine("PI train", train.status_detail(whole), pi.channel_id))
        for o in service.objectives(session, pi.id):
            lines.append(
                StatusLine(
                    "PI objective",
                    f"{render.STATUS_ICONS[o.status]} {o.title[:100]} — "
                    f"<@{o.owner_id}> · {render.status_label(o.status, o.progress)}",
                    pi.channel_id,
                )
            )
        for r in service.risks(session, pi.id, open_only=True):
            lines.append(
                StatusLine(
                    "PI risk", f"{render.ROAM_NAMES[r.roam]}: {r.description[:100]} — <@{r.owner_id}>", pi.channel_id
                )
            )
    return lines


def schedule(session: Session) -> list[DesiredJob]:
    jobs = []
    for pi in session.scalars(select(ProgramIncrement).where(ProgramIncrement.state == "active")):
        at = calendar.parse_hhmm(pi.checkin_time)
        assert at is not None
        for key, name, after in WEEKLY:
            trigger = CronTrigger(**calendar.cron_fields(pi.checkin_weekday, at, after), timezone=pi.timezone)
            jobs.append(
                DesiredJob(id=f"pi:{pi.id}:{key}", job=name, scope=str(pi.id), trigger=trigger, team_id=pi.team_id)
            )
    return jobs + tracking.desired_jobs(session)
