"""The fist-of-five confidence vote: private ballots that can change while open, a live count on the
message, and on close the distribution, the average and (when confidence is low) a prompt in the thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import UserError
from rituals.pi import render, scope
from rituals.pi.models import Ballot, ConfidenceVote, ProgramIncrement


@dataclass(frozen=True)
class Tally:
    count: int
    distribution: dict[int, int]
    average: Decimal | None
    low: bool  # an average below 3 or any 1–2 vote: ask what would raise confidence


def tally(scores: list[int]) -> Tally:
    distribution = {n: scores.count(n) for n in range(1, 6)}
    if not scores:
        return Tally(0, distribution, None, False)
    average = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Tally(len(scores), distribution, average, average < 3 or min(scores) <= 2)


def ref(vote: ConfidenceVote) -> str:
    return f"pi:vote:{vote.id}"


def start(s: Session, pi: ProgramIncrement, *, facilitator: str, now: datetime) -> ConfidenceVote:
    if s.scalar(select(ConfidenceVote.id).where(ConfidenceVote.pi_id == pi.id, ConfidenceVote.is_open)) is not None:
        raise UserError("A confidence vote is already open for this PI; close it with its *Close vote* button first.")
    vote = ConfidenceVote(pi_id=pi.id, facilitator_id=facilitator, is_open=True, created_at=now)
    s.add(vote)
    s.flush()
    text, blocks = render.vote_message(pi, vote, tally([]))
    outbox.post(s, channel=pi.channel_id, team_id=pi.team_id, text=text, blocks=blocks, now=now, ref=ref(vote))
    return vote


def load_vote(s: Session, vote_id: int, *, team_id: str) -> ConfidenceVote:
    """A confidence vote of this workspace; another workspace's reads as missing."""
    return scope.vote(s, vote_id, team_id=team_id)[0]


def _open_vote(s: Session, vote_id: int, team_id: str) -> tuple[ConfidenceVote, ProgramIncrement]:
    vote, pi = scope.vote(s, vote_id, team_id=team_id)
    if not vote.is_open:
        raise UserError("This confidence vote is closed; the result is on the message.")
    return vote, pi


def scores(s: Session, vote_id: int) -> list[int]:
    return list(s.scalars(select(Ballot.score).where(Ballot.vote_id == vote_id)))


def cast(s: Session, vote_id: int, *, team_id: str, user: str, score: int, now: datetime) -> bool:
    """Record or change a member's vote; returns True when it replaced an earlier one."""
    if not 1 <= score <= 5:
        raise UserError("A confidence vote is a fist of five: 1 to 5.")
    vote, pi = _open_vote(s, vote_id, team_id)
    ballot = s.get(Ballot, (vote.id, user))
    changed = ballot is not None
    if ballot is None:
        s.add(Ballot(vote_id=vote.id, user_id=user, score=score))
    else:
        ballot.score = score
    s.flush()
    _refresh(s, pi, vote, now)
    return changed


def close(s: Session, vote_id: int, *, team_id: str, actor: str, is_admin: Callable[[], bool], now: datetime) -> Tally:
    vote, pi = _open_vote(s, vote_id, team_id)
    if actor != vote.facilitator_id and not is_admin():
        raise UserError(f"Only the facilitator (<@{vote.facilitator_id}>) or an admin can close this vote.")
    vote.is_open, vote.closed_at = False, now
    result = _refresh(s, pi, vote, now)
    if result.low:
        row = outbox.find_by_ref(s, ref(vote))
        text = render.confidence_prompt(result)
        outbox.post(s, channel=pi.channel_id, team_id=pi.team_id, text=text, now=now, thread_of=row)
    return result


def _refresh(s: Session, pi: ProgramIncrement, vote: ConfidenceVote, now: datetime) -> Tally:
    result = tally(scores(s, vote.id))
    row = outbox.find_by_ref(s, ref(vote))
    if row is not None:
        text, blocks = render.vote_message(pi, vote, result)
        outbox.update(s, row, text=text, blocks=blocks, now=now)
    return result


def last_average(s: Session, pi_id: int) -> Decimal | None:
    vote = s.scalars(
        select(ConfidenceVote)
        .where(ConfidenceVote.pi_id == pi_id, ConfidenceVote.is_open.is_(False))
        .order_by(ConfidenceVote.id.desc())
        .limit(1)
    ).first()
    return tally(scores(s, vote.id)).average if vote else None
