"""PI tables: the increment, its objectives (optionally an ML hypothesis), weekly check-ins,
confidence votes with private ballots, and ROAM risks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base
from rituals.pi.tracking_models import Hypothesis, ObjectiveProject

STATUSES = ("on_track", "at_risk", "off_track", "done")
ROAM = ("owned", "accepted", "mitigated", "resolved")
PI_STATES = ("active", "closing", "closed")


class ProgramIncrement(Base):
    __tablename__ = "pis"
    __table_args__ = (Index("ix_pis_team_id_channel_id", "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    start_on: Mapped[date]
    end_on: Mapped[date]
    checkin_weekday: Mapped[int]
    checkin_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="active")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # who scores planned and actual business value (SAFe business owners): user ids, space-separated
    business_owners: Mapped[str | None] = mapped_column(String(400))


class Objective(Base):
    __tablename__ = "pi_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    pi_id: Mapped[int] = mapped_column(ForeignKey("pis.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    planned_bv: Mapped[int]
    committed: Mapped[bool]
    owner_id: Mapped[str] = mapped_column(String(32))
    link: Mapped[str | None] = mapped_column(String(500))
    metric: Mapped[str | None] = mapped_column(String(120))
    comparator: Mapped[str | None] = mapped_column(String(2))
    target: Mapped[float | None] = mapped_column(Float)
    experiment: Mapped[str | None] = mapped_column(String(200))
    kill_criterion: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(default=0)
    dropped: Mapped[bool] = mapped_column(default=False)
    actual_bv: Mapped[int | None]
    created_at: Mapped[datetime]
    # the measured target (issue 23), loaded with the objectives in one extra query
    hypothesis: Mapped[Hypothesis | None] = relationship(lazy="selectin", viewonly=True)
    project: Mapped[ObjectiveProject | None] = relationship(lazy="selectin", viewonly=True)


class CheckIn(Base):
    """One owner's update of one objective for one PI week (the latest submission of the week wins)."""

    __tablename__ = "pi_checkins"
    __table_args__ = (UniqueConstraint("objective_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pi_id: Mapped[int] = mapped_column(ForeignKey("pis.id"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("pi_objectives.id"))
    week: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class ConfidenceVote(Base):
    __tablename__ = "pi_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    pi_id: Mapped[int] = mapped_column(ForeignKey("pis.id"), index=True)
    facilitator_id: Mapped[str] = mapped_column(String(32))
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Ballot(Base):
    """A member's current fist-of-five score; never shown individually."""

    __tablename__ = "pi_ballots"

    vote_id: Mapped[int] = mapped_column(ForeignKey("pi_votes.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[int]


class Risk(Base):
    __tablename__ = "pi_risks"

    id: Mapped[int] = mapped_column(primary_key=True)
    pi_id: Mapped[int] = mapped_column(ForeignKey("pis.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str] = mapped_column(String(32))
    roam: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
