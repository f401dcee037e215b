"""Where retro messages go: the root message in the channel, everything else in its thread, via the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot import outbox
from bot.models import OutboxMessage
from rituals.retro import action_tickets, render, render_groups
from rituals.retro.boards import BUILT_IN
from rituals.retro.models import Retro, RetroAction, RetroItem
from rituals.retro.snapshot import Snapshot, take

DELIVERED = ("sent", "failed", "superseded")  # finished edits; a pending or in-flight one stays


def snapshot(s: Session, retro: Retro) -> Snapshot:
    board = BUILT_IN.get(retro.template_key)
    return take(s, retro, board.name if board else retro.template_key)


def root_ref(retro: Retro) -> str:
    return f"retro:{retro.id}:root"


def review_ref(retro: Retro) -> str:
    return f"retro:{retro.id}:review"


def root_row(s: Session, retro: Retro) -> OutboxMessage:
    row = outbox.find_by_ref(s, root_ref(retro))
    if row is None:
        raise RuntimeError(f"retro {retro.id} has no root message")
    return row


def post_root(s: Session, retro: Retro, now: datetime) -> OutboxMessage:
    text, blocks = render.root(snapshot(s, retro))
    return outbox.post(
        s, channel=retro.channel_id, team_id=retro.team_id, text=text, blocks=blocks, now=now, ref=root_ref(retro)
    )


def refresh_root(s: Session, retro: Retro, now: datetime) -> None:
    """Edit the root to the retro's current state, forgetting the earlier edits Slack already has: a
    trail of dated counts ("1 participant", then "To improve: 1") would tell who added what."""
    root = root_row(s, retro)
    s.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.update_of_id == root.id, OutboxMessage.status.in_(DELIVERED))
        .execution_options(synchronize_session=False)
    )
    text, blocks = render.root(snapshot(s, retro))
    outbox.update(s, root, text=text, blocks=blocks, now=now)


def _thread(
    s: Session, retro: Retro, message: tuple[str, list], now: datetime, ref: str | None = None
) -> OutboxMessage:
    text, blocks = message
    return outbox.post(
        s,
        channel=retro.channel_id,
        team_id=retro.team_id,
        text=text,
        blocks=blocks,
        now=now,
        thread_of=root_row(s, retro),
        ref=ref,
    )


def post_reveal(s: Session, retro: Retro, now: datetime) -> None:
    _thread(s, retro, render.reveal(snapshot(s, retro)), now)


def post_groups(s: Session, retro: Retro, now: datetime) -> None:
    _thread(s, retro, render_groups.groups(snapshot(s, retro)), now)


def post_ballot(s: Session, retro: Retro, now: datetime) -> None:
    _thread(s, retro, render.ballot(snapshot(s, retro)), now, ref=f"retro:{retro.id}:ballot")


def post_results(s: Session, retro: Retro, now: datetime) -> None:
    _thread(s, retro, render.results(snapshot(s, retro)), now)


def post_discussion(s: Session, retro: Retro, now: datetime) -> None:
    _thread(s, retro, render.discussion(snapshot(s, retro)), now)


def post_action(s: Session, retro: Retro, action: RetroAction, now: datetime) -> None:
    _thread(s, retro, render.action_posted(action), now, ref=action_tickets.action_ref(retro.id, action.id))


def post_health_invite(s: Session, retro: Retro, message: tuple[str, list], now: datetime) -> None:
    _thread(s, retro, message, now, ref=f"retro:{retro.id}:health")


def post_note(s: Session, retro: Retro, text: str, now: datetime) -> None:
    _thread(s, retro, (text, []), now)


def post_reminder(s: Session, retro: Retro, now: datetime) -> None:
    text = render.reminder(retro)
    _thread(s, retro, (text, []), now, ref=f"retro:{retro.id}:reminder")


def post_owner_dm(s: Session, retro: Retro, owner: str, actions: list[RetroAction], now: datetime) -> None:
    text, blocks = render.owner_dm(retro, actions)
    outbox.post(
        s,
        channel=owner,
        team_id=retro.team_id,
        text=text,
        blocks=blocks,
        now=now,
        dedupe_key=f"retro:{retro.id}:dm:{owner}",
    )


def post_due_reminder(s: Session, retro: Retro, action: RetroAction, now: datetime) -> None:
    assert action.due_on is not None
    text, blocks = render.due_reminder(retro, action)
    outbox.post(
        s,
        channel=action.owner_id,
        team_id=retro.team_id,
        text=text,
        blocks=blocks,
        now=now,
        dedupe_key=f"retro:action:{action.id}:due:{action.due_on.isoformat()}",
    )


def _titles(s: Session, actions: list[RetroAction]) -> dict[int, str]:
    return {rid: r.title for rid in {a.retro_id for a in actions} if (r := s.get(Retro, rid)) is not None}


def post_review(
    s: Session,
    retro: Retro,
    actions: list[RetroAction],
    carried: list[RetroItem],
    parked: list[RetroItem],
    now: datetime,
) -> None:
    text_blocks = render.review(retro, actions, _titles(s, actions), carried, parked, action_tickets.states(s, actions))
    _thread(s, retro, text_blocks, now, ref=review_ref(retro))


def update_review(
    s: Session,
    retro: Retro,
    actions: list[RetroAction],
    carried: list[RetroItem],
    parked: list[RetroItem],
    now: datetime,
) -> None:
    row = outbox.find_by_ref(s, review_ref(retro))
    if row is None:
        return
    text, blocks = render.review(
        retro, actions, _titles(s, actions), carried, parked, action_tickets.states(s, actions)
    )
    outbox.update(s, row, text=text, blocks=blocks, now=now)
