"""The outbox's lease protocol in the database. A sender claims a due row with one conditional UPDATE
(status pending -> sending, `lease_owner`, `locked_until` a few seconds ahead), renews the lease while the
call is in flight, and writes the outcome only while it still holds the row. A row whose lease ran out
(its sender died) is due again and is taken over *in doubt*: its post may have reached Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import OutboxMessage

Lane = tuple[str | None, str]  # (workspace, conversation): rows of one lane go in order, one at a time


@dataclass(frozen=True)
class Claimed:
    """A row this sender holds the lease of, with its payload resolved (thread parent, edit target)."""

    id: int
    team_id: str | None
    method: str
    payload: dict[str, Any]
    in_doubt: bool
    created_at: datetime
    attempts: int
    taken_from: str | None  # the sender whose lease ran out, on a takeover


@dataclass(frozen=True)
class NotNow:
    """The row was not claimed: `deferred` (waits for its parent or a rate limit), `failed` (its parent
    failed), `superseded` (a later edit replaces it), or `held` (another sender has it)."""

    outcome: str
    error: str | None = None


class _Wait(Exception):
    pass


class _ParentFailed(Exception):
    pass


def due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now),
    )


def due_lanes(database: Database, now: datetime, batch: int) -> dict[Lane, list[int]]:
    """Due row ids by lane, oldest first. An edit (no channel of its own) gets the lane of its target id.
    Pending edits of a message that a later due edit replaces are superseded here, in one statement,
    instead of being claimed one by one (a busy retro board queues an edit per vote)."""
    with database.session() as s:
        rows = s.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.team_id,
                OutboxMessage.payload,
                OutboxMessage.update_of_id,
                OutboxMessage.status,
            )
            .where(due(now))
            .order_by(OutboxMessage.id)
            .limit(batch)
        ).all()
        newest: dict[int, int] = {}
        for row_id, _, _, update_of_id, _ in rows:
            if update_of_id is not None:
                newest[update_of_id] = row_id  # ordered by id: the last one wins
        stale = [r[0] for r in rows if r[3] is not None and r[4] == "pending" and newest[r[3]] != r[0]]
        if stale:
            s.execute(
                sql_update(OutboxMessage)
                .where(OutboxMessage.id.in_(stale), OutboxMessage.status == "pending")
                .values(status="superseded", locked_until=None)
                .execution_options(synchronize_session=False)
            )
    lanes: dict[Lane, list[int]] = {}
    skip = set(stale)
    for row_id, team_id, payload, update_of_id, _ in rows:
        if row_id in skip:
            continue
        where = payload.get("channel") or payload.get("user_id") or f"#{update_of_id or row_id}"
        lanes.setdefault((team_id, str(where)), []).append(row_id)
    return lanes


def claim(
    database: Database,
    row_id: int,
    now: datetime,
    *,
    owner: str,
    lease: timedelta,
    rate_limited: Callable[[str | None, str], bool],
) -> Claimed | NotNow:
    with database.session() as s:
        row = s.get(OutboxMessage, row_id)
        if row is None or row.status not in ("pending", "sending"):
            return NotNow("held")
        if rate_limited(row.team_id, row.method):
            return NotNow("deferred")
        holder = row.lease_owner if row.status == "sending" else None
        if not _take(s, row_id, now, owner, lease):
            return NotNow("held")
        row = s.get(OutboxMessage, row_id, populate_existing=True)
        assert row is not None
        try:
            payload = _resolve(s, row)
        except _Wait:
            row.status, row.attempts, row.next_attempt_at, row.locked_until = "pending", row.attempts - 1, now, None
            return NotNow("deferred")
        except _ParentFailed as exc:
            row.status, row.locked_until, row.last_error = "failed", None, str(exc)
            return NotNow("failed", str(exc))
        if payload is None:
            row.status, row.locked_until = "superseded", None
            return NotNow("superseded")
        return Claimed(row.id, row.team_id, row.method, payload, row.in_doubt, row.created_at, row.attempts, holder)


def _take(s: Session, row_id: int, now: datetime, owner: str, lease: timedelta) -> bool:
    """Claim a due row, or take over one whose lease ran out, marking it in doubt."""
    claim = (
        sql_update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status="sending", locked_until=now + lease, lease_owner=owner, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    fresh = s.execute(claim.where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now))
    taken = getattr(fresh, "rowcount", 0) == 1
    if not taken:
        stale = claim.where(OutboxMessage.status == "sending", OutboxMessage.locked_until < now)
        taken = getattr(s.execute(stale.values(in_doubt=True)), "rowcount", 0) == 1
    s.commit()
    return taken


def _resolve(s: Session, row: OutboxMessage) -> dict[str, Any] | None:
    payload = dict(row.payload)
    if row.thread_of_id:
        parent = s.get(OutboxMessage, row.thread_of_id)
        if parent is None or parent.status == "failed":
            raise _ParentFailed("thread parent message failed to deliver")
        if parent.status != "sent":
            raise _Wait()
        payload.setdefault("thread_ts", parent.ts)
        payload.setdefault("channel", parent.channel)
    if row.update_of_id:
        target = s.get(OutboxMessage, row.update_of_id)
        if target is None or target.status == "failed":
            raise _ParentFailed("the message to update failed to deliver")
        if target.status != "sent":
            raise _Wait()
        newer = s.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.update_of_id == row.update_of_id,
                OutboxMessage.id > row.id,
                OutboxMessage.status != "failed",
            )
            .limit(1)
        )
        if newer is not None:
            return None  # a later edit of the same message replaces this one (or already did)
        payload.update(channel=target.channel, ts=target.ts)
    return payload


def _held_by(owner: str, ids: list[int]) -> ColumnElement[bool]:
    return and_(OutboxMessage.id.in_(ids), OutboxMessage.status == "sending", OutboxMessage.lease_owner == owner)


def renew(database: Database, ids: list[int], owner: str, until: datetime) -> int:
    """The heartbeat: move the lease of the rows `owner` is sending to `until`; returns how many."""
    with database.session() as s:
        renewed = s.execute(
            sql_update(OutboxMessage)
            .where(_held_by(owner, ids))
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(renewed, "rowcount", 0))


def note(database: Database, row_id: int, owner: str, payload: dict[str, Any]) -> bool:
    """Keep what an attempt learnt (an upload's file id) in the payload of a row `owner` still holds."""
    with database.session() as s:
        done = s.execute(
            sql_update(OutboxMessage)
            .where(_held_by(owner, [row_id]))
            .values(payload=payload)
            .execution_options(synchronize_session=False)
        )
    return getattr(done, "rowcount", 0) == 1


def record(database: Database, row_id: int, owner: str, values: dict[str, Any]) -> bool:
    """Write an outcome if `owner` still holds the row (after a takeover, the new holder re-checks it)."""
    with database.session() as s:
        done = s.execute(
            sql_update(OutboxMessage)
            .where(_held_by(owner, [row_id]))
            .values(locked_until=None, **values)
            .execution_options(synchronize_session=False)
        )
    return getattr(done, "rowcount", 0) == 1


def park(database: Database, team_id: str | None, now: datetime, *, until: datetime | None) -> None:
    """Move a paused workspace's pending rows to `until` (out of every sender's due rows), or bring them
    back now (until=None) when it resumes."""
    team = OutboxMessage.team_id.is_(None) if team_id is None else OutboxMessage.team_id == team_id
    when = OutboxMessage.next_attempt_at < until if until else OutboxMessage.next_attempt_at > now
    with database.session() as s:
        s.execute(
            sql_update(OutboxMessage)
            .where(team, OutboxMessage.status == "pending", when)
            .values(next_attempt_at=until or now)
            .execution_options(synchronize_session=False)
        )


def next_due_at(database: Database) -> datetime | None:
    with database.session() as s:
        return s.scalar(
            select(OutboxMessage.next_attempt_at)
            .where(OutboxMessage.status == "pending")
            .order_by(OutboxMessage.next_attempt_at)
            .limit(1)
        )
