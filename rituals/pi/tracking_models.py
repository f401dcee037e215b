"""PI tables of issue 23: a hypothesis objective's structured target and what MLflow last said about it,
the experiments and metrics MLflow offers (read by a job, shown in the objective form), the committed
plan's snapshot and every objective edit made after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base

VERDICTS = ("met", "on_track", "at_risk", "killed", "unknown")


class Hypothesis(Base):
    """The measurable part of an objective (the objective keeps experiment, metric, comparator and
    threshold) and its tracking state, written only by the `pi.measure` job."""

    __tablename__ = "pi_hypotheses"

    objective_id: Mapped[int] = mapped_column(ForeignKey("pi_objectives.id", ondelete="CASCADE"), primary_key=True)
    experiment_id: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(256))
    alias: Mapped[str | None] = mapped_column(String(64))
    deadline_iteration: Mapped[int | None]
    kill_threshold: Mapped[float | None] = mapped_column(Float)
    kill_iteration: Mapped[int | None]
    latest_value: Mapped[float | None] = mapped_column(Float)
    latest_run: Mapped[str | None] = mapped_column(String(256))
    best_value: Mapped[float | None] = mapped_column(Float)
    best_run_id: Mapped[str | None] = mapped_column(String(64))
    best_run: Mapped[str | None] = mapped_column(String(256))
    champion_value: Mapped[float | None] = mapped_column(Float)
    champion_version: Mapped[str | None] = mapped_column(String(32))
    points: Mapped[list[Any]] = mapped_column(default=list)  # [[end_ms, value], ...] oldest first
    verdict: Mapped[str] = mapped_column(String(16), default="unknown")
    checked_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(300))
    met_run_id: Mapped[str | None] = mapped_column(String(64))
    met_run: Mapped[str | None] = mapped_column(String(256))
    met_at: Mapped[datetime | None]


class MetricCatalog(Base):
    """One MLflow experiment and the metric keys its recent runs logged (refreshed by `pi.catalog`)."""

    __tablename__ = "pi_metric_catalog"

    experiment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    metrics: Mapped[list[Any]] = mapped_column(default=list)
    refreshed_at: Mapped[datetime]


class PlanSnapshot(Base):
    """The plan as committed: [{id, title, planned_bv, committed, owner_id}] of the objectives then."""

    __tablename__ = "pi_plan_snapshots"

    pi_id: Mapped[int] = mapped_column(ForeignKey("pis.id", ondelete="CASCADE"), primary_key=True)
    committed_by: Mapped[str] = mapped_column(String(32))
    committed_at: Mapped[datetime]
    objectives: Mapped[list[Any]] = mapped_column(default=list)


class ObjectiveEdit(Base):
    """One change to an objective after the plan was committed: {field: [before, after]}."""

    __tablename__ = "pi_objective_edits"
    __table_args__ = (Index("ix_pi_objective_edits_pi_id", "pi_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pi_id: Mapped[int] = mapped_column(ForeignKey("pis.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("pi_objectives.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ObjectiveProject(Base):
    """An objective linked to a ticket project (epic); the `pi.measure` job moves its progress with the
    project's stages and keeps where the project stands."""

    __tablename__ = "pi_objective_projects"

    objective_id: Mapped[int] = mapped_column(ForeignKey("pi_objectives.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("ticket_projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str | None] = mapped_column(String(80))
    stage_number: Mapped[int | None]
    stages: Mapped[int | None]
    checked_at: Mapped[datetime | None]
