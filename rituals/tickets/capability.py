"""Stage tickets as a capability: status lines (App Home, /ritual status) and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import outbox
from bot.capabilities import StatusLine
from rituals.tickets import board, checklist, notify, projects, render, service
from rituals.tickets.models import Ticket
from rituals.tickets.setup import TicketSetup
from rituals.tickets.stages import configured

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


def demo(ctx: DemoContext) -> None:
    setup = TicketSetup(stages=configured({}))
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
        text, body = render.checklist_message(result.project, result.tickets, result.created, len(setup.stages), None)
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
        service.close(s, setup, team_id=ctx.team_id, key=result.tickets[0].key, now=ctx.clock.now())
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
