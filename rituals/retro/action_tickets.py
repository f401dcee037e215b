"""Retro action -> stage ticket through the tickets capability: its filing form prefilled from the action
(text, owner as assignee, due date), and the ticket found again by the action's message it was filed from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import ConfigError, UserError
from rituals.retro.models import Retro, RetroAction
from rituals.tickets import projects
from rituals.tickets import render as ticket_render
from rituals.tickets.ids import Block as TicketBlock
from rituals.tickets.models import Ticket
from rituals.tickets.setup import TicketSetup


@dataclass(frozen=True)
class Origin:
    retro: Retro
    action: RetroAction
    ts: str


def action_ref(retro_id: int, action_id: int) -> str:
    return f"retro:{retro_id}:action:{action_id}"


def action_of(s: Session, team_id: str, action_id: int) -> tuple[Retro, RetroAction]:
    action = s.get(RetroAction, action_id)
    retro = s.get(Retro, action.retro_id) if action else None
    if action is None or retro is None or retro.team_id != team_id:
        raise UserError("That action item no longer exists.")
    return retro, action


def origin(s: Session, retro: Retro, action: RetroAction) -> Origin:
    """The action's message a ticket is filed from; refused once a ticket exists or the action is settled."""
    if action.status != "open":
        raise UserError(f"That action is {action.status}: there is nothing left to track.")
    ticket = linked(s, retro, action)
    if ticket is not None:
        raise UserError(f"{ticket.key} is already filed for this action.")
    row = outbox.find_by_ref(s, action_ref(retro.id, action.id))
    if row is None or not row.ts:
        raise UserError("The action's message is still being posted; try again in a moment.")
    return Origin(retro, action, row.ts)


def form(s: Session, settings: Any, where: Origin) -> dict[str, Any]:
    """The tickets capability's filing form; its own submission files the ticket in the tracker."""
    try:
        setup = TicketSetup.from_settings(settings)
    except ConfigError as exc:
        raise UserError(f"Stage tickets are not set up correctly: {exc}. Ask whoever runs ritualbot.") from None
    retro, action = where.retro, where.action
    due = f", due {action.due_on.isoformat()}" if action.due_on else ""
    description = f"Action from the retro “{retro.title}”: owner <@{action.owner_id}>{due}.\n{action.text}"
    meta = {"channel": retro.channel_id, "origin_channel": retro.channel_id, "origin_ts": where.ts}
    view = ticket_render.file_modal(
        setup.stages,
        projects.projects(s, retro.team_id),
        default=projects.default_project(s, retro.team_id, retro.channel_id),
        meta=meta,
        summary=" ".join(action.text.split())[:150],
        description=description,
    )
    for block in view["blocks"]:
        if block.get("block_id") == TicketBlock.ASSIGNEE:
            block["element"]["initial_user"] = action.owner_id  # the action's owner owns the ticket
    return view


def linked(s: Session, retro: Retro, action: RetroAction) -> Ticket | None:
    """The ticket filed from this action's message (the tickets capability records where it was filed from)."""
    row = outbox.find_by_ref(s, action_ref(retro.id, action.id))
    if row is None or not row.ts:
        return None
    return s.scalars(
        select(Ticket)
        .where(Ticket.team_id == retro.team_id, Ticket.origin_channel == retro.channel_id, Ticket.origin_ts == row.ts)
        .order_by(Ticket.id)
        .limit(1)
    ).first()


def states(s: Session, actions: list[RetroAction]) -> dict[int, str]:
    """Action id -> its ticket's key, stage and state as mrkdwn, for the next retro's review."""
    out: dict[int, str] = {}
    for action in actions:
        retro = s.get(Retro, action.retro_id)
        ticket = linked(s, retro, action) if retro is not None else None
        if ticket is not None:
            out[action.id] = f"ticket {ticket_render.link(ticket.key, ticket.url)} · {ticket.stage} · {ticket.status}"
    return out
