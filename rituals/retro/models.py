"""Retro tables. An anonymous item stores no author: only the hash of a secret its author's modal holds.

Participants carry no timestamps and items no creation time, so nothing can be joined on time
to tell who wrote an anonymous item.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base

PHASES = ("collect", "group", "vote", "discuss", "closed")
OPEN_PHASES = ("collect", "group", "vote", "discuss")
PHASE_NAMES = {
    "collect": "collecting",
    "group": "grouping",
    "vote": "voting",
    "discuss": "discussing",
    "closed": "closed",
}


class Retro(Base):
    __tablename__ = "retros"
    __table_args__ = (Index("ix_retros_team_id_channel_id", "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    template_key: Mapped[str] = mapped_column(String(64))
    columns: Mapped[list[Any]]
    facilitator_id: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(16), default="collect")
    abandoned: Mapped[bool] = mapped_column(default=False)
    visible_while_collecting: Mapped[bool] = mapped_column(default=False)
    votes_per_person: Mapped[int] = mapped_column(default=3)
    deadline_at: Mapped[datetime | None]  # collection's
    vote_deadline_at: Mapped[datetime | None]
    discuss_deadline_at: Mapped[datetime | None]
    auto_advance: Mapped[bool] = mapped_column(default=True, server_default=true())  # else nudge the facilitator
    max_votes_per_item: Mapped[int | None]  # one voter's most dots on one item; None: no cap
    discuss_order: Mapped[list[Any]]
    discuss_pos: Mapped[int] = mapped_column(default=-1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("retros.id"))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class RetroParticipant(Base):
    """Who took part (opened the item form or voted); deliberately no time and no surrogate id."""

    __tablename__ = "retro_participants"

    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    done_phase: Mapped[str | None] = mapped_column(String(16))  # "I'm done" in this phase (rituals.retro.phases)


class RetroItem(Base):
    __tablename__ = "retro_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), index=True)
    column_key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(32))
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("retro_items.id"))
    discussed: Mapped[bool] = mapped_column(default=False)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("retro_items.id"))
    title: Mapped[str | None] = mapped_column(String(200))  # a group's name, on its lead (rituals.retro.groups)


class RetroVote(Base):
    __tablename__ = "retro_votes"
    __table_args__ = (UniqueConstraint("item_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("retro_items.id"))
    voter_id: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(default=1)


class RetroAction(Base):
    __tablename__ = "retro_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("retro_items.id"))
    owner_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(32))
    owner_tz: Mapped[str | None] = mapped_column(String(64))  # resolved by the due job (rituals.retro.due)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RetroHealthScore(Base):
    """A health check's answers as counts per (question, score): no row per answer, no author, no time
    (rituals.retro.health). Every score 1-5 of every question has its row from the start."""

    __tablename__ = "retro_health_scores"

    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)  # the question's place in the check
    score: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(default=0)


class RetroHealthRespondent(Base):
    """Who answered a retro's health check (once each); deliberately no time and nothing of the answer."""

    __tablename__ = "retro_health_respondents"

    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
