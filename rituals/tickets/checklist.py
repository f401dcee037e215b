"""`/ticket project <name>`: an epic with one ticket per stage, the standard DS project checklist.

Running it again fills in only the stages that have no ticket yet, so it doubles as Retry after a
tracker failure; a stage whose last attempt timed out reuses its draft and is looked up by marker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets import projects, service
from rituals.tickets.models import Ticket, TicketDraft, TicketProject
from rituals.tickets.setup import TicketSetup
from rituals.tickets.stages import Stage
from rituals.tickets.trackers.base import TrackerError


@dataclass
class Checklist:
    project: TicketProject
    slots: list[tuple[str, Ticket]] = field(default_factory=list)  # (the checklist stage, its ticket)
    created: int = 0
    error: TrackerError | None = None
    existed: bool = False
    stages: int = 0

    @property
    def tickets(self) -> list[Ticket]:
        return [ticket for _stage, ticket in self.slots]


def create(
    session: Session,
    setup: TicketSetup,
    *,
    team_id: str,
    channel_id: str | None,
    user_id: str,
    name: str,
    now: datetime,
    template: list[Stage] | None = None,
) -> Checklist:
    """The project's checklist, filing the stages that have no ticket yet; `template` gives a new
    project its own stages (a project keeps the stages it was created with)."""
    name = " ".join(name.split())
    if not name:
        raise UserError("Name the project: `/ticket project <name>`.")
    if len(name) > 120:
        raise UserError("Keep the project name under 120 characters.")
    try:
        project, created = projects.claim_project(
            session, setup, team_id=team_id, channel_id=channel_id, name=name, user_id=user_id, now=now
        )
    except TrackerError as exc:
        raise UserError(
            f"{exc.tracker} did not create the project: {exc.reason.rstrip('.')}. "
            f"Run `/ticket project {name}` again to retry; stages already filed are kept."
        ) from None
    if created and template:
        project.stages = [stage.name for stage in template]
    stages = projects.stages_of(setup, project)
    result = Checklist(project, existed=not created, stages=len(stages))
    for stage in stages:
        have = _slot_ticket(session, project.id, stage.name)
        if have is not None:
            result.slots.append((stage.name, have))
            continue
        draft = _pending_draft(session, team_id, project.name, stage.name) or service.new_draft(
            session,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            now=now,
            stage=stage.name,
            summary=f"{stage.name}: {project.name}",
            project=project.name,
            labels=[],
            checklist=True,
        )
        try:
            filed = service.submit(session, setup, draft, now=now)
        except TrackerError as exc:
            result.error = exc
            break
        result.slots.append((stage.name, filed.ticket))
        result.created += 1
    return result


def split_template(setup: TicketSetup, text: str) -> tuple[str, list[Stage] | None]:
    """`Churn v2 template:bank` -> ("Churn v2", the bank's stages)."""
    words = text.split()
    chosen = [w for w in words if w.lower().startswith("template:")]
    if not chosen:
        return text, None
    wanted = chosen[-1].split(":", 1)[1].lower()
    if wanted not in setup.templates:
        raise UserError(f"There is no stage template `{wanted[:40]}`. Templates: {', '.join(sorted(setup.templates))}.")
    return " ".join(w for w in words if w not in chosen), setup.templates[wanted]


def _slot_ticket(session: Session, project_id: int, stage: str) -> Ticket | None:
    """The ticket filling a checklist stage: the one filed for it (wherever it moved since), else an
    older ticket of the project that sits in that stage and fills no other slot."""
    filed_for = session.scalar(
        select(Ticket).where(Ticket.project_id == project_id, Ticket.checklist_stage == stage).order_by(Ticket.id)
    )
    if filed_for is not None:
        return filed_for
    return session.scalar(
        select(Ticket)
        .where(Ticket.project_id == project_id, Ticket.checklist_stage.is_(None), Ticket.stage == stage)
        .order_by(Ticket.id)
    )


def _pending_draft(session: Session, team_id: str, project: str, stage: str) -> TicketDraft | None:
    drafts = session.scalars(
        select(TicketDraft).where(TicketDraft.team_id == team_id, TicketDraft.status.in_(("failed", "sending")))
    )
    return next(
        (d for d in drafts if d.payload.get("project") == project and d.payload.get("stage") == stage),
        None,
    )
