"""Stage history: every stage a ticket entered (filed, moved here or in its tracker), who and when;
time in stage and cycle time per stage come from it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utc
from rituals.tickets.models import Ticket, TicketStageMove


def record(
    session: Session, ticket: Ticket, from_stage: str | None, to_stage: str, *, actor: str, now: datetime
) -> None:
    session.add(TicketStageMove(ticket_id=ticket.id, from_stage=from_stage, to_stage=to_stage, actor=actor, at=now))
    ticket.stage, ticket.stage_since, ticket.updated_at = to_stage, now, now


def moves(session: Session, ticket_ids: Sequence[int]) -> list[TicketStageMove]:
    if not ticket_ids:
        return []
    return list(
        session.scalars(
            select(TicketStageMove)
            .where(TicketStageMove.ticket_id.in_(ticket_ids))
            .order_by(TicketStageMove.ticket_id, TicketStageMove.at, TicketStageMove.id)
        )
    )


@dataclass(frozen=True)
class Span:
    """One stay of one ticket in one stage; `end` is None while it is still there."""

    ticket_id: int
    stage: str
    start: datetime
    end: datetime | None


def spans(all_moves: Sequence[TicketStageMove]) -> list[Span]:
    by_ticket: dict[int, list[TicketStageMove]] = defaultdict(list)
    for move in all_moves:
        by_ticket[move.ticket_id].append(move)
    found: list[Span] = []
    for ticket_id, steps in by_ticket.items():
        for n, step in enumerate(steps):
            end = utc(steps[n + 1].at) if n + 1 < len(steps) else None
            found.append(Span(ticket_id, step.to_stage, utc(step.at), end))
    return found


def cycle_days(all_spans: Sequence[Span], now: datetime, closed: dict[int, datetime | None]) -> dict[str, float]:
    """Mean days per stay in each stage; a ticket's last stay ends when it closed, or now."""
    totals: dict[str, list[timedelta]] = defaultdict(list)
    for span in all_spans:
        closed_at = closed.get(span.ticket_id)
        end = span.end or (utc(closed_at) if closed_at else now)
        totals[span.stage].append(end - span.start)
    return {
        stage: round(sum(d.total_seconds() for d in stays) / len(stays) / 86400, 1) for stage, stays in totals.items()
    }
