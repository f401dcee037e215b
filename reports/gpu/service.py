"""Refresh stored GPU-days from the sources (once a day, whoever asks first) and report on them."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from reports.gpu import analysis, slurm
from reports.gpu.analysis import window_steps
from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay, GpuRefresh, GpuResponse
from reports.gpu.sources import Source, SourceError
from reports.gpu.states import Thresholds
from reports.gpu.store import Span, store

log = logging.getLogger(__name__)
CENT = Decimal("0.01")


@dataclass
class RefreshResult:
    queries: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    gpus: int = 0


def window(last_day: date, config: GpuConfig, tz: str) -> tuple[date, datetime, datetime]:
    first = last_day - timedelta(days=config.history_days - 1)
    zone = ZoneInfo(tz)
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone)
    return first, start, end


def refresh(
    session: Session, config: GpuConfig, sources: list[Source], last_day: date, now: datetime, tz: str = "UTC"
) -> RefreshResult:
    """Fetch each source that has not answered for this day: only the days since its last refresh
    when that is recent (the stored runs continue), else the whole history window."""
    window_first, _, end = window(last_day, config, tz)
    th = Thresholds(config.util_threshold, config.memory_threshold_mib, config.min_idle_minutes * 60)
    result = RefreshResult()
    for source in sources:
        last_ok = session.scalar(
            select(func.max(GpuRefresh.day)).where(GpuRefresh.source == source.name, GpuRefresh.ok.is_(True))
        )
        if last_ok is not None and last_ok >= last_day:
            continue
        warm = last_ok is not None and last_ok >= window_first - timedelta(days=1)
        first = last_ok + timedelta(days=1) if warm and last_ok is not None else window_first
        start = datetime.combine(first, datetime.min.time(), ZoneInfo(tz))
        try:
            fetched = source.steps(start, end, config.step_seconds, th)
        except SourceError as exc:
            log.warning("gpu source unavailable source=%s error=%s", source.name, exc)
            result.errors[source.name] = str(exc)[:480]
            _mark(session, last_day, source.name, str(exc)[:480], getattr(source, "queries", 0), now)
            continue
        result.queries += fetched.queries
        jobs = {s.info.job for u in fetched.units for s in u.segments if s.info.job and not s.info.labels.get("uid")}
        job_users = slurm.job_users(config.slurm_job_users_command, jobs)
        days = (last_day - first).days + 1
        span = Span(
            first, analysis.day_starts(first, days, tz), config.step_seconds, window_steps(th, config.step_seconds)
        )
        result.gpus += store(session, config, source.name, fetched.units, span, warm=warm, now=now, job_users=job_users)
        _mark(session, last_day, source.name, None, fetched.queries, now)
    session.flush()
    return result


def _mark(session: Session, day: date, source: str, error: str | None, queries: int, now: datetime) -> None:
    row = session.scalar(select(GpuRefresh).where(GpuRefresh.day == day, GpuRefresh.source == source))
    if row is None:
        row = GpuRefresh(day=day, source=source, ok=False, queries=0, at=now)
        session.add(row)
    row.ok, row.error, row.queries, row.at = error is None, error, queries, now


def cost(hours: float, price: Decimal | None) -> Decimal:
    if price is None:
        return Decimal(0)
    return (Decimal(str(round(hours, 6))) * price).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class GpuLine:
    key: str
    label: str
    owner: str
    team: str
    idle_h: float
    held_h: float
    nodata_h: float
    streak_h: float
    cost: Decimal
    held_cost: Decimal
    response: str = ""
    instance_id: str = ""
    share: float = 1.0  # of a whole GPU (a MIG instance's slices): GPU-hours are hours x share
    job: str = ""


@dataclass(frozen=True)
class TeamTotal:
    """A team's idle and memory-held GPU-hours on the day, and what both cost."""

    idle_h: float
    held_h: float
    cost: Decimal

    @property
    def hours(self) -> float:
        return self.idle_h + self.held_h


@dataclass
class IdleReport:
    day: date
    currency: str
    gpus: list[GpuLine]
    idle_h: float = 0.0
    idle_cost: Decimal = Decimal(0)
    held_h: float = 0.0
    held_cost: Decimal = Decimal(0)
    prev_avg_h: float = 0.0
    prev_avg_cost: Decimal = Decimal(0)
    teams: dict[str, TeamTotal] = field(default_factory=dict)
    daily: dict[date, dict[str, float]] = field(default_factory=dict)  # idle + held GPU-hours per team
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.gpus

    @property
    def idle(self) -> list[GpuLine]:
        return sorted([g for g in self.gpus if g.idle_h > 0], key=lambda g: (-g.idle_h, -g.streak_h, g.label))

    @property
    def held(self) -> list[GpuLine]:
        return sorted([g for g in self.gpus if g.held_h > 0], key=lambda g: (-g.held_h, g.label))

    @property
    def nodata(self) -> list[GpuLine]:
        return [g for g in self.gpus if g.nodata_h >= 24]


