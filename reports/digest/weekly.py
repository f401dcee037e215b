"""The Monday digest's week over week: this week's figures beside the week before, from stored data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.capabilities import SectionContext
from bot.text import escape
from reports.gpu import config as gpu_config
from reports.gpu import service as gpu_service
from reports.gpu.models import GpuDay
from reports.runs import service as runs_service
from reports.runs.models import AnnouncedRun
from reports.spend import config as spend_config
from reports.spend import money
from reports.spend import service as spend_service
from rituals.standup.models import Standup, StandupBlocker


@dataclass(frozen=True)
class Figure:
    """One row: what, this week, the week before, and how this week reads against it."""

    label: str
    this_week: str
    last_week: str
    change: str


def weeks(ctx: SectionContext) -> tuple[date, date]:
    """The first day of this week and of the week before (7 full local days each, ending yesterday)."""
    return ctx.day - timedelta(days=7), ctx.day - timedelta(days=14)


def figures(ctx: SectionContext) -> list[Figure]:
    found = []
    for part in (_spend, _gpus, _runs, _blockers):
        found.extend(part(ctx))
    return found


def _change(now: Decimal, before: Decimal) -> str:
    if before == 0:
        return "new" if now else "—"
    pct = (now - before) / before * 100
    return f"{pct:+.0f}%"


def _spend(ctx: SectionContext) -> list[Figure]:
    """From the spend report's own daily series: converted and split by currency as the section shows them."""
    config = spend_config.load(ctx.settings)
    if not config.covers(ctx.channel_id):
        return []
    this, last = weeks(ctx)
    overview = spend_service.build(ctx.session, config, ctx.team_id, ctx.day - timedelta(days=1), ctx.now)
    found = []
    for report in overview.reports:
        totals = [Decimal(0), Decimal(0)]
        for series in report.by_team.values():
            for day, amount in series.items():
                if last <= day < ctx.day:
                    totals[0 if day >= this else 1] += amount
        cur = report.currency
        found.append(
            Figure(f"Cloud spend ({cur})", money.fmt(totals[0], cur), money.fmt(totals[1], cur), _change(*totals))
        )
    return found


def _gpus(ctx: SectionContext) -> list[Figure]:
    config = gpu_config.load(ctx.settings)
    if not config.covers(ctx.channel_id):
        return []
    this, last = weeks(ctx)
    rows = ctx.session.execute(
        select(GpuDay.day, GpuDay.idle_h, GpuDay.share, GpuDay.price, GpuDay.currency).where(
            GpuDay.day >= last, GpuDay.day < ctx.day
        )
    )
    hours = [0.0, 0.0]
    cost = [Decimal(0), Decimal(0)]
    currency = ""
    for day, idle_h, share, price, cur in rows:
        n = 0 if day >= this else 1
        hours[n] += idle_h * share
        cost[n] += gpu_service.cost(idle_h, price)
        currency = currency or cur
    if not any(hours):
        return []
    return [
        Figure(
            "Idle GPU-hours",
            f"{hours[0]:,.0f} ({money.fmt(cost[0], currency)})",
            f"{hours[1]:,.0f} ({money.fmt(cost[1], currency)})",
            _change(Decimal(str(round(hours[0], 1))), Decimal(str(round(hours[1], 1)))),
        )
    ]


def _runs(ctx: SectionContext) -> list[Figure]:
    watches = runs_service.watches(ctx.session, ctx.team_id, ctx.channel_id)
    if not watches:
        return []
    this, last = weeks(ctx)
    edges = [_ms(d, ctx.timezone) for d in (last, this, ctx.day)]
    failed = AnnouncedRun.status != "FINISHED"
    counts = {(w, f): 0 for w in (0, 1) for f in (False, True)}
    for n, (start, end) in enumerate([(edges[1], edges[2]), (edges[0], edges[1])]):
        rows = ctx.session.execute(
            select(failed, func.count())
            .where(
                AnnouncedRun.watch_id.in_([w.id for w in watches]),
                AnnouncedRun.end_time_ms >= start,
                AnnouncedRun.end_time_ms < end,
            )
            .group_by(failed)
        )
        for is_failed, count in rows:
            counts[(n, bool(is_failed))] += count
    names = ", ".join(escape(w.experiment_name) for w in watches)
    return [
        Figure(
            f"MLflow runs finished ({names})",
            str(counts[(0, False)]),
            str(counts[(1, False)]),
            _change(Decimal(counts[(0, False)]), Decimal(counts[(1, False)])),
        ),
        Figure(
            "MLflow runs failed or killed",
            str(counts[(0, True)]),
            str(counts[(1, True)]),
            _change(Decimal(counts[(0, True)]), Decimal(counts[(1, True)])),
        ),
    ]


def _blockers(ctx: SectionContext) -> list[Figure]:
    this, last = weeks(ctx)
    rows = ctx.session.scalars(
        select(StandupBlocker.raised_on)
        .join(Standup, Standup.id == StandupBlocker.standup_id)
        .where(
            Standup.team_id == ctx.team_id,
            Standup.channel_id == ctx.channel_id,
            StandupBlocker.raised_on >= last,
            StandupBlocker.raised_on < ctx.day,
        )
    )
    counts = [0, 0]
    for day in rows:
        counts[0 if day >= this else 1] += 1
    if not any(counts):
        return []
    return [
        Figure(
            "Standup blockers raised", str(counts[0]), str(counts[1]), _change(Decimal(counts[0]), Decimal(counts[1]))
        )
    ]


def _ms(day: date, tz: str) -> int:
    return int(datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC).timestamp() * 1000)
