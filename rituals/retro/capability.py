"""Retros as a capability: status lines (running retros, open actions), deadline jobs, and the demo's retro."""

from __future__ import annotations

from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from rituals.retro import due, followup, phases
from rituals.retro.ids import Job
from rituals.retro.jobs import REMINDER_LEAD
from rituals.retro.models import OPEN_PHASES, PHASE_NAMES, Retro, RetroAction


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    query = select(Retro).where(Retro.team_id == team_id, Retro.phase.in_(OPEN_PHASES))
    if channel_id:
        query = query.where(Retro.channel_id == channel_id)
    lines = [
        StatusLine("Retro", f"“{r.title}” is {'abandoned' if r.abandoned else PHASE_NAMES[r.phase]}", r.channel_id)
        for r in session.scalars(query.order_by(Retro.id))
    ]
    for _, action in followup.open_actions(session, team_id, channel_id):
        due = f", due {action.due_on.isoformat()}" if action.due_on else ""
        lines.append(
            StatusLine(
                "Open retro action",
                f"{action.text[:120]} — <@{action.owner_id}>{due}",
                None if channel_id else _channel(session, action.retro_id),
            )
        )
    return lines


def _channel(session: Session, retro_id: int) -> str | None:
    retro = session.get(Retro, retro_id)
    return retro.channel_id if retro else None


def schedule(session: Session) -> list[DesiredJob]:
    jobs = []
    for retro in session.scalars(
        select(Retro).where(Retro.phase == "collect", Retro.abandoned.is_(False), Retro.deadline_at.is_not(None))
    ):
        assert retro.deadline_at is not None
        jobs.append(
            DesiredJob(
                id=f"retro:{retro.id}:remind",
                job=Job.REMIND.value,
                scope=str(retro.id),
                trigger=DateTrigger(run_date=retro.deadline_at - REMINDER_LEAD),
                team_id=retro.team_id,
            )
        )
        jobs.append(
            DesiredJob(
                id=f"retro:{retro.id}:deadline",
                job=Job.DEADLINE.value,
                scope=str(retro.id),
                trigger=DateTrigger(run_date=retro.deadline_at),
                team_id=retro.team_id,
            )
        )
    jobs.extend(phases.desired_jobs(session))
    for action, retro in session.execute(
        select(RetroAction, Retro)
        .join(Retro, Retro.id == RetroAction.retro_id)
        .where(RetroAction.status == "open", RetroAction.due_on.is_not(None), Retro.abandoned.is_(False))
        .order_by(RetroAction.id)
    ).all():
        assert action.due_on is not None
        jobs.append(
            DesiredJob(
                id=f"retro:action:{action.id}:due",
                job=Job.ACTION_DUE.value,
                scope=str(action.id),
                trigger=DateTrigger(run_date=due.planned(action)),  # 09:00 the day before, owner's zone
                team_id=retro.team_id,
            )
        )
    return jobs
