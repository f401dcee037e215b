"""Changing a filed ticket from Slack: move (recorded in its stage history, WIP limits warned),
close, reopen and reassign, each applied in the tracker first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets import history, projects
from rituals.tickets import stages as stage_mod
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.service import find_ticket
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import TicketSpec


@dataclass(frozen=True)
class Change:
    ticket: Ticket
    warnings: tuple[str, ...] = ()


def _project(session: Session, ticket: Ticket) -> TicketProject | None:
    return session.get(TicketProject, ticket.project_id) if ticket.project_id else None


def move(
    session: Session, setup: TicketSetup, *, team_id: str, key: str, stage_text: str, actor: str, now: datetime
) -> Change:
    ticket = find_ticket(session, team_id, key)
    stage = stage_mod.match(projects.stages_of(setup, _project(session, ticket)), stage_text)
    if ticket.status == "closed":
        raise UserError(f"{ticket.key} is closed; `/ticket reopen {ticket.key}` first, or file a new ticket.")
    if stage.name == ticket.stage:
        raise UserError(f"{ticket.key} is already in {stage.name}.")
    old = stage_mod.Stage(0, ticket.stage)
    tracker = setup.build(ticket.tracker, session, team_id)
    warning = tracker.set_stage(
        ticket.key,
        old.label,
        TicketSpec(summary=ticket.summary, stage_name=stage.name, stage_label=stage.label),
    )
    history.record(session, ticket, ticket.stage, stage.name, actor=actor, now=now)
    warnings = [w for w in (warning, wip_warning(session, setup, ticket)) if w]
    return Change(ticket, tuple(warnings))


def wip_warning(session: Session, setup: TicketSetup, ticket: Ticket) -> str | None:
    """`tickets: wip_limits: {stage: n}`: open tickets in the stage (of the project, when it has one)."""
    limit = setup.wip_limits.get(ticket.stage)
    if not limit:
        return None
    query = select(func.count()).select_from(Ticket)
    query = query.where(Ticket.team_id == ticket.team_id, Ticket.status == "open", Ticket.stage == ticket.stage)
    if ticket.project_id:
        query = query.where(Ticket.project_id == ticket.project_id)
    count = session.scalar(query) or 0
    if count <= limit:
        return None
    return f"{ticket.stage} now has {count} open tickets, over its WIP limit of {limit}."


def close(session: Session, setup: TicketSetup, *, team_id: str, key: str, now: datetime) -> Change:
    ticket = find_ticket(session, team_id, key)
    if ticket.status == "closed":
        raise UserError(f"{ticket.key} is already closed.")
    setup.build(ticket.tracker, session, team_id).close(ticket.key)
    ticket.status, ticket.closed_at, ticket.updated_at = "closed", now, now
    return Change(ticket)


def reopen(session: Session, setup: TicketSetup, *, team_id: str, key: str, now: datetime) -> Change:
    ticket = find_ticket(session, team_id, key)
    if ticket.status != "closed":
        raise UserError(f"{ticket.key} is open.")
    setup.build(ticket.tracker, session, team_id).reopen(ticket.key)
    ticket.status, ticket.closed_at, ticket.updated_at = "open", None, now
    return Change(ticket, tuple(w for w in (wip_warning(session, setup, ticket),) if w))


def reassign(
    session: Session, setup: TicketSetup, *, team_id: str, key: str, assignee: str | None, now: datetime
) -> Change:
    ticket = find_ticket(session, team_id, key)
    if assignee == ticket.assignee:
        raise UserError(f"{ticket.key} is already {'assigned to <@' + assignee + '>' if assignee else 'unassigned'}.")
    warning = setup.build(ticket.tracker, session, team_id).assign(ticket.key, assignee)
    ticket.assignee, ticket.updated_at = assignee, now
    return Change(ticket, tuple(w for w in (warning,) if w))