def report(session: Session, config: GpuConfig, day: date, now: datetime, team: str | None = None) -> IdleReport:
    """Yesterday's idle GPUs (`day`), the 7 days before for the trend, and 14 days for the chart."""
    since = day - timedelta(days=14)
    # The 13 days before, grouped by what decides the sums (10,000 GPUs are 130,000 rows, a few distinct)
    kinds = (GpuDay.day, GpuDay.team, GpuDay.idle_h, GpuDay.held_h, GpuDay.share, GpuDay.price)
    history = select(*kinds, func.count()).where(GpuDay.day > since, GpuDay.day < day).group_by(*kinds)
    rows = select(*GpuDay.__table__.columns).where(GpuDay.day == day).order_by(GpuDay.gpu_key)  # rows, not objects
    if team:
        history, rows = history.where(GpuDay.team == team), rows.where(GpuDay.team == team)
    answers = current_responses(session, now)
    result = IdleReport(day=day, currency=config.currency, gpus=[])
    prev_h, prev_cost = 0.0, Decimal(0)
    for d, row_team, idle_h, held_h, share, price, n in session.execute(history):
        result.daily.setdefault(d, defaultdict(float))[row_team] += (idle_h + held_h) * share * n
        if d >= day - timedelta(days=7):
            prev_h += idle_h * share * n
            prev_cost += cost(idle_h, price) * n
    result.daily = dict(sorted(result.daily.items()))
    teams: dict[str, list] = defaultdict(lambda: [0.0, 0.0, Decimal(0)])
    for row in session.execute(rows):
        result.daily.setdefault(row.day, defaultdict(float))[row.team] += (row.idle_h + row.held_h) * row.share
        line = GpuLine(
            key=row.gpu_key,
            label=label(row),
            owner=row.owner,
            team=row.team,
            idle_h=row.idle_h,
            held_h=row.held_h,
            nodata_h=row.nodata_h,
            streak_h=row.streak_h,
            cost=cost(row.idle_h, row.price),
            held_cost=cost(row.held_h, row.price),
            response=answers.get(row.gpu_key, ""),
            instance_id=row.instance_id,
            share=row.share,
            job=row.job,
        )
        result.gpus.append(line)
        result.idle_h += line.idle_h * line.share
        result.idle_cost += line.cost
        result.held_h += line.held_h * line.share
        result.held_cost += line.held_cost
        total = teams[row.team]
        total[0] += line.idle_h * line.share
        total[1] += line.held_h * line.share
        total[2] += line.cost + line.held_cost
    result.prev_avg_h = prev_h / 7
    result.prev_avg_cost = (prev_cost / 7).quantize(CENT, ROUND_HALF_UP)
    ordered = sorted(teams.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    result.teams = {k: TeamTotal(v[0], v[1], v[2]) for k, v in ordered if v[0] + v[1] > 0}
    failed = session.execute(
        select(GpuRefresh.source, GpuRefresh.error).where(GpuRefresh.day == day, GpuRefresh.ok.is_(False))
    )
    result.unavailable = {name: error or "" for name, error in failed}
    return result


def unit_name(row: GpuDay | Row[Any]) -> str:
    """`node/gpu3`, a MIG instance `node/gpu0/mig2`."""
    return f"{row.host}/gpu{row.gpu}" + (f"/{row.unit}" if row.unit else "")


def label(row: GpuDay | Row[Any]) -> str:
    """`node/gpu3 (model)`, a MIG instance `node/gpu0/mig2 (model, 1g.10gb)`."""
    detail = ", ".join(part for part in (row.model, row.profile) if part)
    return f"{unit_name(row)} ({detail})" if detail else unit_name(row)


def current_responses(session: Session, now: datetime) -> dict[str, str]:
    """Answers still in force, and those given since yesterday's digest (so the next digest shows them)."""
    rows = session.scalars(
        select(GpuResponse)
        .where((GpuResponse.until > now) | (GpuResponse.created_at >= now - timedelta(days=1)))
        .order_by(GpuResponse.created_at)
    )
    return {r.gpu_key: r.response for r in rows}
