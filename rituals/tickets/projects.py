"""Projects (epics / milestones) and each channel's default project."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.tickets import stages as stage_mod
from rituals.tickets.ids import Block, ProjectChoice
from rituals.tickets.models import TicketChannelDefault, TicketProject
from rituals.tickets.setup import TicketSetup


def find_project(session: Session, team_id: str, name: str) -> TicketProject | None:
    return session.scalar(select(TicketProject).where(TicketProject.team_id == team_id, TicketProject.name == name))


def stages_of(setup: TicketSetup, project: TicketProject | None) -> list[stage_mod.Stage]:
    """The project's own stages (its template) when it has them, else the workspace's."""
    if project is not None and project.stages:
        return [stage_mod.Stage(n, str(name)) for n, name in enumerate(project.stages, start=1)]
    return setup.stages


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
) -> TicketProject | None:
    """The named project; created (an epic / milestone in its tracker) when it does not exist."""
    if not name:
        return None
    return claim_project(session, setup, team_id=team_id, channel_id=channel_id, name=name, user_id=user_id, now=now)[0]


def claim_project(
    session: Session,
    setup: TicketSetup,
    *,
    team_id: str,
    channel_id: str | None,
    name: str,
    user_id: str,
    now: datetime,
) -> tuple[TicketProject, bool]:
    """(the project, whether this call created it). The row comes first, with a stable marker the
    tracker's epic carries; a simultaneous request creating the same name finds it instead of failing.
    A project whose epic is still missing (its tracker failed before) gets it now."""
    project = find_project(session, team_id, name)
    created = False
    if project is None:
        row = TicketProject(
            team_id=team_id,
            name=name,
            tracker=setup.tracker_name(channel_id, name),
            marker=uuid.uuid4().hex,
            created_by=user_id,
            created_at=now,
        )
        session.commit()  # what the request wrote so far is kept; the name is claimed in a transaction of its own
        session.add(row)
        try:
            session.flush()
            project, created = row, True
        except IntegrityError:
            session.rollback()
            project = find_project(session, team_id, name)  # another request created it meanwhile
            if project is None:
                raise
    if project.external_ref is None:
        _create_remote(session, setup, project)
    return project, created


def _create_remote(session: Session, setup: TicketSetup, project: TicketProject) -> None:
    tracker = setup.build(project.tracker, session, project.team_id)
    marker = project.marker or uuid.uuid4().hex
    if project.tracker != "builtin":
        project.marker = marker
        session.commit()  # the project is kept whatever the tracker says; no lock held while it answers
    remote = tracker.create_project(project.name, marker)
    project.external_ref, project.url = remote.ref, remote.url


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


# built once: every one-line filing asks (composing a statement cost more than running it)
_DEFAULT = select(TicketChannelDefault.project_id).where(
    TicketChannelDefault.team_id == bindparam("team_id"), TicketChannelDefault.channel_id == bindparam("channel_id")
)


def default_project(session: Session, team_id: str, channel_id: str | None) -> TicketProject | None:
    if not channel_id:
        return None
    project_id = session.scalar(_DEFAULT, {"team_id": team_id, "channel_id": channel_id})
    return session.get(TicketProject, project_id) if project_id is not None else None


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
