"""Refresh stored GPU-days from the sources (once a day, whoever asks first) and report on them."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reports.gpu import analysis, owners, pricing
from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay, GpuRefresh, GpuResponse
from reports.gpu.sources import Source, SourceError

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
    """Fetch every source that has not answered yet for this day and store its GPU-days."""
    first, start, end = window(last_day, config, tz)
    done = set(session.scalars(select(GpuRefresh.source).where(GpuRefresh.day == last_day, GpuRefresh.ok.is_(True))))
    th = analysis.Thresholds(config.util_threshold, config.memory_threshold_mib, config.min_idle_minutes * 60)
    result = RefreshResult()
    for source in sources:
        if source.name in done:
            continue
        try:
            fetched = source.fetch(start, end, config.step_seconds)
        except SourceError as exc:
            log.warning("gpu source unavailable source=%s error=%s", source.name, exc)
            result.errors[source.name] = str(exc)[:480]
            _mark(session, last_day, source.name, str(exc)[:480], getattr(source, "queries", 0), now)
            continue
        result.queries += fetched.queries
        session.execute(delete(GpuDay).where(GpuDay.source == source.name, GpuDay.day >= first, GpuDay.day <= last_day))
        for series in fetched.series:
            owner, team = owners.owner_and_team(series.info, config)
            if owners.excluded(series.info, owner, config, now):
                continue
            result.gpus += 1
            price = pricing.price_per_gpu_hour(series.info.model, series.info.instance_type, config.prices)
            for d in analysis.gpu_days(series, first, config.history_days, config.step_seconds, th, tz):
                info = series.info
                session.add(
                    GpuDay(
                        day=d.day,
                        gpu_key=info.key,
                        source=info.source,
                        host=info.host[:200],
                        gpu=info.gpu[:16],
                        model=info.model[:128],
                        instance_id=info.instance_id,
                        instance_type=info.instance_type,
                        owner=owner[:200],
                        team=team[:128],
                        allocated_h=d.allocated_h,
                        idle_h=d.idle_h,
                        held_h=d.held_h,
                        nodata_h=d.nodata_h,
                        streak_h=d.streak_h,
                        price=price,
                        currency=config.currency,
                        fetched_at=now,
                    )
                )
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
    teams: dict[str, tuple[float, Decimal]] = field(default_factory=dict)
    daily: dict[date, dict[str, float]] = field(default_factory=dict)
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
    rows = list(
        session.scalars(
            select(GpuDay)
            .where(GpuDay.day > day - timedelta(days=14), GpuDay.day <= day)
            .order_by(GpuDay.day, GpuDay.gpu_key)
        )
    )
    if team:
        rows = [r for r in rows if r.team == team]
    answers = current_responses(session, now)
    result = IdleReport(day=day, currency=config.currency, gpus=[])
    prev_h, prev_cost = 0.0, Decimal(0)
    teams: dict[str, list] = defaultdict(lambda: [0.0, Decimal(0)])
    for row in rows:
        result.daily.setdefault(row.day, defaultdict(float))[row.team] += row.idle_h + row.held_h
        if day - timedelta(days=7) <= row.day < day:
            prev_h += row.idle_h
            prev_cost += cost(row.idle_h, row.price)
        if row.day != day:
            continue
        line = GpuLine(
            key=row.gpu_key,
            label=f"{row.host}/gpu{row.gpu}" + (f" ({row.model})" if row.model else ""),
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
        )
        result.gpus.append(line)
        result.idle_h += line.idle_h
        result.idle_cost += line.cost
        result.held_h += line.held_h
        result.held_cost += line.held_cost
        teams[row.team][0] += line.idle_h
        teams[row.team][1] += line.cost
    result.prev_avg_h = prev_h / 7
    result.prev_avg_cost = (prev_cost / 7).quantize(CENT, ROUND_HALF_UP)
    result.teams = {k: (v[0], v[1]) for k, v in sorted(teams.items(), key=lambda kv: -kv[1][0]) if v[0] > 0}
    failed = session.execute(
        select(GpuRefresh.source, GpuRefresh.error).where(GpuRefresh.day == day, GpuRefresh.ok.is_(False))
    )
    result.unavailable = {name: error or "" for name, error in failed}
    return result


def current_responses(session: Session, now: datetime) -> dict[str, str]:
    """Answers still in force, and those given since yesterday's digest (so the next digest shows them)."""
    rows = session.scalars(
        select(GpuResponse)
        .where((GpuResponse.until > now) | (GpuResponse.created_at >= now - timedelta(days=1)))
        .order_by(GpuResponse.created_at)
    )
    return {r.gpu_key: r.response for r in rows}
