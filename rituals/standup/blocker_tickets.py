"""Blocker -> stage ticket through the tickets capability: its filing form prefilled from a blocker
(text, member, link), the ticket found again by the message it was filed from (its "Filed" note goes
to that message's thread), and closing it once the blocker is cleared."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import ConfigError, UserError
from bot.models import OutboxMessage
from rituals.standup import render
from rituals.standup.models import Standup, StandupBlocker, StandupEntry
from rituals.tickets import changes, notify, projects
from rituals.tickets import render as ticket_render
from rituals.tickets.models import Ticket
from rituals.tickets.setup import TicketSetup
from rituals.tickets.trackers.base import TrackerError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where a blocker's ticket is filed from: the member's posted answer, else the clicked digest."""

    standup: Standup
    blocker: StandupBlocker
    channel: str
    ts: str


def blocker_of(session: Session, team_id: str, blocker_id: int) -> tuple[Standup, StandupBlocker]:
    blocker = session.get(StandupBlocker, blocker_id)
    standup = session.get(Standup, blocker.standup_id) if blocker else None
    if blocker is None or standup is None or standup.team_id != team_id or standup.archived_at is not None:
        raise UserError("That blocker no longer exists.")
    return standup, blocker


def origin(session: Session, team_id: str, blocker_id: int, clicked_ts: str) -> Origin:
    """The message a ticket for this blocker is filed from (remembered, to find the ticket again)."""
    standup, blocker = blocker_of(session, team_id, blocker_id)
    if blocker.cleared_at is not None:
        raise UserError("That blocker is already cleared.")
    ticket = linked(session, standup, blocker)
    if ticket is not None:
        raise UserError(f"{ticket.key} is already filed for this blocker.")
    entry = session.get(StandupEntry, blocker.entry_id) if blocker.entry_id else None
    posted = session.get(OutboxMessage, entry.posted_message_id) if entry and entry.posted_message_id else None
    ts = posted.ts if posted is not None and posted.ts else clicked_ts
    blocker.ticket_origin_ts = ts
    return Origin(standup, blocker, standup.channel_id, ts)


def setup_of(settings: Any) -> TicketSetup:
    try:
        return TicketSetup.from_settings(settings)
    except ConfigError as exc:
        raise UserError(f"Stage tickets are not set up correctly: {exc}. Ask whoever runs ritualbot.") from None


def form(session: Session, settings: Any, where: Origin, permalink: str | None) -> dict[str, Any]:
    """The tickets capability's filing form, prefilled; its submission files and announces the ticket."""
    setup = setup_of(settings)
    blocker, standup = where.blocker, where.standup
    summary = " ".join(blocker.text.split())[:150]
    raised = render.day_label(blocker.raised_on)
    lines = [f"Blocker raised by <@{blocker.user_id}> in the standup “{standup.name}” on {raised}:", blocker.text]
    if permalink:
        lines.append(permalink)
    meta = {"channel": where.channel, "origin_channel": where.channel, "origin_ts": where.ts, "permalink": permalink}
    return ticket_render.file_modal(
        setup.stages,
        projects.projects(session, standup.team_id),
        default=projects.default_project(session, standup.team_id, standup.channel_id),
        meta=meta,
        summary=summary,
        description="\n".join(lines),
    )


def linked(session: Session, standup: Standup, blocker: StandupBlocker) -> Ticket | None:
    """The ticket filed for this blocker: remembered once found by the message it was filed from."""
    if blocker.ticket_id is not None:
        return session.get(Ticket, blocker.ticket_id)
    if not blocker.ticket_origin_ts:
        return None
    claimed = select(StandupBlocker.ticket_id).where(StandupBlocker.ticket_id.is_not(None))
    ticket = session.scalars(
        select(Ticket)
        .where(
            Ticket.team_id == standup.team_id,
            Ticket.origin_channel == standup.channel_id,
            Ticket.origin_ts == blocker.ticket_origin_ts,
            Ticket.created_at >= blocker.raised_at,
            Ticket.id.not_in(claimed),
        )
        .order_by(Ticket.id)
        .limit(1)
    ).first()
    if ticket is not None:
        blocker.ticket_id = ticket.id
        log.info("standup blocker linked to ticket blocker=%s ticket=%s", blocker.id, ticket.key)
    return ticket


def shown(session: Session, standup: Standup, blockers: list[StandupBlocker]) -> dict[int, str]:
    """Blocker id -> its ticket as mrkdwn (key linked to the tracker), for the digest."""
    found = {b.id: linked(session, standup, b) for b in blockers if b.ticket_id or b.ticket_origin_ts}
    return {bid: f"ticket {ticket_render.link(t.key, t.url)}" for bid, t in found.items() if t is not None}


def open_ticket(session: Session, team_id: str, blocker_id: int) -> Ticket | None:
    """The blocker's ticket while it is still open (offered for closing when the blocker is cleared)."""
    standup, blocker = blocker_of(session, team_id, blocker_id)
    ticket = linked(session, standup, blocker)
    return ticket if ticket is not None and ticket.status != "closed" else None


def close(session: Session, settings: Any, team_id: str, blocker_id: int, actor: str, now: datetime) -> Ticket:
    """Close the cleared blocker's ticket in its tracker; the ticket's thread hears about it."""
    standup, blocker = blocker_of(session, team_id, blocker_id)
    if blocker.user_id != actor:
        raise UserError(f"Only <@{blocker.user_id}> can close the ticket of their blocker.")
    ticket = linked(session, standup, blocker)
    if ticket is None:
        raise UserError("No ticket was filed for that blocker.")
    try:
        change = changes.close(session, setup_of(settings), team_id=team_id, key=ticket.key, now=now)
    except TrackerError as exc:
        raise UserError(f"{exc.tracker} did not close {ticket.key}: {exc.reason}") from None
    notify.changed(session, change.ticket, actor=actor, team_id=team_id, now=now, channel=standup.channel_id)
    return change.ticket
