"""Stage tickets as a capability: status lines (App Home, /ritual status) and the demo."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outbox
from bot.capabilities import DesiredJob, StatusLine
from rituals.tickets import board, changes, checklist, flow, notify, profile, projects, render, service
from rituals.tickets.ids import Job
from rituals.tickets.jobs import SLOT_MINUTES
from rituals.tickets.models import Ticket
from rituals.tickets.setup import TicketSetup
from rituals.tickets.stages import configured, templates

if TYPE_CHECKING:
    from bot.demo_context import DemoContext


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    open_count = (
        session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.team_id == team_id, Ticket.status == "open")
        )
        or 0
    )
    if not open_count:
        return []
    oldest = session.scalar(
        select(Ticket)
        .where(Ticket.team_id == team_id, Ticket.status == "open")
        .order_by(Ticket.created_at, Ticket.id)
        .limit(1)
    )
    project_count = len(projects.projects(session, team_id))
    detail = f"{open_count} open in {project_count} project{'' if project_count == 1 else 's'}"
    if oldest is not None:
        detail += f"; oldest {oldest.key} ({oldest.stage}) · `/ticket board`"
    default = projects.default_project(session, team_id, channel_id)
    if default is not None:
        detail += f"; this channel files into {default.name}"
    return [StatusLine("Stage tickets", detail, channel_id)]


def schedule(session: Session) -> list[DesiredJob]:
    """A reconcile every quarter hour for each team with open Jira or GitHub tickets."""
    teams = session.scalars(
        select(Ticket.team_id).where(Ticket.tracker != "builtin", Ticket.status == "open").distinct()
    ).all()
    return [
        DesiredJob(
            id=f"tickets:{team}:reconcile",
            job=Job.RECONCILE.value,
            scope=team,
            trigger=CronTrigger(minute=f"*/{SLOT_MINUTES}", timezone=UTC),
            team_id=team,
        )
        for team in sorted(teams)
    ]


def demo(ctx: DemoContext) -> None:
    setup = TicketSetup(stages=configured({}), templates=templates({}))
    demo_churn_model(ctx, setup)
    demo_bank_project(ctx, setup)


def demo_churn_model(ctx: DemoContext, setup: TicketSetup) -> None:
    ada, grace = ctx.users[0].id, ctx.users[1].id
    with ctx.session() as s:
        ctx.at(8, 0, days=-9)
        result = checklist.create(
            s,
            setup,
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            user_id=ada,
            name="Churn model",
            now=ctx.clock.now(),
        )
        text, body = render.checklist_message(result.project, result.slots, result.created, result.stages, None)
        outbox.post(
            s,
            channel=ctx.channel_id,
            text=text,
            blocks=body,
            now=ctx.clock.now(),
            team_id=ctx.team_id,
        )
        for n, ticket in enumerate(result.tickets[:3]):
            ticket.assignee = [ada, grace, ada][n]
        ctx.at(10, 0, days=-2)
        changes.close(s, setup, team_id=ctx.team_id, key=result.tickets[0].key, now=ctx.clock.now())
        ctx.at(9, 30)
        draft = service.new_draft(
            s,
            team_id=ctx.team_id,
            user_id=grace,
            channel_id=ctx.channel_id,
            now=ctx.clock.now(),
            stage="Modelling / EDA",
            project="Churn model",
            summary="Try gradient boosting on the 2025 cohort",
            assignee=grace,
        )
        notify.filed(
            s,
            service.submit(s, setup, draft, now=ctx.clock.now()),
            channel=ctx.channel_id,
            team_id=ctx.team_id,
            now=ctx.clock.now(),
        )
        text, body = render.board_message(
            board.build(s, setup, team_id=ctx.team_id, project_name="Churn model", now=ctx.clock.now())
        )
        outbox.post(
            s,
            channel=ctx.channel_id,
            text=text,
            blocks=body,
            now=ctx.clock.now(),
            team_id=ctx.team_id,
        )


def demo_bank_project(ctx: DemoContext, setup: TicketSetup) -> None:
    """The bank's eight-stage checklist: a project with its profile, a return from R&D to data
    preparation after poor model results (told in the project's thread), and its flow chart."""
    ada, grace, ravi = (u.id for u in ctx.users)
    with ctx.session() as s:
        ctx.at(9, 0, days=-8)
        result = checklist.create(
            s,
            setup,
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            user_id=grace,
            name="Card fraud",
            now=ctx.clock.now(),
            template=setup.templates["bank"],
        )
        values = {"target": "Cut card fraud losses by 15%", "metric": "Precision at 1% alert rate", "lead": grace}
        profile.save(result.project, {**values, "data_scientists": [ada, ravi]})
        text, _blocks = render.checklist_message(result.project, result.slots, result.created, result.stages, None)
        notify.project_filed(s, result, text=text, channel=ctx.channel_id, team_id=ctx.team_id, now=ctx.clock.now())
        research = result.tickets[4]
        ctx.at(11, 0, days=-5)
        notify.changed(
            s,
            changes.move(
                s, setup, team_id=ctx.team_id, key=research.key, stage_text="prepare", actor=ada, now=ctx.clock.now()
            ).ticket,
            actor=ada,
            team_id=ctx.team_id,
            now=ctx.clock.now(),
            channel=ctx.channel_id,
        )
        ctx.at(15, 0, days=-1)
        changes.move(s, setup, team_id=ctx.team_id, key=research.key, stage_text="R&D", actor=ada, now=ctx.clock.now())
        ctx.at(9, 45)
        project_flow = flow.build(s, setup, team_id=ctx.team_id, project_name="Card fraud", now=ctx.clock.now())
        notify.flow_posted(s, project_flow, channel=ctx.channel_id, team_id=ctx.team_id, now=ctx.clock.now())
