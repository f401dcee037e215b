"""Tables of stage tickets: projects (epics), tickets mirrored from their tracker, drafts kept for
Retry, and each channel's default project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class TicketProject(Base):
    """A data-science project (an epic in Jira, a milestone in GitHub)."""

    __tablename__ = "ticket_projects"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    tracker: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str | None] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Ticket(Base):
    """One stage ticket; for Jira and GitHub a local mirror that feeds the board."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_tickets_team_id_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_projects.id", ondelete="SET NULL"), index=True)
    tracker: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    number: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str | None] = mapped_column(String(32), index=True)
    labels: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    origin_channel: Mapped[str | None] = mapped_column(String(32))
    origin_ts: Mapped[str | None] = mapped_column(String(32))
    draft_id: Mapped[str | None] = mapped_column(String(32))


class TicketDraft(Base):
    """What the user asked for, kept until a tracker accepts it so Retry needs no retyping."""

    __tablename__ = "ticket_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    uncertain: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(String(500))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TicketChannelDefault(Base):
    """`/ticket default <project>`: preselected in this channel's modal."""

    __tablename__ = "ticket_channel_defaults"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int] = mapped_column(ForeignKey("ticket_projects.id", ondelete="CASCADE"))
    set_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
