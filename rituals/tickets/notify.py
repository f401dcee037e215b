"""What the channel sees: a filed ticket (in the originating message's thread when there is one),
and a short update in that thread when the ticket moves or closes. Everything goes through the
outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox
from bot.text import plain
from rituals.tickets import flow, render, render_project
from rituals.tickets.checklist import Checklist
from rituals.tickets.flow import Flow
from rituals.tickets.models import Ticket, TicketProject
from rituals.tickets.service import Filed


def filed(session: Session, result: Filed, *, channel: str | None, team_id: str, now: datetime) -> None:
    ticket = result.ticket
    dedupe_key = f"tickets:filed:{ticket.id}"
    if not result.fresh and outbox.already_enqueued(session, dedupe_key):
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
            ref=ticket_ref(ticket),
            unfurl_links=False,
        )


def project_filed(
    session: Session, result: Checklist, *, text: str, channel: str | None, team_id: str, now: datetime
) -> None:
    """A new project's checklist, announced once to the channel; its tickets' moves go in its thread."""
    ref = project_ref(result.project)
    if not channel or result.created == 0 or outbox.find_by_ref(session, ref) is not None:
        return
    outbox.post(session, channel=channel, text=text, now=now, team_id=team_id, ref=ref, unfurl_links=False)


def flow_posted(session: Session, project_flow: Flow, *, channel: str, team_id: str, now: datetime) -> None:
    text = render_project.flow_text(project_flow)
    outbox.upload(
        session,
        channel=channel,
        filename="flow.png",
        content=flow.chart(project_flow),
        now=now,
        title=f"{project_flow.project.name}: stage over time",
        comment=text,
        alt_text=f"{project_flow.project.name}: each ticket's stays per stage over time. {plain(text)}"[:1000],
        team_id=team_id,
    )


def project_ref(project: TicketProject) -> str:
    return f"tickets:project:{project.id}"


def ticket_ref(ticket: Ticket) -> str:
    return f"tickets:ticket:{ticket.id}"


def changed(
    session: Session,
    ticket: Ticket,
    *,
    actor: str,
    team_id: str,
    now: datetime,
    channel: str | None = None,
    verb: str = "",
) -> None:
    """In the ticket's thread: under the message it was filed from, or its filing announcement; a
    checklist ticket in its project's announcement thread (or the channel where it was changed), so
    the team sees the flow, not only whoever moved it."""
    _tell(session, ticket, render.update_text(ticket, actor, verb=verb), team_id=team_id, now=now, channel=channel)


def synced(session: Session, ticket: Ticket, what: str, *, team_id: str, now: datetime) -> None:
    """A change made in the tracker, told where the ticket's changes are told (the channel of its filing
    when it has no thread)."""
    text = f"{render.ticket_line(ticket)}\n{what}"
    _tell(session, ticket, text, team_id=team_id, now=now, channel=ticket.origin_channel, any_ticket=True)


def _tell(
    session: Session,
    ticket: Ticket,
    text: str,
    *,
    team_id: str,
    now: datetime,
    channel: str | None,
    any_ticket: bool = False,
) -> None:
    if ticket.origin_channel and ticket.origin_ts:
        outbox.post(
            session, channel=ticket.origin_channel, thread_ts=ticket.origin_ts, text=text, now=now, team_id=team_id
        )
        return
    announced = outbox.find_by_ref(session, ticket_ref(ticket))
    if announced is None and not ticket.checklist_stage and not any_ticket:
        return
    project = session.get(TicketProject, ticket.project_id) if ticket.project_id else None
    if announced is None and project is not None:
        announced = outbox.find_by_ref(session, project_ref(project))
    where = (announced.channel if announced is not None else None) or channel
    if announced is not None and where:
        outbox.post(session, channel=where, thread_of=announced, text=text, now=now, team_id=team_id)
    elif channel:
        outbox.post(session, channel=channel, text=text, now=now, team_id=team_id)
