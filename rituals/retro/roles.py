"""Who does what in a running retro: participants' "I'm done" readiness (a count on the root, a nudge to
the facilitator when everyone is done) and handing the facilitator's role to another channel member."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from rituals.retro import phase_view, publish, service
from rituals.retro.ids import Block
from rituals.retro.models import OPEN_PHASES, Retro, RetroParticipant
from rituals.retro.queries import AdminCheck, done_count, load, participant_count, require_facilitator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    done: bool  # the caller is now marked done
    phase: str
    count: int
    of: int


def toggle_done(s: Session, retro_id: int, *, team_id: str, user: str, now: datetime) -> Readiness:
    """Mark the user done in the current phase, or not done if they were; serialized per person like a vote."""
    retro = load(s, retro_id, *phase_view.READY_PHASES, team_id=team_id)
    service.join(s, retro, user)
    service.lock_participant(s, retro, user)
    row = s.get(RetroParticipant, (retro.id, user), populate_existing=True)
    assert row is not None  # joined just above
    done = row.done_phase != retro.phase
    row.done_phase = retro.phase if done else None
    s.flush()
    count, of = done_count(s, retro.id, retro.phase), participant_count(s, retro.id)
    publish.refresh_root(s, retro, now)
    if done and count == of:
        _nudge_all_done(s, retro, count, now)
    return Readiness(done, retro.phase, count, of)


def _nudge_all_done(s: Session, retro: Retro, count: int, now: datetime) -> None:
    """One DM per phase: someone taking it back and pressing again does not nudge twice."""
    key = f"retro:{retro.id}:all_done:{retro.phase}"
    if outbox.already_enqueued(s, key):
        return
    text, blocks = phase_view.all_done_nudge(retro, retro.phase, count)
    outbox.post(
        s, channel=retro.facilitator_id, team_id=retro.team_id, text=text, blocks=blocks, now=now, dedupe_key=key
    )


def hand_over(
    s: Session,
    retro_id: int,
    *,
    team_id: str,
    actor: str,
    to: str,
    is_admin: AdminCheck,
    is_member: Callable[[str], bool],
    now: datetime,
) -> Retro:
    """Give the facilitator's role to `to`, a member of the retro's channel; by the facilitator or an admin."""
    retro = load(s, retro_id, *OPEN_PHASES, team_id=team_id)
    require_facilitator(retro, actor, is_admin, "hand facilitation over")
    if not to:
        raise UserError("Pick the person who takes over facilitation.", field=Block.FACILITATOR)
    if to == retro.facilitator_id:
        raise UserError(f"That person already facilitates “{retro.title}”.", field=Block.FACILITATOR)
    if not is_member(to):  # a modal's field error is plain text: no mentions that would show as ids
        raise UserError(
            "That person is not a member of the retro's channel, so they cannot facilitate it. "
            "Add them to the channel first, or pick a member.",
            field=Block.FACILITATOR,
        )
    old, retro.facilitator_id = retro.facilitator_id, to
    s.flush()
    publish.post_note(s, retro, phase_view.handed_over(old, to, actor), now)
    outbox.post(
        s,
        channel=to,
        team_id=retro.team_id,
        text=phase_view.new_facilitator_dm(retro),
        now=now,
    )
    publish.refresh_root(s, retro, now)
    log.info("retro handover retro=%s", retro.id)
    return retro
