"""Two-way sync: what changed in Jira or GitHub (status, stage label, assignee, comments) is applied to
ritualbot's board and told in the ticket's Slack thread. Webhooks (rituals.tickets.webhooks) bring one
ticket at a time; `reconcile` reads the open ones where webhooks are not set up (the
`tickets.reconcile` job)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.errors import ConfigError
from rituals.tickets import accounts, history, notify, projects
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.service import TRACKER_NAMES
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import RemoteTicket, TrackerError

log = logging.getLogger(__name__)
RECENTLY_CLOSED = timedelta(days=14)
PER_RUN = 200


def apply(session: Session, setup: TicketSetup, ticket: Ticket, remote: RemoteTicket, *, now: datetime) -> list[str]:
    """Bring the mirror in line with the tracker; returns what changed, as short phrases (mrkdwn)."""
    shown = TRACKER_NAMES.get(ticket.tracker, ticket.tracker)
    changes: list[str] = []
    if remote.status != ticket.status:
        ticket.status, ticket.closed_at = remote.status, (now if remote.status == "closed" else None)
        changes.append("closed" if remote.status == "closed" else "reopened")
    stage = _remote_stage(setup, session, ticket, remote)
    if stage and stage != ticket.stage:
        history.record(session, ticket, ticket.stage, stage, actor=shown, now=now)
        changes.append(f"moved to *{stage}*")
    assignee = _remote_assignee(session, setup, ticket, remote)
    if assignee is not False and assignee != ticket.assignee:
        ticket.assignee = assignee if isinstance(assignee, str) else None
        changes.append(f"assigned to <@{assignee}>" if assignee else "unassigned")
    if remote.comments is not None and remote.comments != (ticket.comments or 0):
        more = remote.comments - (ticket.comments or 0)
        ticket.comments = remote.comments
        if more > 0:
            changes.append(f"{more} new comment{'' if more == 1 else 's'}")
    if changes:
        ticket.updated_at = now
        notify.synced(session, ticket, f"In {shown}: " + "; ".join(changes) + ".", team_id=ticket.team_id, now=now)
    return changes


def _remote_stage(setup: TicketSetup, session: Session, ticket: Ticket, remote: RemoteTicket) -> str | None:
    project = session.get(TicketProject, ticket.project_id) if ticket.project_id else None
    stages = projects.stages_of(setup, project)
    if remote.stage_name:
        return next((s.name for s in stages if s.name == remote.stage_name), None)
    labels = [label for label in remote.labels if label.startswith("stage:")]
    if len(labels) != 1:
        return None  # none, or several while someone relabels: leave the stage as it is
    return next((s.name for s in stages if s.label == labels[0]), None)


def _remote_assignee(session: Session, setup: TicketSetup, ticket: Ticket, remote: RemoteTicket) -> str | None | bool:
    """The Slack user the tracker's assignee is, None for nobody, False to leave ours as it is (an
    assignee the tracker cannot know, or an account we cannot name)."""
    config = setup.trackers.get(ticket.tracker)
    known = accounts.known(session, config if isinstance(config, Mapping) else {}, ticket.team_id, ticket.tracker)
    ours = known.get(ticket.assignee) if ticket.assignee else None
    if remote.assignee == ours:
        return False
    if remote.assignee is None:
        return None if ours else False
    return next((user for user, account in known.items() if account == remote.assignee), False)


@dataclass
class Reconciled:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    down: dict[str, str] = field(default_factory=dict)  # tracker -> why it could not be read


def reconcile(session: Session, setup: TicketSetup, *, team_id: str, now: datetime) -> Reconciled:
    """Read every open (and recently closed) Jira and GitHub ticket of the team and apply what changed."""
    result = Reconciled()
    rows = session.scalars(
        select(Ticket)
        .where(
            Ticket.team_id == team_id,
            Ticket.tracker != "builtin",
            or_(Ticket.status == "open", Ticket.closed_at >= now - RECENTLY_CLOSED),
        )
        .order_by(Ticket.updated_at)
        .limit(PER_RUN)
    )
    for ticket in rows:
        if ticket.tracker in result.down:
            continue
        try:
            remote = setup.build(ticket.tracker, session, team_id).get(ticket.key)
        except (TrackerError, ConfigError) as exc:
            result.down[ticket.tracker] = exc.reason if isinstance(exc, TrackerError) else str(exc)
            log.warning("tickets reconcile skipped tracker=%s team=%s reason=%s", ticket.tracker, team_id, exc)
            continue
        result.checked += 1
        if changes := apply(session, setup, ticket, remote, now=now):
            result.changed.append(f"{ticket.key}: {'; '.join(changes)}")
    return result
