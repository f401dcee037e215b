"""Stored GPU facts: idle hours per GPU (or MIG instance) per day, the run each GPU's last day ended
in, each source's last refresh, NVML samples, owner answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class GpuDay(Base):
    """One GPU on one day (the digest channel's local day), as the analysis found it."""

    __tablename__ = "gpu_days"
    __table_args__ = (UniqueConstraint("day", "gpu_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    gpu_key: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(200))
    gpu: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[str] = mapped_column(String(64))
    instance_type: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(128))
    allocated_h: Mapped[float]
    idle_h: Mapped[float]
    held_h: Mapped[float]
    nodata_h: Mapped[float]
    streak_h: Mapped[float]
    price: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))  # of this unit per hour (a MIG slice's share)
    currency: Mapped[str] = mapped_column(String(8))
    fetched_at: Mapped[datetime]
    uuid: Mapped[str] = mapped_column(String(64), server_default="")
    unit: Mapped[str] = mapped_column(String(32), server_default="")  # "mig3" for a MIG instance
    profile: Mapped[str] = mapped_column(String(32), server_default="")  # its MIG profile
    share: Mapped[float] = mapped_column(server_default=text("1.0"))  # of a whole GPU: GPU-hours = hours x share
    job: Mapped[str] = mapped_column(String(64), server_default="")  # the Slurm job that held it longest
    namespace: Mapped[str] = mapped_column(String(128), server_default="")  # the Kubernetes pod that did
    pod: Mapped[str] = mapped_column(String(253), server_default="")


class GpuStreak(Base):
    """The run of one state a GPU's last refreshed day ended in (`reports.gpu.analysis.Carry`), so the
    next refresh fetches only the new day and still counts a run across midnight."""

    __tablename__ = "gpu_streaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    gpu_key: Mapped[str] = mapped_column(String(200), unique=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date)
    step: Mapped[int]
    state: Mapped[str] = mapped_column(String(1))
    run: Mapped[int]
    streak: Mapped[int]
    before: Mapped[int]


class GpuRefresh(Base):
    """Did a source answer for the window ending on `day`? Failed ones are retried next time."""

    __tablename__ = "gpu_refreshes"
    __table_args__ = (UniqueConstraint("day", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool]
    error: Mapped[str | None] = mapped_column(String(500))
    queries: Mapped[int]
    at: Mapped[datetime]


class GpuSample(Base):
    """One NVML reading of one local GPU (the `gpu.sample` job)."""

    __tablename__ = "gpu_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    gpu_index: Mapped[int]
    uuid: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(index=True)
    util: Mapped[float]
    mem_used_mib: Mapped[float]
    processes: Mapped[list[Any]]


class GpuResponse(Base):
    """An owner's answer to an idle-GPU DM (in use / releasing / snoozed), or an admin's stop."""

    __tablename__ = "gpu_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    gpu_key: Mapped[str] = mapped_column(String(200), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    response: Mapped[str] = mapped_column(String(16))
    until: Mapped[datetime]
    created_at: Mapped[datetime]
