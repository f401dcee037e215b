"""Collection deadlines: a reminder in the thread an hour before, then the retro moves on by itself."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.jobs import job
from bot.runtime import Runtime
from rituals.retro import publish, service
from rituals.retro.models import Retro

log = logging.getLogger(__name__)
REMINDER_LEAD = timedelta(hours=1)


def deadline_period(rt: Runtime, scope: str) -> str:
    """One run per deadline: moving the deadline makes a new period, so the job can run again."""
    with rt.database.session() as s:
        retro = s.get(Retro, int(scope))
        return retro.deadline_at.strftime("%Y%m%dT%H%M") if retro and retro.deadline_at else "none"


@job("retro.remind", period=deadline_period, description="remind a retro's thread an hour before collection closes")
def remind(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        retro = s.get(Retro, int(scope))
        if (retro is None or retro.abandoned or retro.phase != "collect" or retro.deadline_at is None
                or not retro.deadline_at - REMINDER_LEAD <= now < retro.deadline_at):
            log.info("retro reminder skipped retro=%s", scope)
            return
        publish.post_reminder(s, retro, now)


@job("retro.deadline", period=deadline_period, description="end a retro's collection at its deadline")
def deadline(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        retro = s.get(Retro, int(scope))
        if retro is None or retro.deadline_at is None or now < retro.deadline_at:
            return
        moved = service.move_on_by_deadline(s, retro, now)
        log.info("retro deadline reached retro=%s moved_on=%s", scope, moved)
