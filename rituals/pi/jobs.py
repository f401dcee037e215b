"""The weekly PI jobs (scope = PI id, one run per local check-in day): ask, remind, summarise."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.jobs import job
from bot.runtime import Runtime
from reports.runs.jobs import poll_slot
from rituals.pi import calendar, checkins, measure, projects, service
from rituals.pi.ids import Job
from rituals.pi.models import ProgramIncrement

log = logging.getLogger(__name__)


def local_day(rt: Runtime, scope: str) -> str:
    with rt.database.session() as s:
        pi = service.scheduled_pi(s, scope)
        return calendar.local_today(pi, rt.clock.now()).isoformat() if pi else "none"


def _active(rt: Runtime, s: Session, scope: str, after: timedelta = timedelta()) -> ProgramIncrement | None:
    """The PI if it is active and this run belongs to one of its check-in days (reminder and summary
    fire `after` the check-in, possibly past midnight)."""
    pi = service.scheduled_pi(s, scope)
    if pi is None or pi.state != "active" or not calendar.is_checkin_day(pi, rt.clock.now() - after):
        log.info("pi job skipped pi=%s", scope)
        return None
    return pi


@job(Job.CHECKIN.value, period=local_day, description="DM PI objective owners for the weekly check-in")
def ask(rt: Runtime, scope: str, period: str) -> None:
    with rt.database.session() as s:
        if pi := _active(rt, s, scope):
            checkins.ask(s, pi, rt.clock.now())


@job(Job.REMIND.value, period=local_day, description="remind owners who have not updated their PI objectives")
def remind(rt: Runtime, scope: str, period: str) -> None:
    with rt.database.session() as s:
        if pi := _active(rt, s, scope, calendar.REMIND_AFTER):
            checkins.ask(s, pi, rt.clock.now(), reminder=True)


@job(Job.SUMMARY.value, period=local_day, description="post the PI's weekly check-in summary at the cut-off")
def summary(rt: Runtime, scope: str, period: str) -> None:
    with rt.database.session() as s:
        if pi := _active(rt, s, scope, calendar.SUMMARY_AFTER):
            checkins.post_summary(s, pi, rt.clock.now())


@job(Job.MEASURE.value, period=poll_slot, description="Measure the PI's ML hypotheses in MLflow; tell owners when met")
def measure_hypotheses(rt: Runtime, scope: str, period: str) -> None:
    with rt.database.session() as s:
        pi = service.scheduled_pi(s, scope)
        if pi is not None and pi.state == "active":
            projects.refresh(s, pi, rt.settings, rt.clock.now())
            measure.refresh(s, pi, rt.settings, rt.clock.now())


@job(Job.CATALOG.value, period=poll_slot, description="Read MLflow's experiments and metrics for the objective form")
def catalog(rt: Runtime, scope: str, period: str) -> None:
    with rt.database.session() as s:
        measure.refresh_catalog(s, rt.settings, rt.clock.now())
