"""The built-in tracker: tickets live in our own tables with keys like DS-12; needs no setup."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.trackers.base import RemoteProject, RemoteTicket, TicketSpec


@dataclass
class BuiltinTracker:
    session: Session
    team_id: str
    prefix: str = "DS"
    name: str = "builtin"

    def create(self, spec: TicketSpec) -> RemoteTicket:
        last = (
            self.session.scalar(
                select(func.max(Ticket.number)).where(Ticket.team_id == self.team_id, Ticket.tracker == self.name)
            )
            or 0
        )
        return RemoteTicket(
            key=f"{self.prefix}-{last + 1}",
            url=None,
            summary=spec.summary,
            labels=(spec.stage_label, *spec.labels),
            number=last + 1,
        )

    def find_by_marker(self, marker: str, spec: TicketSpec) -> RemoteTicket | None:
        return None  # creation is part of our own transaction: it happened or it did not

    def create_project(self, name: str, marker: str) -> RemoteProject:
        count = (
            self.session.scalar(
                select(func.count()).select_from(TicketProject).where(TicketProject.team_id == self.team_id)
            )
            or 0
        )
        return RemoteProject(ref=f"P{count + 1}")

    def set_stage(self, key: str, old_label: str, new: TicketSpec) -> None:
        return None  # the local row is the ticket

    def close(self, key: str) -> None:
        return None

    def get(self, key: str) -> RemoteTicket:
        row = self.session.scalar(select(Ticket).where(Ticket.team_id == self.team_id, Ticket.key == key))
        if row is None:
            raise UserError(f"There is no ticket `{key}`.")
        return RemoteTicket(
            key=row.key,
            url=row.url,
            status=row.status,
            summary=row.summary,
            labels=tuple(row.labels),
            number=row.number,
        )

    def list_project(self, project_ref: str) -> list[RemoteTicket]:
        rows = self.session.scalars(
            select(Ticket)
            .join(TicketProject, Ticket.project_id == TicketProject.id)
            .where(TicketProject.team_id == self.team_id, TicketProject.external_ref == project_ref)
            .order_by(Ticket.id)
        )
        return [RemoteTicket(key=r.key, url=r.url, status=r.status, summary=r.summary, number=r.number) for r in rows]
