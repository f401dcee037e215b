"""Turn a source's units into stored GPU-days, one day after another, carrying each unit's last run
(`gpu_streaks`) so the next refresh needs only the new day. Rows are written in bulk: a refresh of
10,000 GPUs is a few bulk inserts of plain rows, not 10,000 ORM objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from reports.gpu import analysis, owners, pricing
from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay, GpuStreak
from reports.gpu.sources import GpuInfo, Segment, Unit
from reports.gpu.states import HELD, IDLE

BATCH = 2000  # rows per insert: bounds the memory of a first refresh of 14 days x 10,000 GPUs
# Core inserts (no ORM per-row bookkeeping: a third of a first refresh's CPU went there)
GPU_DAYS, GPU_STREAKS = insert(cast(Table, GpuDay.__table__)), insert(cast(Table, GpuStreak.__table__))


@dataclass(frozen=True)
class Span:
    """The days to store: `first` and the local midnights from it (one more than days)."""

    first: date
    bounds: list[int]
    step: int
    window: int


def store(
    session: Session,
    config: GpuConfig,
    source: str,
    units: list[Unit],
    span: Span,
    *,
    warm: bool,
    now: datetime,
    job_users: Mapping[str, str],
) -> int:
    """Store the units' days; `warm` continues each unit's stored run, otherwise history starts over."""
    last = span.first + timedelta(days=len(span.bounds) - 2)
    session.execute(delete(GpuDay).where(GpuDay.source == source, GpuDay.day >= span.first, GpuDay.day <= last))
    carries = _carries(session, source, span) if warm else {}
    hours = span.step / 3600
    rows: list[dict] = []
    streaks: list[dict] = []
    stored = 0
    days = [span.first + timedelta(days=d) for d in range(len(span.bounds) - 1)]
    cuts = [(b - span.bounds[0]) // span.step for b in span.bounds]
    for unit in units:
        states = unit.states
        main = _holder(unit, 0, len(states))
        who = owners.owner_and_team(main.info, config, job_users)
        if owners.excluded(main.info, who[0], config, now):
            continue
        stored += 1
        carry = carries.get(unit.key, analysis.Carry())
        fixed = _fixed(main.info, who, config, now)  # what all of a unit's days share, unless its holder changes
        for d, day in enumerate(days):
            a, b = cuts[d], cuts[d + 1]
            counts, carry, retro = analysis.day_steps(states[a:b], carry, span.window)
            if retro:
                _late(session, rows, unit.key, day - timedelta(days=1), retro, hours)
            info = _holder(unit, a, b).info
            same = info is main.info
            rows.append(_row(fixed if same else _fixed(info, None, config, now, job_users), day, counts, hours))
        if carry.state:
            streaks.append(_streak(unit.key, source, last, span.step, carry))
        if len(rows) >= BATCH:  # between units: a unit's late run only ever updates its own rows
            session.execute(GPU_DAYS, rows)
            rows = []
    if rows:
        session.execute(GPU_DAYS, rows)
    session.execute(delete(GpuStreak).where(GpuStreak.source == source))
    for n in range(0, len(streaks), BATCH):
        session.execute(GPU_STREAKS, streaks[n : n + BATCH])
    return stored


def _carries(session: Session, source: str, span: Span) -> dict[str, analysis.Carry]:
    day_before = span.first - timedelta(days=1)
    rows = session.scalars(
        select(GpuStreak).where(GpuStreak.source == source, GpuStreak.day == day_before, GpuStreak.step == span.step)
    )
    return {r.gpu_key: analysis.Carry(r.state, r.run, r.streak, r.before) for r in rows}


def _holder(unit: Unit, a: int, b: int) -> Segment:
    """The segment (workload) that held the unit longest idle or held between steps a and b, else longest at all."""
    if len(unit.segments) == 1:
        return unit.segments[0]

    def weight(n: int) -> tuple[int, int, int]:
        part = unit.segments[n].states[a:b]
        return part.count(IDLE) + part.count(HELD), b - a - part.count("0"), n

    return unit.segments[max(range(len(unit.segments)), key=weight)]


def _fixed(
    info: GpuInfo,
    who: tuple[str, str] | None,
    config: GpuConfig,
    now: datetime,
    job_users: Mapping[str, str] | None = None,
) -> dict:
    """The columns a unit's days share: who held it, its name, its price."""
    owner, team = who or owners.owner_and_team(info, config, job_users)
    price = pricing.price_per_gpu_hour(info.model, info.instance_type, config.prices)
    return {
        "gpu_key": info.key,
        "source": info.source,
        "host": info.host[:200],
        "gpu": info.gpu[:16],
        "model": info.model[:128],
        "instance_id": info.instance_id,
        "instance_type": info.instance_type,
        "owner": owner[:200],
        "team": team[:128],
        "price": None if price is None else price * Decimal(str(info.share)),
        "currency": config.currency,
        "fetched_at": now,
        "uuid": info.uuid[:64],
        "unit": info.unit[:32],
        "profile": info.profile[:32],
        "share": info.share,
        "job": info.job[:64],
        "namespace": info.labels.get("namespace", "")[:128],
        "pod": info.labels.get("pod", "")[:253],
    }


def _row(fixed: dict, day: date, counts: analysis.DaySteps, hours: float) -> dict:
    return {
        **fixed,
        "day": day,
        "allocated_h": (counts.steps - counts.nodata) * hours,
        "idle_h": counts.idle * hours,
        "held_h": counts.held * hours,
        "nodata_h": counts.nodata * hours,
        "streak_h": counts.streak * hours,
    }


def _late(session: Session, rows: list[dict], key: str, day: date, retro: analysis.Retro, hours: float) -> None:
    """A run that ended the day before now counts: add it to that day (still in `rows`, or stored)."""
    column = "idle_h" if retro.state == IDLE else "held_h"
    for row in reversed(rows):
        if row["gpu_key"] == key and row["day"] == day:
            row[column] += retro.steps * hours
            row["streak_h"] = retro.streak * hours
            return
    target = GpuDay.idle_h if retro.state == IDLE else GpuDay.held_h
    session.execute(
        update(GpuDay)
        .where(GpuDay.gpu_key == key, GpuDay.day == day)
        .values({target: target + retro.steps * hours, GpuDay.streak_h: retro.streak * hours})
    )


def _streak(key: str, source: str, day: date, step: int, carry: analysis.Carry) -> dict:
    return {
        "gpu_key": key,
        "source": source,
        "day": day,
        "step": step,
        "state": carry.state,
        "run": carry.run,
        "streak": carry.streak,
        "before": carry.before,
    }
