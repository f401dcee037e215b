"""Turn a source's units into stored GPU-days, one day after another, carrying each unit's last run
(`gpu_streaks`) so the next refresh needs only the new day. Rows are written in bulk: a refresh of
10,000 GPUs is a few bulk inserts of plain rows, not 10,000 ORM objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from reports.gpu import analysis, owners, pricing
from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay, GpuStreak
from reports.gpu.sources import GpuInfo, Segment, Unit
from reports.gpu.states import HELD, IDLE

BATCH = 2000  # rows per insert: bounds the memory of a first refresh of 14 days x 10,000 GPUs
HOURS = ("allocated_h", "idle_h", "held_h", "nodata_h", "streak_h")
GPU_STREAKS = insert(cast(Table, GpuStreak.__table__))  # Core, not ORM objects: no per-row bookkeeping


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
    rows = _DayRows(session)
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
        fixed = rows.shared(_fixed(main.info, who, config, now))  # a unit's days share these, unless its holder changes
        for d, day in enumerate(days):
            a, b = cuts[d], cuts[d + 1]
            counts, carry, retro = analysis.day_steps(states[a:b], carry, span.window)
            if retro:
                rows.late(unit.key, day - timedelta(days=1), retro, hours)
            info = _holder(unit, a, b).info
            own = fixed if info is main.info else rows.shared(_fixed(info, None, config, now, job_users))
            rows.add(own, unit.key, day, counts, hours)
        if carry.state:
            streaks.append(_streak(unit.key, source, last, span.step, carry))
        if len(rows) >= BATCH:  # between units: a unit's late run only ever updates its own rows
            rows.flush()
    rows.flush()
    session.execute(delete(GpuStreak).where(GpuStreak.source == source))
    for n in range(0, len(streaks), BATCH):
        session.execute(GPU_STREAKS, streaks[n : n + BATCH])
    return stored


class _DayRows:
    """`gpu_days` rows inserted in batches through the driver: a unit's shared columns are bound once
    (the types' own bind processors, as SQLAlchemy would), a day adds its date and hours. Binding all
    26 columns per row through the ORM-free Core insert was a third of a first refresh's CPU."""

    SHARED = tuple(c.name for c in GpuDay.__table__.columns if c.name not in ("id", "day", *HOURS))

    def __init__(self, session: Session) -> None:
        self.session = session
        self.conn = session.connection()
        dialect = self.conn.dialect
        table = cast(Table, GpuDay.__table__)
        names = [*self.SHARED, "day", *HOURS]
        compiled = insert(table).compile(dialect=dialect, column_keys=names)
        self.sql = compiled.string
        order = list(compiled.positiontup or []) if compiled.positional else None
        self.positions = [names.index(n) for n in order] if order is not None else None
        self.reordered = self.positions is not None and self.positions != sorted(self.positions)
        self.names = names
        self.binds = {n: table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names}
        self.days: dict[date, object] = {}
        self.pending: list[list] = []  # [shared values, gpu_key, day, allocated, idle, held, nodata, streak]

    def __len__(self) -> int:
        return len(self.pending)

    def shared(self, values: dict) -> tuple:
        return tuple(_bound(self.binds[n], values[n]) for n in self.SHARED)

    def add(self, shared: tuple, key: str, day: date, counts: analysis.DaySteps, hours: float) -> None:
        self.pending.append(
            [
                shared,
                key,
                day,
                (counts.steps - counts.nodata) * hours,
                counts.idle * hours,
                counts.held * hours,
                counts.nodata * hours,
                counts.streak * hours,
            ]
        )

    def late(self, key: str, day: date, retro: analysis.Retro, hours: float) -> None:
        """A run that ended the day before now counts: add it to that day (still pending, or stored)."""
        column = 4 if retro.state == IDLE else 5
        for row in reversed(self.pending):
            if row[1] == key and row[2] == day:
                row[column] += retro.steps * hours
                row[7] = retro.streak * hours
                return
        target = GpuDay.idle_h if retro.state == IDLE else GpuDay.held_h
        self.session.execute(
            update(GpuDay)
            .where(GpuDay.gpu_key == key, GpuDay.day == day)
            .values({target: target + retro.steps * hours, GpuDay.streak_h: retro.streak * hours})
        )

    def flush(self) -> None:
        if not self.pending:
            return
        bind_day = self.binds["day"]
        days = self.days
        params: list = []
        for shared, _key, day, *hours in self.pending:
            bound = days.get(day)
            if bound is None:
                bound = days[day] = _bound(bind_day, day)
            values = (*shared, bound, *hours)
            if self.positions is None:
                params.append(dict(zip(self.names, values, strict=True)))
            elif self.reordered:
                params.append(tuple(values[i] for i in self.positions))
            else:
                params.append(values)
        self.conn.exec_driver_sql(self.sql, params)
        self.pending = []


def _bound(process: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if process is None else process(value)


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
