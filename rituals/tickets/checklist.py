"""`/ticket project <name>`: an epic with one ticket per stage, the standard DS project checklist.

Running it again fills in only the stages that have no ticket yet, so it doubles as Retry after a
tracker failure; a stage whose last attempt timed out reuses its draft and is looked up by marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets import projects, service
from rituals.tickets.models import Ticket, TicketDraft, TicketProject
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import TrackerError


@dataclass
class Checklist:
    project: TicketProject
    tickets: list[Ticket] = field(default_factory=list)
    created: int = 0
    error: TrackerError | None = None


def create(
    session: Session,
    setup: TicketSetup,
    *,
    team_id: str,
    channel_id: str | None,
    user_id: str,
    name: str,
    now: datetime,
) -> Checklist:
    name = " ".join(name.split())
    if not name:
        raise UserError("Name the project: `/ticket project <name>`.")
    if len(name) > 120:
        raise UserError("Keep the project name under 120 characters.")
    marker = re.sub(r"[^a-z0-9]+", "-", f"{team_id}-{name}".lower())[:60]
    try:
        project = projects.ensure_project(
            session,
            setup,
            team_id=team_id,
            channel_id=channel_id,
            name=name,
            user_id=user_id,
            now=now,
            marker=marker,
        )
    except TrackerError as exc:
        raise UserError(
            f"{exc.tracker} did not create the project: {exc.reason.rstrip('.')}. "
            f"Run `/ticket project {name}` again to retry; stages already filed are kept."
        ) from None
    assert project is not None
    result = Checklist(project)
    have = {t.stage: t for t in session.scalars(select(Ticket).where(Ticket.project_id == project.id))}
    for stage in setup.stages:
        if stage.name in have:
            result.tickets.append(have[stage.name])
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
        )
        try:
            filed = service.submit(session, setup, draft, now=now)
        except TrackerError as exc:
            result.error = exc
            break
        result.tickets.append(filed.ticket)
        result.created += 1
    return result


def _pending_draft(session: Session, team_id: str, project: str, stage: str) -> TicketDraft | None:
    drafts = session.scalars(select(TicketDraft).where(TicketDraft.team_id == team_id, TicketDraft.status == "failed"))
    return next(
        (d for d in drafts if d.payload.get("project") == project and d.payload.get("stage") == stage),
        None,
    )
