"""Standup tables: the setup, its members (with their Slack timezone), each member's entry per day,
the day's channel messages, blockers that carry over, and away periods."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base

POST_MODES = ("thread", "summary")
ENTRY_STATES = ("asked", "answered", "skipped", "away", "holiday", "status")


class Standup(Base):
    __tablename__ = "standups"
    __table_args__ = (Index("ix_standups_team_id_channel_id", "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(32))
    questions: Mapped[list[Any]]
    blocker_index: Mapped[int | None]
    days: Mapped[list[Any]]  # ISO weekdays, Monday = 1
    ask_time: Mapped[str] = mapped_column(String(5))
    digest_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    reminder_minutes: Mapped[int | None]
    post_mode: Mapped[str] = mapped_column(String(16), default="thread")
    everyone: Mapped[bool] = mapped_column(default=False)
    holidays: Mapped[list[Any]]
    paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]  # deleted: kept for history, asked and listed no more


class StandupMember(Base):
    __tablename__ = "standup_members"
    __table_args__ = (UniqueConstraint("standup_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(120))  # Slack display name, for digests that do not ping
    active: Mapped[bool] = mapped_column(default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(64))


class StandupEntry(Base):
    """One member's standup for one day (the member's local date when asked)."""

    __tablename__ = "standup_entries"
    __table_args__ = (UniqueConstraint("standup_id", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="asked")
    questions: Mapped[list[Any]]  # the question set the ask was sent with
    blocker_index: Mapped[int | None]  # which of those is the blocker question
    blocked: Mapped[bool | None]  # the blocker answer's shape: no / yes (None: not answered)
    answers: Mapped[list[Any]]
    sources: Mapped[dict[str, Any]]  # DM message ts -> question index, so edits find their answer
    asked_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    ask_message_id: Mapped[int | None]
    posted_message_id: Mapped[int | None]
    updated_at: Mapped[datetime]
    suggested: Mapped[str | None] = mapped_column(Text)  # evidence for the first answer, computed at ask time


class StandupDay(Base):
    """The channel messages of one standup day: the answers' thread parent and the digest."""

    __tablename__ = "standup_days"
    __table_args__ = (UniqueConstraint("standup_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    thread_message_id: Mapped[int | None]
    digest_message_id: Mapped[int | None]
    digest_posted_at: Mapped[datetime | None]


class StandupBlocker(Base):
    __tablename__ = "standup_blockers"

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("standup_entries.id", ondelete="SET NULL"), unique=True)
    user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    raised_on: Mapped[date]
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(String(32))
    ticket_origin_ts: Mapped[str | None] = mapped_column(String(32))  # the message a ticket was filed from
    ticket_id: Mapped[int | None]  # the stage ticket filed for it (tickets.id), once found


class StandupAway(Base):
    """A member away from every standup of the workspace from `start` to `end` (inclusive)."""

    __tablename__ = "standup_away"
    __table_args__ = (Index("ix_standup_away_team_id_user_id", "team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    start: Mapped[date]
    end: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
