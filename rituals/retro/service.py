"""A retro's lifecycle: start, phase moves (facilitator only), settings, abandon/resume, history.

All state lives in the database, so a retro survives restarts and can be resumed days later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.retro import followup, publish, render
from rituals.retro.boards import Board
from rituals.retro.ids import Block
from rituals.retro.models import OPEN_PHASES, PHASE_NAMES, Retro, RetroParticipant
from rituals.retro.queries import AdminCheck, items_of, load, require_facilitator, vote_tallies

log = logging.getLogger(__name__)

NEXT_PHASE = {"collect": "group", "group": "vote", "vote": "discuss"}


def start_retro(
    s: Session, *, team_id: str, channel_id: str, facilitator: str, board: Board, title: str, now: datetime
) -> Retro:
    running = current_retro(s, team_id, channel_id)
    if running is not None:
        raise UserError(
            f"A retro is already running in this channel (“{running.title}”, "
            f"{PHASE_NAMES[running.phase]}). Finish it, or `/retro abandon` it first."
        )
    previous = s.scalars(
        select(Retro)
        .where(Retro.team_id == team_id, Retro.channel_id == channel_id, Retro.phase == "closed")
        .order_by(Retro.id.desc())
        .limit(1)
    ).first()
    retro = Retro(
        team_id=team_id,
        channel_id=channel_id,
        title=title[:200],
        template_key=board.key,
        columns=board.column_dicts(),
        facilitator_id=facilitator,
        phase="collect",
        abandoned=False,
        visible_while_collecting=False,
        votes_per_person=3,
        discuss_order=[],
        discuss_pos=-1,
        previous_id=previous.id if previous else None,
        created_at=now,
    )
    s.add(retro)
    s.flush()
    carried = followup.carry_over(s, retro, previous)
    publish.post_root(s, retro, now)
    followup.post_review(s, retro, now, carried)
    log.info("retro started retro=%s channel=%s template=%s", retro.id, channel_id, board.key)
    return retro


def current_retro(s: Session, team_id: str, channel_id: str) -> Retro | None:
    return s.scalars(
        select(Retro)
        .where(
            Retro.team_id == team_id,
            Retro.channel_id == channel_id,
            Retro.phase.in_(OPEN_PHASES),
            Retro.abandoned.is_(False),
        )
        .order_by(Retro.id.desc())
        .limit(1)
    ).first()


_PARTICIPANTS = cast(Table, RetroParticipant.__table__)
# built once (composing a statement per click cost more than running it); values come with each execute
_JOIN = {
    "postgresql": postgresql.insert(_PARTICIPANTS).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(_PARTICIPANTS).on_conflict_do_nothing(),
}
_JOIN_PG = postgresql.insert(_PARTICIPANTS)
# an insert that on conflict sets the row to itself: the row is locked either way
_JOIN_LOCKED_PG = _JOIN_PG.on_conflict_do_update(
    index_elements=["retro_id", "user_id"], set_={"user_id": _JOIN_PG.excluded.user_id}
)


def join(s: Session, retro: Retro, user_id: str) -> bool:
    """Count the user as a participant; True when they are new. Safe against simultaneous clicks (an
    insert that does nothing on conflict). The root message is not edited here: an edit right at a
    join would date it, and the next item or phase refreshes the count anyway."""
    values = {"retro_id": retro.id, "user_id": user_id}
    stmt: Any = _JOIN.get(s.get_bind().dialect.name)
    if stmt is None:  # pragma: no cover - the two databases ritualbot supports are above
        if s.get(RetroParticipant, (retro.id, user_id)) is not None:
            return False
        stmt = insert(_PARTICIPANTS)
    return bool(cast(CursorResult[Any], s.execute(stmt, values)).rowcount)


def join_locked(s: Session, retro: Retro, user_id: str) -> None:
    """`join`, then hold the participant's row until commit (`lock_participant`), in one statement on
    PostgreSQL."""
    if s.get_bind().dialect.name != "postgresql":
        join(s, retro, user_id)
        lock_participant(s, retro, user_id)
        return
    s.execute(_JOIN_LOCKED_PG, {"retro_id": retro.id, "user_id": user_id})


def lock_participant(s: Session, retro: Retro, user_id: str) -> None:
    """Hold the participant's row until commit: PostgreSQL locks it; SQLite's writer lock is already
    held since the join's insert (and SQLite has no FOR UPDATE), so later clicks of the same person
    wait for this one."""
    if s.get_bind().dialect.name == "sqlite":
        return
    s.execute(
        select(RetroParticipant.user_id)
        .where(RetroParticipant.retro_id == retro.id, RetroParticipant.user_id == user_id)
        .with_for_update()
    )


def advance(
    s: Session, retro_id: int, *, team_id: str, from_phase: str, actor: str, is_admin: AdminCheck, now: datetime
) -> Retro:
    """Move from `from_phase` to the next one (the button says which phase it was pressed in)."""
    retro = load(s, retro_id, from_phase, team_id=team_id)
    require_facilitator(retro, actor, is_admin, f"end {PHASE_NAMES[from_phase]}")
    _advance(s, retro, now)
    return retro


def _advance(s: Session, retro: Retro, now: datetime) -> None:
    if retro.phase == "collect" and not items_of(s, retro.id):
        raise UserError("Nobody has added an item yet: there is nothing to reveal. Ask the team to press *Add item*.")
    retro.phase = NEXT_PHASE[retro.phase]
    s.flush()
    if retro.phase == "group":
        publish.post_reveal(s, retro, now)
    elif retro.phase == "vote":
        publish.post_ballot(s, retro, now)
    elif retro.phase == "discuss":
        retro.discuss_order = discussion_order(s, retro.id)
        retro.discuss_pos = 0
        publish.post_results(s, retro, now)
        publish.post_discussion(s, retro, now)
    publish.refresh_root(s, retro, now)
    log.info("retro phase retro=%s phase=%s", retro.id, retro.phase)


def move_on_by_deadline(s: Session, retro: Retro, now: datetime) -> bool:
    """The collection deadline passed: move to grouping as if the facilitator had pressed Reveal. With no
    item yet there is nothing to reveal: the deadline is cleared (the board shows none) and the thread says so."""
    if retro.phase != "collect" or retro.abandoned:
        return False
    if not items_of(s, retro.id):
        retro.deadline_at = None
        publish.post_note(s, retro, render.deadline_without_items(retro), now)
        publish.refresh_root(s, retro, now)
        return False
    _advance(s, retro, now)
    return True


def next_item(
    s: Session, retro_id: int, *, team_id: str, position: int, actor: str, is_admin: AdminCheck, now: datetime
) -> Retro:
    retro = load(s, retro_id, "discuss", team_id=team_id)
    require_facilitator(retro, actor, is_admin, "move to the next item")
    if position != retro.discuss_pos:
        raise UserError("The discussion has already moved past that item.")
    _mark_discussed(s, retro)
    if retro.discuss_pos + 1 >= len(retro.discuss_order):
        raise UserError("That was the last item. Press *Close retro* on the retro's main message to finish.")
    retro.discuss_pos += 1
    publish.post_discussion(s, retro, now)
    publish.refresh_root(s, retro, now)
    return retro


def close(s: Session, retro_id: int, *, team_id: str, actor: str, is_admin: AdminCheck, now: datetime) -> Retro:
    retro = load(s, retro_id, "discuss", team_id=team_id)
    require_facilitator(retro, actor, is_admin, "close the retro")
    _mark_discussed(s, retro)
    retro.phase, retro.closed_at = "closed", now
    s.flush()
    publish.refresh_root(s, retro, now)
    followup.notify_owners(s, retro, now)
    log.info("retro closed retro=%s", retro.id)
    return retro


def _mark_discussed(s: Session, retro: Retro) -> None:
    if 0 <= retro.discuss_pos < len(retro.discuss_order):
        lead_id = retro.discuss_order[retro.discuss_pos]
        for item in items_of(s, retro.id):
            if item.id == lead_id or item.group_id == lead_id:
                item.discussed = True


def discussion_order(s: Session, retro_id: int) -> list[int]:
    """Groups by total votes, most first (ties: the earlier item first); unvoted groups only if none got votes."""
    return rank([i.id for i in items_of(s, retro_id) if i.group_id is None], vote_tallies(s, retro_id))


def rank(leads: list[int], tallies: dict[int, int]) -> list[int]:
    voted = [lead for lead in leads if tallies.get(lead, 0) > 0] or sorted(leads)
    return sorted(voted, key=lambda lead: (-tallies.get(lead, 0), lead))


@dataclass(frozen=True)
class Settings:
    votes_per_person: int
    visible_while_collecting: bool
    deadline_hours: int | None


def configure(
    s: Session, retro_id: int, wanted: Settings, *, team_id: str, actor: str, is_admin: AdminCheck, now: datetime
) -> Retro:
    retro = load(s, retro_id, team_id=team_id)
    require_facilitator(retro, actor, is_admin, "change the retro's settings")
    if not 1 <= wanted.votes_per_person <= 20:
        raise UserError("Votes per person must be a whole number from 1 to 20.", field=Block.VOTES)
    if retro.phase not in ("collect", "group") and wanted.votes_per_person != retro.votes_per_person:
        raise UserError("Voting has started, so the number of votes can no longer change.", field=Block.VOTES)
    retro.votes_per_person = wanted.votes_per_person
    retro.visible_while_collecting = wanted.visible_while_collecting
    if wanted.deadline_hours is not None:
        if retro.phase != "collect":
            raise UserError("Collection is already over, so a deadline no longer applies.", field=Block.DEADLINE)
        retro.deadline_at = now + timedelta(hours=wanted.deadline_hours) if wanted.deadline_hours else None
    publish.refresh_root(s, retro, now)
    return retro


def abandon(s: Session, team_id: str, channel_id: str, *, actor: str, is_admin: AdminCheck, now: datetime) -> Retro:
    retro = current_retro(s, team_id, channel_id)
    if retro is None:
        raise UserError("No retro is running in this channel.")
    require_facilitator(retro, actor, is_admin, "abandon the retro")
    retro.abandoned = True
    publish.refresh_root(s, retro, now)
    return retro


def resume(s: Session, team_id: str, channel_id: str, *, actor: str, is_admin: AdminCheck, now: datetime) -> Retro:
    if current_retro(s, team_id, channel_id) is not None:
        raise UserError("A retro is already running in this channel.")
    retro = s.scalars(
        select(Retro)
        .where(
            Retro.team_id == team_id,
            Retro.channel_id == channel_id,
            Retro.abandoned.is_(True),
            Retro.phase.in_(OPEN_PHASES),
        )
        .order_by(Retro.id.desc())
        .limit(1)
    ).first()
    if retro is None:
        raise UserError("There is no abandoned retro in this channel to resume. Start one with `/retro start`.")
    require_facilitator(retro, actor, is_admin, "resume the retro")
    retro.abandoned = False
    publish.refresh_root(s, retro, now)
    return retro


def history(s: Session, team_id: str, channel_id: str, limit: int = 20) -> list[Retro]:
    return list(
        s.scalars(
            select(Retro)
            .where(Retro.team_id == team_id, Retro.channel_id == channel_id)
            .order_by(Retro.id.desc())
            .limit(limit)
        )
    )
