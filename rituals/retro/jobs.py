"""Collection deadlines: a reminder in the thread an hour before, then the retro moves on by itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from bot.jobs import job
from bot.runtime import Runtime
from rituals.retro import due, phases, publish
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


def _due_period(rt: Runtime, scope: str) -> str:
    """One reminder per due date (a new due date makes a new period); a run that fires early claims nothing.
    Asks Slack for the owner's timezone the first time (rituals.retro.due), off the request path."""
    now = rt.clock.now()
    with rt.database.session() as s:
        action = s.get(RetroAction, int(scope))
        retro = s.get(Retro, action.retro_id) if action is not None else None
        if action is None or retro is None or action.due_on is None:
            return "none"
        tz = due.owner_timezone(action, rt.directory(retro.team_id), due.team_timezone(rt.settings))
        if now < due.remind_at(action.due_on, tz):
            return f"early-{now:%Y%m%dT%H%M%S}"
        return action.due_on.isoformat()


@job(Job.ACTION_DUE.value, period=_due_period, description="DM a retro action's owner the day before it is due")
def action_due(rt: Runtime, scope: str, period: str) -> None:
    """At 09:00 the day before the due date in the owner's timezone (until 09:00 on the due date)."""
    now = rt.clock.now()
    with rt.database.session() as s:
        action = s.get(RetroAction, int(scope))
        retro = s.get(Retro, action.retro_id) if action is not None else None
        if action is None or retro is None or action.status != "open" or action.due_on is None:
            log.info("retro action reminder skipped action=%s", scope)
            return
        start, end = due.window(action, action.owner_tz or due.team_timezone(rt.settings))
        if not start <= now < end:
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
        outcome = phases.deadline_passed(s, retro, "collect", now)  # moves on, or nudges the facilitator
        log.info("retro deadline reached retro=%s outcome=%s", scope, outcome)


@job(Job.PHASE_DEADLINE.value, period=phases.period, description="end a retro's voting or discussion at its deadline")
def phase_deadline(rt: Runtime, scope: str, period: str) -> None:
    phases.run(rt, scope)
