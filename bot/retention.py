"""Retention: the daily job that keeps the wiring's tables small.

After `days` (ritualbot.yaml `retention.days`, RITUALBOT_RETENTION_DAYS; default 30) it deletes outbox rows
that are finished (sent, failed, superseded) unless something later still needs them: a row a pending or
kept row threads under or edits, the newest row of a `ref` (`outbox.find_by_ref`, later `outbox.update`),
a row whose `dedupe_key` stops a second post (`outbox.already_enqueued`). Those are kept until `keep_days`
(default 365), without their payload (the bulk: blocks, base64 charts) but for a ref's newest row, which
an edit may rebuild from. Processed Slack event ids and finished job claims (but the newest of each job and
scope, which `jobs.last_run` reads) go after `days`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Text, and_, cast, delete, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.config import RetentionSettings
from bot.db import Database
from bot.jobs import job
from bot.models import JobClaim, OutboxMessage, ProcessedEvent
from bot.runtime import Runtime

log = logging.getLogger(__name__)

JOB = "retention.daily"
FINISHED = ("sent", "failed", "superseded")
CHUNK = 1000


@dataclass(frozen=True)
class Purged:
    outbox_deleted: int = 0
    outbox_compacted: int = 0
    events_deleted: int = 0
    claims_deleted: int = 0


@job(JOB, description="delete old outbox rows, processed events and job claims (retention.days)")
def daily(rt: Runtime, scope: str, period: str) -> None:
    purged = purge(rt.database, rt.clock.now(), rt.settings.retention)
    log.info(
        "retention outbox_deleted=%s outbox_compacted=%s events_deleted=%s claims_deleted=%s",
        purged.outbox_deleted,
        purged.outbox_compacted,
        purged.events_deleted,
        purged.claims_deleted,
    )


def purge(database: Database, now: datetime, policy: RetentionSettings) -> Purged:
    cutoff, keep_cutoff = now - timedelta(days=policy.days), now - timedelta(days=policy.keep_days)
    deleted = _delete_outbox(database, cutoff, keep_cutoff)
    newest_claims = (
        select(func.max(JobClaim.id)).where(JobClaim.status == "done").group_by(JobClaim.job, JobClaim.scope)
    )
    old_claims = select(JobClaim.id).where(
        JobClaim.status.in_(("done", "dead")), JobClaim.finished_at < cutoff, JobClaim.id.not_in(newest_claims)
    )
    with database.session() as s:
        compacted = s.execute(  # a ref's newest row keeps its payload: an edit may rebuild from it
            update(OutboxMessage)
            .where(_finished_before(cutoff), ~_newest_of_ref(), cast(OutboxMessage.payload, Text) != "{}")
            .values(payload={})
            .execution_options(synchronize_session=False)
        )
        events = s.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        claims = s.execute(delete(JobClaim).where(JobClaim.id.in_(old_claims)))
    return Purged(
        deleted,
        int(getattr(compacted, "rowcount", 0)),
        int(getattr(events, "rowcount", 0)),
        int(getattr(claims, "rowcount", 0)),
    )


def _finished_before(cutoff: datetime) -> ColumnElement[bool]:
    return and_(OutboxMessage.status.in_(FINISHED), OutboxMessage.created_at < cutoff)


def _newest_of_ref() -> ColumnElement[bool]:
    newer = aliased(OutboxMessage)
    return and_(
        OutboxMessage.ref.is_not(None),
        ~exists().where(newer.ref == OutboxMessage.ref, newer.id > OutboxMessage.id),
    )


def _delete_outbox(database: Database, cutoff: datetime, keep_cutoff: datetime) -> int:
    """Delete in chunks, leaves first: a row goes only when no remaining row points at it, so a thread
    whose replies all go follows them in the next pass, and one with a kept reply stays."""
    referrer = aliased(OutboxMessage)
    pointed_at = exists().where(
        or_(referrer.thread_of_id == OutboxMessage.id, referrer.update_of_id == OutboxMessage.id)
    )
    needed_later = or_(OutboxMessage.dedupe_key.is_not(None), _newest_of_ref())
    deletable = (
        select(OutboxMessage.id)
        .where(_finished_before(cutoff), ~pointed_at, or_(~needed_later, OutboxMessage.created_at < keep_cutoff))
        .limit(CHUNK)
    )
    total = 0
    while True:
        with database.session() as s:
            ids = list(s.scalars(deletable))
            if not ids:
                return total
            s.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        total += len(ids)
