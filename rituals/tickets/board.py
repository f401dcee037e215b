"""The Kanban view by stage: open tickets with assignee and age, WIP per stage, the oldest item."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utc
from bot.errors import UserError
from rituals.tickets import profile, projects
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.setup import TicketSetup


@dataclass(frozen=True)
class Item:
    key: str
    url: str | None
    summary: str
    stage: str
    assignee: str | None
    age_days: int
    project: str | None
    stage_days: int = 0  # since it entered its current stage


@dataclass
class Column:
    stage: str
    items: list[Item] = field(default_factory=list)
    closed: int = 0

    @property
    def wip(self) -> int:
        return len(self.items)

    @property
    def oldest(self) -> Item | None:
        return max(self.items, key=lambda i: i.age_days) if self.items else None


@dataclass
class Board:
    title: str
    columns: list[Column]
    profile: list[str] = field(default_factory=list)  # the project's profile lines (human text)

    @property
    def open_count(self) -> int:
        return sum(c.wip for c in self.columns)

    @property
    def closed_count(self) -> int:
        return sum(c.closed for c in self.columns)


def age_days(created: datetime, now: datetime) -> int:
    return max(0, (now - utc(created)).days)


def build(session: Session, setup: TicketSetup, *, team_id: str, project_name: str | None, now: datetime) -> Board:
    query = (
        select(Ticket, TicketProject.name)
        .outerjoin(TicketProject, Ticket.project_id == TicketProject.id)
        .where(Ticket.team_id == team_id)
        .order_by(Ticket.created_at, Ticket.id)
    )
    title = "All stage tickets"
    stages, profile_lines = setup.stages, []
    if project_name:
        project = projects.find_project(session, team_id, " ".join(project_name.split()))
        if project is None:
            known = ", ".join(p.name for p in projects.projects(session, team_id)) or "none yet"
            raise UserError(f"There is no project `{project_name[:60]}`. Projects: {known}.")
        query = query.where(Ticket.project_id == project.id)
        title = project.name
        stages, profile_lines = projects.stages_of(setup, project), profile.lines(project.profile)
    columns = {s.name: Column(s.name) for s in stages}
    for ticket, ticket_project_name in session.execute(query):
        column = columns.setdefault(ticket.stage, Column(ticket.stage))
        if ticket.status == "closed":
            column.closed += 1
        else:
            column.items.append(_item(ticket, ticket_project_name, now))
    return Board(title, list(columns.values()), profile_lines)


def mine(session: Session, *, team_id: str, user_id: str, now: datetime) -> list[Item]:
    rows = session.execute(
        select(Ticket, TicketProject.name)
        .outerjoin(TicketProject, Ticket.project_id == TicketProject.id)
        .where(Ticket.team_id == team_id, Ticket.assignee == user_id, Ticket.status == "open")
        .order_by(Ticket.created_at, Ticket.id)
    )
    return [_item(t, p, now) for t, p in rows]


def _item(ticket: Ticket, project: str | None, now: datetime) -> Item:
    return Item(
        ticket.key,
        ticket.url,
        ticket.summary,
        ticket.stage,
        ticket.assignee,
        age_days(ticket.created_at, now),
        project,
        age_days(ticket.stage_since or ticket.created_at, now),
    )
