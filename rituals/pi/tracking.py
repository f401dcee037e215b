"""Hypothesis tracking as the PI capability offers it: the jobs that read MLflow (on the runs report's
poll interval) and the channel digest's section. The digest reads only ritualbot's tables."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import blocks as bk
from bot.capabilities import DesiredJob, Section, SectionContext
from bot.errors import ConfigError
from bot.runtime import current
from bot.text import mrkdwn
from reports.runs import config as runs_config
from reports.runs.capability import poll_trigger
from rituals.pi import render, service
from rituals.pi.ids import Job
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.tracking_models import Hypothesis, ObjectiveProject
from rituals.pi.verdict import NAMES


def _poll_minutes() -> int:
    try:
        return runs_config.load(current().settings).poll_minutes
    except (RuntimeError, ConfigError):  # no runtime (a bare import) or a runs config the status cannot fix
        return runs_config.RunsConfig().poll_minutes


def desired_jobs(session: Session) -> list[DesiredJob]:
    """`pi.measure` per active PI with a hypothesis or a ticket project, `pi.catalog` while any PI is active."""
    active = list(session.scalars(select(ProgramIncrement).where(ProgramIncrement.state == "active")))
    if not active:
        return []
    trigger = poll_trigger(_poll_minutes())
    measured = {
        pi_id
        for table, key in ((Hypothesis, Hypothesis.objective_id), (ObjectiveProject, ObjectiveProject.objective_id))
        for pi_id in session.scalars(
            select(Objective.pi_id)
            .join(table, key == Objective.id)
            .where(Objective.pi_id.in_([p.id for p in active]), Objective.dropped.is_(False))
        )
    }
    jobs = [DesiredJob(id="pi:catalog", job=Job.CATALOG.value, scope="", trigger=trigger)]
    jobs += [
        DesiredJob(id=f"pi:{p.id}:measure", job=Job.MEASURE.value, scope=str(p.id), trigger=trigger, team_id=p.team_id)
        for p in active
        if p.id in measured
    ]
    return jobs


def section(ctx: SectionContext) -> Section | None:
    """The channel's running PI: each ML hypothesis with its verdict, values and trend."""
    pi = service.active_pi(ctx.session, ctx.team_id, ctx.channel_id)
    if pi is None:
        return None
    measured = [o for o in service.objectives(ctx.session, pi.id) if o.hypothesis is not None]
    if not measured:
        return None
    lines = [f"*{mrkdwn(o.title)}* — <@{o.owner_id}>\n{render.hypothesis(o)}" for o in measured]
    counts = Counter(o.hypothesis.verdict for o in measured if o.hypothesis is not None)
    summary = f"{len(measured)} ML hypothes{'is' if len(measured) == 1 else 'es'}: " + ", ".join(
        f"{n} {NAMES[v]}" for v, n in sorted(counts.items())
    )
    return Section(
        key="pi",
        title="PI hypotheses",
        blocks=[bk.section(f"*{mrkdwn(pi.name)}* · ML hypotheses"), *(bk.section(line) for line in lines)],
        summary=summary,
    )
