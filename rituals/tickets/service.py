"""Filing, moving and closing stage tickets; drafts that survive a failing tracker; projects and
defaults.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import ConfigError, UserError
from rituals.tickets import history, projects
from rituals.tickets import stages as stage_mod
from rituals.tickets.ids import Block
from rituals.tickets.models import Ticket, TicketDraft, TicketProject
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import RemoteTicket, TicketSpec, Tracker, TrackerError

log = logging.getLogger(__name__)
MAX_SUMMARY = 255


TRACKER_NAMES = {"jira": "Jira", "github": "GitHub", "builtin": "the built-in tracker"}


@dataclass(frozen=True)
class Filed:
    ticket: Ticket
    project: TicketProject | None
    draft: TicketDraft
    unmapped: str | None = None  # a Slack user the tracker has no account for: the ticket is unassigned there
    fresh: bool = False  # filed by this call (not a Retry finding the ticket filed before): nothing announced it yet


def new_draft(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    now: datetime,
    stage: str,
    summary: str,
    description: str = "",
    project: str | None = None,
    assignee: str | None = None,
    labels: list[str] | None = None,
    origin_channel: str | None = None,
    origin_ts: str | None = None,
    permalink: str | None = None,
    checklist: bool = False,
) -> TicketDraft:
    """Validate and keep what the user typed; nothing goes to a tracker yet."""
    summary = " ".join((summary or "").split())
    if not summary:
        raise UserError("Give the ticket a summary.", field=Block.SUMMARY)
    if len(summary) > MAX_SUMMARY:
        raise UserError(f"Keep the summary under {MAX_SUMMARY} characters.", field=Block.SUMMARY)
    project = " ".join((project or "").split()) or None
    if project and len(project) > 120:
        raise UserError("Keep the project name under 120 characters.", field=Block.NEW_PROJECT)
    payload: dict[str, Any] = {
        "stage": stage,
        "summary": summary,
        "description": (description or "").strip(),
        "project": project,
        "assignee": assignee,
        "labels": labels or [],
        "origin_channel": origin_channel,
        "origin_ts": origin_ts,
        "permalink": permalink,
        "checklist": checklist,
    }
    draft = TicketDraft(
        id=uuid.uuid4().hex,
        team_id=team_id,
        user_id=user_id,
        channel_id=channel_id,
        payload=payload,
        status="pending",
        attempts=0,
        uncertain=False,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)  # written by the filing's first statement (autoflush), already counting its attempt
    return draft


def draft_of(session: Session, team_id: str, draft_id: str) -> TicketDraft:
    draft = session.get(TicketDraft, draft_id)
    if draft is None or draft.team_id != team_id:
        raise UserError("That draft is gone. File the ticket again with `/ticket`.")
    return draft


def submit(session: Session, setup: TicketSetup, draft: TicketDraft, *, now: datetime) -> Filed:
    """Send a draft to its tracker. Raises TrackerError (the draft keeps the reason for Retry).

    For Jira and GitHub the draft is committed first, marked "sending": no database lock is held while
    the tracker answers, and a draft whose outcome is unknown is looked up by its marker before it is
    sent again. A failure after the tracker filed the ticket says so (`TrackerError.filed_key`)."""
    if draft.status == "created" and draft.ticket_id:
        ticket = session.get(Ticket, draft.ticket_id)
        if ticket is not None:
            return Filed(
                ticket,
                session.get(TicketProject, ticket.project_id) if ticket.project_id else None,
                draft,
            )
    p = draft.payload
    draft.attempts += 1
    draft.updated_at = now
    tracker_name = "builtin"
    try:
        project = projects.ensure_project(
            session,
            setup,
            team_id=draft.team_id,
            channel_id=draft.channel_id,
            name=p.get("project"),
            user_id=draft.user_id,
            now=now,
        )
        stage = stage_mod.by_name(projects.stages_of(setup, project), p["stage"])
        tracker_name = project.tracker if project else setup.tracker_name(draft.channel_id)
        tracker = setup.build(tracker_name, session, draft.team_id)
        spec = TicketSpec(
            summary=p["summary"],
            stage_name=stage.name,
            stage_label=stage.label,
            description=p.get("description") or "",
            labels=tuple(p.get("labels") or ()),
            assignee=p.get("assignee"),
            project_ref=project.external_ref if project else None,
            marker=draft.id,
            link=p.get("permalink"),
        )
        remote = _send(session, tracker, draft, spec) if tracker_name != "builtin" else tracker.create(spec)
    except ConfigError as exc:
        draft.status, draft.last_error = "failed", str(exc)[:500]
        shown = TRACKER_NAMES.get(tracker_name, "The tracker")
        raise TrackerError(shown, f"the tracker is not set up ({str(exc).rstrip('.')})") from None
    except TrackerError as exc:
        draft.status, draft.last_error = "failed", f"{exc.tracker}: {exc.reason}"[:500]
        draft.uncertain = draft.uncertain or exc.uncertain
        log.warning(
            "tracker refused ticket draft=%s tracker=%s status=%s",
            draft.id,
            exc.tracker,
            exc.status,
        )
        raise
    if tracker_name == "builtin":
        # the key was just taken from our own sequence row (trackers.builtin): it cannot be recorded already,
        # so no savepoint (two more statements) guards the insert
        ticket = _store(session, draft, remote, tracker_name, stage, project, now)
        draft.status, draft.ticket_id, draft.last_error = "created", ticket.id, None
        return Filed(ticket, project, draft, unmapped=remote.unmapped, fresh=True)
    try:
        with session.begin_nested():
            ticket = _store(session, draft, remote, tracker_name, stage, project, now)
    except IntegrityError:
        shown = TRACKER_NAMES.get(tracker_name, tracker_name)
        reason = f"a {shown} ticket {remote.key} is already recorded here"
        draft.status, draft.uncertain, draft.last_error = "failed", True, f"{shown}: {reason}"[:500]
        log.warning("tracker filed a key already recorded draft=%s key=%s", draft.id, remote.key)
        raise TrackerError(shown, reason, filed_key=remote.key) from None
    draft.status, draft.ticket_id, draft.last_error = "created", ticket.id, None
    return Filed(ticket, project, draft, unmapped=remote.unmapped, fresh=True)


def _send(session: Session, tracker: Tracker, draft: TicketDraft, spec: TicketSpec) -> RemoteTicket:
    """One remote filing with the draft committed first; after an unknown outcome, look before sending."""
    look_first = draft.uncertain or draft.status == "sending"
    draft.status = "sending"
    session.commit()
    found = tracker.find_by_marker(draft.id, spec) if look_first else None
    if found is not None:
        log.info("ticket found by marker after an uncertain attempt draft=%s key=%s", draft.id, found.key)
        return found
    return tracker.create(spec)


def _store(
    session: Session,
    draft: TicketDraft,
    remote: RemoteTicket,
    tracker: str,
    stage: stage_mod.Stage,
    project: TicketProject | None,
    now: datetime,
) -> Ticket:
    p = draft.payload
    ticket = Ticket(
        team_id=draft.team_id,
        project_id=project.id if project else None,
        tracker=tracker,
        key=remote.key,
        number=remote.number,
        url=remote.url,
        stage=stage.name,
        summary=p["summary"],
        description=p.get("description") or "",
        assignee=p.get("assignee"),
        labels=list(p.get("labels") or []),
        status="open",
        created_by=draft.user_id,
        created_at=now,
        updated_at=now,
        origin_channel=p.get("origin_channel"),
        origin_ts=p.get("origin_ts"),
        draft_id=draft.id,
        checklist_stage=stage.name if p.get("checklist") else None,
        stage_since=now,
    )
    session.add(ticket)
    session.flush()
    history.record(session, ticket, None, stage.name, actor=draft.user_id, now=now)
    return ticket


def find_ticket(session: Session, team_id: str, key: str) -> Ticket:
    """A ticket by key (`DS-12`, `#12`, `12` for GitHub), qualified by tracker when keys collide
    (`jira:DS-12`, `builtin:DS-12`, `github:#12`)."""
    tracker, _, typed = key.strip().rpartition(":")
    typed = typed.strip().upper()
    tracker = tracker.strip().lower()
    candidates = [typed, f"#{typed}"] if typed.isdigit() else [typed]
    query = select(Ticket).where(Ticket.team_id == team_id, Ticket.key.in_(candidates))
    if tracker:
        if tracker not in TRACKER_NAMES:
            raise UserError(f"`{tracker[:20]}` is not a tracker: use builtin, jira or github before the key.")
        query = query.where(Ticket.tracker == tracker)
    found = list(session.scalars(query.order_by(Ticket.id)))
    if len(found) > 1:
        options = " or ".join(f"`{t.tracker}:{t.key}`" for t in found)
        raise UserError(f"`{typed[:40]}` is a key in more than one tracker: say {options}.")
    if not found:
        raise UserError(f"There is no ticket `{key[:40]}`. `/ticket board` lists the open ones.")
    return found[0]


def stages_match(setup: TicketSetup, chosen: str | None) -> stage_mod.Stage:
    if not chosen:
        raise UserError("Pick a stage.", field=Block.STAGE)
    return stage_mod.by_name(setup.stages, chosen)
