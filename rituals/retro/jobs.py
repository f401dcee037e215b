"""Collection deadlines: a reminder in the thread an hour before, then the retro moves on by itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from bot.jobs import job
from bot.runtime import Runtime
from rituals.retro import publish, service
from rituals.retro.ids import Job
from rituals.retro.models import Retro, RetroAction

log = logging.getLogger(__name__)
REMINDER_LEAD = timedelta(hours=1)


def _period_before(lead: timedelta) -> Callable[[Runtime, str], str]:
    """One run per deadline (moving it makes a new period); a run that fires early claims nothing lasting."""

    def period(rt: Runtime, scope: str) -> str:
        now = rt.clock.now()
        with rt.database.session() as s:
            retro = s.get(Retro, int(scope))
            if retro is None or retro.deadline_at is None:
                return "none"
            if now < retro.deadline_at - lead:
                return f"early-{now:%Y%m%dT%H%M%S}"
            return retro.deadline_at.strftime("%Y%m%dT%H%M")

    return period


@job(
    Job.REMIND.value,
    period=_period_before(REMINDER_LEAD),
    description="remind a retro's thread an hour before collection closes",
)
def remind(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        retro = s.get(Retro, int(scope))
        if (
            retro is None
            or retro.abandoned
            or retro.phase != "collect"
            or retro.deadline_at is None
            or not retro.deadline_at - REMINDER_LEAD <= now < retro.deadline_at
        ):
            log.info("retro reminder skipped retro=%s", scope)
            return
        publish.post_reminder(s, retro, now)


DUE_HOUR = time(9, tzinfo=UTC)  # the day before the due date, 09:00 UTC


def due_reminder_at(due_on: date) -> datetime:
    return datetime.combine(due_on - timedelta(days=1), DUE_HOUR)


def _due_period(rt: Runtime, scope: str) -> str:
    """One reminder per due date (a new due date makes a new period); a run that fires early claims nothing."""
    now = rt.clock.now()
    with rt.database.session() as s:
        action = s.get(RetroAction, int(scope))
        if action is None or action.due_on is None:
            return "none"
        if now < due_reminder_at(action.due_on):
            return f"early-{now:%Y%m%dT%H%M%S}"
        return action.due_on.isoformat()


@job(Job.ACTION_DUE.value, period=_due_period, description="DM a retro action's owner the day before it is due")
def action_due(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        action = s.get(RetroAction, int(scope))
        retro = s.get(Retro, action.retro_id) if action is not None else None
        if (
            action is None
            or retro is None
            or action.status != "open"
            or action.due_on is None
            or not due_reminder_at(action.due_on) <= now < datetime.combine(action.due_on, DUE_HOUR)
        ):
            log.info("retro action reminder skipped action=%s", scope)
            return
        publish.post_due_reminder(s, retro, action, now)


@job(Job.DEADLINE.value, period=_period_before(timedelta(0)), description="end a retro's collection at its deadline")
def deadline(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        retro = s.get(Retro, int(scope))
        if retro is None or retro.deadline_at is None or now < retro.deadline_at:
            return
        moved = service.move_on_by_deadline(s, retro, now)
        log.info("retro deadline reached retro=%s moved_on=%s", scope, moved)
