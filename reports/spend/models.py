"""Stored spend: one row per source, day, cost group (team), service, GPU or not and currency; budgets; alerts
sent; source state. Currency is part of every key: two currencies are never one row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base

MONEY = Numeric(18, 6)


class SpendDay(Base):
    """A day's cost for one team and service, as the source reported it (re-fetched while it changes)."""

    __tablename__ = "spend_days"
    __table_args__ = (UniqueConstraint("source", "day", "team", "service", "gpu", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date, index=True)
    team: Mapped[str] = mapped_column(String(128))
    service: Mapped[str] = mapped_column(String(128))
    gpu: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(8))
    estimated: Mapped[bool] = mapped_column(default=False, server_default=false())
    fetched_at: Mapped[datetime]


class SpendBudget(Base):
    """A team's monthly budget set with `/spend budget`; month '' means every month."""

    __tablename__ = "spend_budgets"
    __table_args__ = (UniqueConstraint("team_id", "team", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    team: Mapped[str] = mapped_column(String(128))
    month: Mapped[str] = mapped_column(String(7), default="")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(8))
    set_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class SpendAlert(Base):
    """A budget threshold already announced: the unique row makes each alert once per team, month and currency
    (currency '' marks alerts recorded before currencies were kept apart: they count for every currency)."""

    __tablename__ = "spend_alerts"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "channel_id", "team", "month", "currency", "threshold", name="uq_spend_alerts_announced"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    team: Mapped[str] = mapped_column(String(128))
    month: Mapped[str] = mapped_column(String(7))
    currency: Mapped[str] = mapped_column(String(8), default="", server_default="")
    threshold: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class SpendSourceState(Base):
    """Per source: when it last synced, the day's forecast/anomaly snapshot, and the last error."""

    __tablename__ = "spend_source_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32), unique=True)
    synced_on: Mapped[date | None] = mapped_column(Date)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class SpendSourceObject(Base):
    """What the last sync knew of one export object or billing period, so the next one reads only what changed.

    kind "object": a data file or manifest; `version` is its S3 ETag and size, or a local file's mtime and size;
    `detail` holds a manifest's parsed content (so an unchanged manifest is not read again).
    kind "period": a billing period (key YYYY-MM) as last aggregated; `version` fingerprints the objects read for
    it, `detail` the last day stored, the latest day seen in them and the files rejected."""

    __tablename__ = "spend_source_objects"
    __table_args__ = (UniqueConstraint("source", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(1024))
    period: Mapped[str] = mapped_column(String(7), default="")
    version: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seen_at: Mapped[datetime]
