"""The outbox's lease protocol in the database. A sender claims a round's due rows with one conditional
UPDATE in one commit (status pending -> sending, `lease_owner`, `locked_until` a few seconds ahead). On
PostgreSQL the rows are first locked with FOR NO KEY UPDATE SKIP LOCKED: two senders never wait on or take
the same row, and a request inserting a reply or an edit that references a claimed row does not wait. The
lease is renewed while the calls are in flight, and a lane's outcomes are written in one commit, only for
rows the sender still holds. A row whose lease ran out (its sender died, or died between the claim and the
outcome) is due again and is taken over *in doubt*: its post may have reached Slack, so it is looked up
before any resend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import OutboxMessage

Lane = tuple[str | None, str]  # (workspace, conversation): rows of one lane go in order, one at a time


@dataclass(frozen=True)
class Claimed:
    """A row this sender holds the lease of, with its payload resolved (thread parent, edit target). A thread
    reply whose parent was claimed in the same claim `waits_for` it: its lane resolves it from the parent's
    answer when the parent goes first in that lane (the reply keeps its place in the conversation), and gives
    it back otherwise."""

    id: int
    team_id: str | None
    method: str
    payload: dict[str, Any]
    in_doubt: bool
    created_at: datetime
    attempts: int
    taken_from: str | None  # the sender whose lease ran out, on a takeover
    waits_for: int | None = None  # the thread parent's row id, claimed with it and not yet sent


@dataclass(frozen=True)
class NotNow:
    """The row was not claimed: `deferred` (waits for its parent or a rate limit), `failed` (its parent
    failed), `superseded` (a later edit replaces it), or `held` (another sender has it)."""

    outcome: str
    error: str | None = None


class _Wait(Exception):
    def __init__(self, parent: int | None = None) -> None:
        super().__init__(parent)
        self.parent = parent  # the thread parent waited for (None: an edit's target)


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
    ids: list[int],
    now: datetime,
    *,
    owner: str,
    lease: timedelta,
    rate_limited: Callable[[str | None, str], bool],
) -> tuple[list[Claimed], list[NotNow]]:
    """Claim the due rows among `ids` (several lanes' rows at once) in one transaction and one commit: the
    rows are locked and skipped when another sender's claim holds them (FOR NO KEY UPDATE SKIP LOCKED on
    PostgreSQL; SQLite has one writer), moved to `sending` by one conditional UPDATE (a row whose lease ran
    out is taken over in doubt), and resolved (thread parent, edit target). Returns the claimed rows in id
    order and what happened to the others that are not simply held elsewhere."""
    with database.session() as s:
        query = (
            select(
                OutboxMessage.id,
                OutboxMessage.team_id,
                OutboxMessage.method,
                OutboxMessage.status,
                OutboxMessage.lease_owner,
            )
            .where(OutboxMessage.id.in_(ids), due(now))
            .order_by(OutboxMessage.id)
        )
        if s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, key_share=True)
        skipped: list[NotNow] = []
        wanted: dict[int, str | None] = {}
        for row_id, team_id, method, status, holder in s.execute(query).all():
            if rate_limited(team_id, method):
                skipped.append(NotNow("deferred"))
            else:
                wanted[row_id] = holder if status == "sending" else None
        if not wanted:
            return [], skipped
        taken = s.scalars(
            sql_update(OutboxMessage)
            .where(OutboxMessage.id.in_(wanted), due(now))
            .values(
                status="sending",
                locked_until=now + lease,
                lease_owner=owner,
                attempts=OutboxMessage.attempts + 1,
                in_doubt=case((OutboxMessage.status == "sending", True), else_=OutboxMessage.in_doubt),
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
        rows = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(taken))
            .order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        ).all()
        linked = {r.thread_of_id for r in rows} | {r.update_of_id for r in rows}
        linked.discard(None)
        if linked:  # the parents and edit targets, read in one statement (s.get finds them loaded)
            s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(linked))).all()
        claimed: list[Claimed] = []
        for row in rows:
            try:
                payload = _resolve(s, row)
            except _Wait as wait:
                if wait.parent is not None and wait.parent in taken:
                    claimed.append(_claimed(row, dict(row.payload), wanted[row.id], wait.parent))
                    continue
                row.status, row.attempts, row.next_attempt_at, row.locked_until = "pending", row.attempts - 1, now, None
                skipped.append(NotNow("deferred"))
                continue
            except _ParentFailed as exc:
                row.status, row.locked_until, row.last_error = "failed", None, str(exc)
                skipped.append(NotNow("failed", str(exc)))
                continue
            if payload is None:
                row.status, row.locked_until = "superseded", None
                skipped.append(NotNow("superseded"))
                continue
            claimed.append(_claimed(row, payload, wanted[row.id]))
    return claimed, skipped


def _claimed(row: OutboxMessage, payload: dict[str, Any], holder: str | None, waits_for: int | None = None) -> Claimed:
    return Claimed(
        row.id, row.team_id, row.method, payload, row.in_doubt, row.created_at, row.attempts, holder, waits_for
    )


def with_parent(row: Claimed, channel: str | None, ts: str | None) -> Claimed:
    """A reply that waited for its parent, resolved from the parent's answer (as `_resolve` does from its row)."""
    payload = dict(row.payload)
    payload.setdefault("thread_ts", ts)
    payload.setdefault("channel", channel)
    return replace(row, payload=payload, waits_for=None)


def _resolve(s: Session, row: OutboxMessage) -> dict[str, Any] | None:
    payload = dict(row.payload)
    if row.thread_of_id:
        parent = s.get(OutboxMessage, row.thread_of_id)
        if parent is None or parent.status == "failed":
            raise _ParentFailed("thread parent message failed to deliver")
        if parent.status != "sent":
            raise _Wait(parent.id)
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


def record(database: Database, owner: str, outcomes: dict[int, dict[str, Any]]) -> set[int]:
    """Write the outcomes of rows `owner` still holds, in one transaction and one commit; returns the ids
    written (after a takeover, the new holder re-checks a row whose outcome was not written here)."""
    done: set[int] = set()
    with database.session() as s:
        for row_id, values in outcomes.items():
            written = s.execute(
                sql_update(OutboxMessage)
                .where(_held_by(owner, [row_id]))
                .values(locked_until=None, **values)
                .execution_options(synchronize_session=False)
            )
            if getattr(written, "rowcount", 0) == 1:
                done.add(row_id)
    return done


def release(database: Database, ids: list[int], owner: str, now: datetime) -> int:
    """Give back claimed rows that were not attempted (a rate limit began, the lane stopped): due again at
    once, the attempt not counted; a row taken over in doubt stays in doubt."""
    with database.session() as s:
        released = s.execute(
            sql_update(OutboxMessage)
            .where(_held_by(owner, ids))
            .values(status="pending", attempts=OutboxMessage.attempts - 1, next_attempt_at=now, locked_until=None)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(released, "rowcount", 0))


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
