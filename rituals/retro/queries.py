"""Reading a retro: the checked load every button and modal goes through, the facilitator guard, and the
tallies and lists the snapshot and the lifecycle share. Imports no other retro module but the models,
so every retro module can build on it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.retro.models import PHASE_NAMES, Retro, RetroAction, RetroItem, RetroParticipant, RetroVote

AdminCheck = Callable[[], bool]


def find(s: Session, retro_id: int, *, team_id: str) -> Retro | None:
    """A retro of this workspace, or None: another workspace's retro is never returned."""
    retro = s.get(Retro, retro_id)
    return retro if retro is not None and retro.team_id == team_id else None


def load(s: Session, retro_id: int, *phases: str, team_id: str) -> Retro:
    """The retro a button or modal refers to, in the request's workspace, refusing stale or forged
    references clearly (another workspace's retro reads as one that does not exist)."""
    retro = find(s, retro_id, team_id=team_id)
    if retro is None:
        raise UserError("That retro does not exist (any more). Start one with `/retro start`.")
    if retro.phase == "closed":
        raise UserError(
            f"“{retro.title}” is closed, so its buttons no longer change anything. "
            "Start a new retro with `/retro start`."
        )
    if retro.abandoned:
        raise UserError(f"“{retro.title}” was abandoned; the facilitator can bring it back with `/retro resume`.")
    if phases and retro.phase not in phases:
        wanted = " or ".join(PHASE_NAMES[p] for p in phases)
        raise UserError(
            f"“{retro.title}” is {PHASE_NAMES[retro.phase]} now, not {wanted}; "
            "that button belongs to another phase. Use the buttons on the latest messages."
        )
    return retro


def new_item_id(s: Session) -> int:
    """A random item id: sequential ids would tell which item came right after whose join."""
    while True:
        candidate = secrets.randbelow(2**31 - 2) + 1  # a positive 32-bit integer, as the column is
        if s.get(RetroItem, candidate) is None:
            return candidate


def require_facilitator(retro: Retro, actor: str, is_admin: AdminCheck, doing: str) -> None:
    if actor != retro.facilitator_id and not is_admin():
        raise UserError(f"Only the facilitator (<@{retro.facilitator_id}>) or a workspace admin can {doing}.")


def participant_count(s: Session, retro_id: int) -> int:
    return (
        s.scalar(select(func.count()).select_from(RetroParticipant).where(RetroParticipant.retro_id == retro_id)) or 0
    )


def done_count(s: Session, retro_id: int, phase: str) -> int:
    """How many participants said "I'm done" in this phase (rituals.retro.phases)."""
    where = (RetroParticipant.retro_id == retro_id, RetroParticipant.done_phase == phase)
    return s.scalar(select(func.count()).select_from(RetroParticipant).where(*where)) or 0


def vote_tallies(s: Session, retro_id: int) -> dict[int, int]:
    rows = s.execute(
        select(RetroVote.item_id, func.sum(RetroVote.count))
        .where(RetroVote.retro_id == retro_id)
        .group_by(RetroVote.item_id)
    ).all()
    return {item_id: int(total) for item_id, total in rows}


def items_of(s: Session, retro_id: int) -> list[RetroItem]:
    """A retro's items in id order: ids are random, so this order says nothing about who added what when."""
    return list(s.scalars(select(RetroItem).where(RetroItem.retro_id == retro_id).order_by(RetroItem.id)))


def actions_of(s: Session, retro_id: int) -> list[RetroAction]:
    return list(s.scalars(select(RetroAction).where(RetroAction.retro_id == retro_id).order_by(RetroAction.id)))


def votes_of(s: Session, retro_id: int, voter: str) -> list[tuple[RetroItem, int]]:
    """The voter's own dots on this retro's groups, in board order (only ever shown to that voter)."""
    rows = s.execute(
        select(RetroItem, RetroVote.count)
        .join(RetroVote, RetroVote.item_id == RetroItem.id)
        .where(RetroVote.retro_id == retro_id, RetroVote.voter_id == voter)
        .order_by(RetroItem.id)
    ).all()
    return [(item, count) for item, count in rows]
