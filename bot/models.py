"""Tables the wiring owns: the outbox, job claims, processed events, the scheduler's job store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, utcnow_default


class OutboxMessage(Base):
    """A Web API call the bot owes Slack: written in the same transaction as the change that
    caused it, delivered later by bot.sender.OutboxSender.

    status: pending -> sending (claimed by `lease_owner` until `locked_until`, renewed by its heartbeat)
    -> sent | failed | superseded. `in_doubt`: an attempt may have reached Slack without an answer (a
    timeout, a 5xx, a sender that died mid-send), so the next attempt first looks for it in Slack.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    ref: Mapped[str | None] = mapped_column(String(255), index=True)
    thread_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    update_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    in_doubt: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow_default)
    sent_at: Mapped[datetime | None]


class JobClaim(Base):
    """One row per (job, scope, period): whoever inserts it runs the job; everyone else skips, unless
    the runner's heartbeat went stale (it died): then the next run takes the claim over, once."""

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job", "scope", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running")
    owner: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class ProcessedEvent(Base):
    """Slack event ids already handled, so a retried delivery is processed once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow_default, index=True)


# APScheduler 3's SQLAlchemyJobStore table, declared here so migrations own it too.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", String(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
