"""What the channel sees: a filed ticket (in the originating message's thread when there is one),
and a short update in that thread when the ticket moves or closes. Everything goes through the
outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox
from rituals.tickets import render
from rituals.tickets.models import Ticket
from rituals.tickets.service import Filed


def filed(session: Session, result: Filed, *, channel: str | None, team_id: str, now: datetime) -> None:
    ticket = result.ticket
    dedupe_key = f"tickets:filed:{ticket.id}"
    if outbox.already_enqueued(session, dedupe_key):
        return  # a Retry of a draft that was already filed announces nothing new
    text = render.filed_text(ticket, result.project, who=f"<@{ticket.created_by}>")
    thread_ts = ticket.origin_ts if ticket.origin_channel else None
    where = ticket.origin_channel or channel
    if where:
        outbox.post(
            session,
            channel=where,
            thread_ts=thread_ts,
            text=text,
            now=now,
            team_id=team_id,
            dedupe_key=dedupe_key,
            unfurl_links=False,
        )


def changed(session: Session, ticket: Ticket, *, actor: str, team_id: str, now: datetime) -> None:
    if ticket.origin_channel and ticket.origin_ts:
        outbox.post(
            session,
            channel=ticket.origin_channel,
            thread_ts=ticket.origin_ts,
            text=render.update_text(ticket, actor),
            now=now,
            team_id=team_id,
        )
