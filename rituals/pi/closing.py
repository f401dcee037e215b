"""Closing a PI: owners enter actual business value, then the report with predictability (and the
predictability-over-time chart once the channel has two or more closed PIs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from rituals.pi import business, plan, render, service
from rituals.pi.chart import predictability_alt_text, predictability_png
from rituals.pi.ids import Block
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.predictability import History, Predictability, measure

log = logging.getLogger(__name__)


def start_close(
    s: Session, pi: ProgramIncrement, *, actor: str, is_admin: Callable[[], bool], now: datetime
) -> list[str]:
    """Ask for actual business value (the business owners, else each objective's owner); returns who was asked."""
    _require_closer(pi, actor, is_admin)
    pi.state = "closing"
    s.flush()
    pending = [o for o in service.objectives(s, pi.id) if o.actual_bv is None]
    if not pending:
        finalize(s, pi, now)
        return []
    owners: dict[str, list[Objective]] = {}
    scorers = business.owners(pi)  # business owners score every objective; without them, each owner their own
    for o in pending:
        for who in scorers or [o.owner_id]:
            owners.setdefault(who, []).append(o)
    for owner, mine in owners.items():
        key = f"pi:{pi.id}:close:{owner}"
        if not outbox.already_enqueued(s, key):
            text, blocks = render.actual_dm(pi, mine)
            outbox.post(s, channel=owner, team_id=pi.team_id, text=text, blocks=blocks, now=now, dedupe_key=key)
    return sorted(owners)


def _require_closer(pi: ProgramIncrement, actor: str, is_admin: Callable[[], bool]) -> None:
    """The PI's creator, or an admin (RITUALBOT_ADMINS, a workspace admin): a creator who left must
    not leave the PI open for ever."""
    if actor != pi.created_by and not is_admin():
        raise UserError(f"Only the PI's creator (<@{pi.created_by}>) or an admin can close “{pi.name}”.")


def close_now(
    s: Session, pi: ProgramIncrement, *, actor: str, is_admin: Callable[[], bool], now: datetime
) -> Predictability:
    """The creator finishes a close some owners never answered: missing actual values count as 0."""
    _require_closer(pi, actor, is_admin)
    if pi.state != "closing":
        raise UserError("Start with `/pi close`, which asks the owners for actual business value first.")
    finalize(s, pi, now)
    return result(s, pi)


def enter_actual(
    s: Session,
    objective_id: int,
    *,
    team_id: str,
    user: str,
    value: str,
    now: datetime,
    is_admin: Callable[[], bool] = business.nobody,
) -> bool:
    """Store an objective's actual business value; returns True when that completed the PI."""
    objective = service.load_objective(s, objective_id, team_id=team_id)
    pi = service.load_pi(s, objective.pi_id, team_id=team_id)
    if pi.state != "closing":
        raise UserError(f"PI “{pi.name}” is not being closed" + (" any more." if pi.state == "closed" else "."))
    business.require_scorer(pi, objective, user, is_admin, field=Block.ACTUAL_BV)
    raw = value.strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 10:
        raise UserError(
            f"Actual business value is a whole number from 0 to 10 (got “{raw[:20]}”).", field=Block.ACTUAL_BV
        )
    objective.actual_bv = int(raw)
    s.flush()
    if any(o.actual_bv is None for o in service.objectives(s, pi.id)):
        return False
    finalize(s, pi, now)
    return True


def result(s: Session, pi: ProgramIncrement) -> Predictability:
    return measure(plan.values(s, pi, service.objectives(s, pi.id, include_dropped=True)))


def history(s: Session, team_id: str, channel_id: str) -> list[History]:
    closed = s.scalars(
        select(ProgramIncrement)
        .where(
            ProgramIncrement.team_id == team_id,
            ProgramIncrement.channel_id == channel_id,
            ProgramIncrement.state == "closed",
        )
        .order_by(ProgramIncrement.end_on, ProgramIncrement.id)
    )
    return [History(p.name, result(s, p).percent) for p in closed]


def finalize(s: Session, pi: ProgramIncrement, now: datetime) -> None:
    pi.state, pi.closed_at = "closed", now
    s.flush()
    figure = result(s, pi)
    text, blocks = render.report(pi, service.objectives(s, pi.id, include_dropped=True), figure, plan.note(s, pi))
    row = outbox.post(
        s,
        channel=pi.channel_id,
        team_id=pi.team_id,
        text=text,
        blocks=blocks,
        now=now,
        ref=f"pi:{pi.id}:report",
        dedupe_key=f"pi:{pi.id}:report",
    )
    log.info("pi closed pi=%s planned=%s actual=%s percent=%s", pi.id, figure.planned, figure.actual, figure.percent)
    past = history(s, pi.team_id, pi.channel_id)
    if len(past) >= 2:
        outbox.upload(
            s,
            channel=pi.channel_id,
            team_id=pi.team_id,
            filename=f"pi-predictability-{pi.id}.png",
            content=predictability_png(past),
            now=now,
            title="Predictability per PI",
            alt_text=predictability_alt_text(past),
            thread_of=row,
            dedupe_key=f"pi:{pi.id}:chart",
        )
