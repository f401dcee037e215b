"""Tables of stage tickets: projects (epics), tickets mirrored from their tracker, drafts kept for
Retry, each channel's default project, the built-in key sequence, stage moves and account links."""

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
    marker: Mapped[str | None] = mapped_column(String(32))  # stable id written into the epic / milestone
    stages: Mapped[list[Any] | None]  # the project's own stage names (a template), else the workspace's
    profile: Mapped[dict[str, Any] | None]  # business target, success metric, domain, people


class Ticket(Base):
    """One stage ticket; for Jira and GitHub a local mirror that feeds the board."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("team_id", "tracker", "key"),
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
    checklist_stage: Mapped[str | None] = mapped_column(String(80))  # the checklist slot it was filed for
    stage_since: Mapped[datetime | None]
    comments: Mapped[int | None]  # the tracker's comment count, as last seen


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


class TicketKeySequence(Base):
    """The last built-in ticket number per team and prefix, taken with one atomic UPDATE."""

    __tablename__ = "ticket_key_sequences"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int]


class TicketStageMove(Base):
    """Every stage a ticket entered: filed (from_stage None), moved, or changed in its tracker."""

    __tablename__ = "ticket_stage_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey(Ticket.id, ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(80))
    to_stage: Mapped[str] = mapped_column(String(80))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class TicketAccountLink(Base):
    """`/ticket map @user <account>`: a Slack user's Jira account id or GitHub login."""

    __tablename__ = "ticket_account_links"
    __table_args__ = (UniqueConstraint("team_id", "tracker", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tracker: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(32))
    account: Mapped[str] = mapped_column(String(128))
    set_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
