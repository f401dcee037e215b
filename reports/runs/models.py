"""Stored runs state: which channel watches which experiment (with its poll watermark), and
which runs were announced, so each run is announced once across restarts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class RunWatch(Base):
    """A channel follows an MLflow experiment; `watermark_ms` is the newest end_time already seen."""

    __tablename__ = "run_watches"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "experiment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    experiment_id: Mapped[str] = mapped_column(String(64))
    experiment_name: Mapped[str] = mapped_column(String(256))
    primary_metric: Mapped[str | None] = mapped_column(String(256))
    registered_model: Mapped[str | None] = mapped_column(String(256))
    watermark_ms: Mapped[int] = mapped_column(BigInteger)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    best_metric: Mapped[str | None] = mapped_column(String(256))
    best_run_id: Mapped[str | None] = mapped_column(String(64))
    best_value: Mapped[float | None] = mapped_column(Float)
    noise_cache: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    since_ms: Mapped[int | None] = mapped_column(BigInteger)  # runs that ended before the watch started are history
    directions: Mapped[dict[str, Any] | None]  # {metric: lower|higher|neutral}, set on the watch
    min_effect: Mapped[float | None] = mapped_column(Float)  # relative; None: the default 0.5 %
    champion_version: Mapped[str | None] = mapped_column(String(32))  # "" no alias; None never looked


class AnnouncedRun(Base):
    """A run a watch has announced (card, sweep line or failure note)."""

    __tablename__ = "run_announcements"
    __table_args__ = (UniqueConstraint("watch_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("run_watches.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    end_time_ms: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    announced_at: Mapped[datetime]
    cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))  # estimated (reports/runs/cost.py); None unknown
    cost_currency: Mapped[str] = mapped_column(String(8), server_default="")
    cost_note: Mapped[str] = mapped_column(String(200), server_default="")  # "4×A100", or why it is unknown
    name: Mapped[str] = mapped_column(String(250), server_default="")  # the run's name, for the digest
    beats: Mapped[str] = mapped_column(String(200), server_default="")  # "`val_auc` (0.84 vs 0.8)" over the champion


class RunSweep(Base):
    """A sweep (a parent run and its child runs) a watch posts as one message, updated as trials end."""

    __tablename__ = "run_sweeps"
    __table_args__ = (UniqueConstraint("watch_id", "parent_run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("run_watches.id", ondelete="CASCADE"), index=True)
    parent_run_id: Mapped[str] = mapped_column(String(64))
    baseline_kind: Mapped[str] = mapped_column(String(16), server_default="")  # champion | best | previous | ""
    baseline_run_id: Mapped[str | None] = mapped_column(String(64))  # kept so later trials are not baselines
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # when the final summary went out


class RunStall(Base):
    """A RUNNING run that logged nothing for `runs.stalled_after`: flagged once per stall (its owner DMed)."""

    __tablename__ = "run_stalls"
    __table_args__ = (UniqueConstraint("watch_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("run_watches.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(250), server_default="")
    owner: Mapped[str] = mapped_column(String(64), server_default="")  # Slack user id, "" when unknown
    last_activity_ms: Mapped[int] = mapped_column(BigInteger)  # the newest metric (or start) when flagged
    flagged_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]  # it logged again or ended
