"""Projects (epics / milestones) and each channel's default project."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets.ids import Block, ProjectChoice
from rituals.tickets.models import TicketChannelDefault, TicketProject
from rituals.tickets.setup import TicketSetup


def find_project(session: Session, team_id: str, name: str) -> TicketProject | None:
    return session.scalar(select(TicketProject).where(TicketProject.team_id == team_id, TicketProject.name == name))


def projects(session: Session, team_id: str) -> list[TicketProject]:
    return list(
        session.scalars(select(TicketProject).where(TicketProject.team_id == team_id).order_by(TicketProject.name))
    )


def ensure_project(
    session: Session,
    setup: TicketSetup,
    *,
    team_id: str,
    channel_id: str | None,
    name: str | None,
    user_id: str,
    now: datetime,
    marker: str,
) -> TicketProject | None:
    """The named project; created (an epic / milestone in its tracker) when it does not exist."""
    if not name:
        return None
    existing = find_project(session, team_id, name)
    if existing is not None:
        return existing
    tracker_name = setup.tracker_name(channel_id, name)
    remote = setup.build(tracker_name, session, team_id).create_project(name, marker)
    project = TicketProject(
        team_id=team_id,
        name=name,
        tracker=tracker_name,
        external_ref=remote.ref,
        url=remote.url,
        created_by=user_id,
        created_at=now,
    )
    session.add(project)
    session.flush()
    return project


def set_default(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    project_name: str,
    user_id: str,
    now: datetime,
) -> TicketProject:
    project = find_project(session, team_id, " ".join(project_name.split()))
    if project is None:
        known = ", ".join(p.name for p in projects(session, team_id)) or "none yet"
        raise UserError(
            f"There is no project `{project_name[:60]}`. Projects: {known}. Create one with `/ticket project <name>`."
        )
    row = session.scalar(
        select(TicketChannelDefault).where(
            TicketChannelDefault.team_id == team_id, TicketChannelDefault.channel_id == channel_id
        )
    )
    if row is None:
        row = TicketChannelDefault(
            team_id=team_id,
            channel_id=channel_id,
            project_id=project.id,
            set_by=user_id,
            updated_at=now,
        )
        session.add(row)
    row.project_id, row.set_by, row.updated_at = project.id, user_id, now
    return project


def default_project(session: Session, team_id: str, channel_id: str | None) -> TicketProject | None:
    if not channel_id:
        return None
    row = session.scalar(
        select(TicketChannelDefault).where(
            TicketChannelDefault.team_id == team_id, TicketChannelDefault.channel_id == channel_id
        )
    )
    return session.get(TicketProject, row.project_id) if row else None


def chosen_name(session: Session, team_id: str, chosen: str | None, new_name: str | None) -> str | None:
    """The project the filing modal names: a new one typed in, an existing one picked, or none."""
    new_name = " ".join((new_name or "").split())
    if chosen == ProjectChoice.NEW or (new_name and chosen in (None, ProjectChoice.NONE)):
        if not new_name:
            raise UserError("Name the new project.", field=Block.NEW_PROJECT)
        return new_name
    if chosen and chosen.isdigit():
        project = session.get(TicketProject, int(chosen))
        if project is None or project.team_id != team_id:
            raise UserError("That project is gone; pick another.", field=Block.PROJECT)
        return project.name
    return None
