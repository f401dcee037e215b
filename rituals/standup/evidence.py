"""The evidence a standup ask is prefilled with: the member's runs that finished since their last
standup and the GPUs they own that sat idle, from stored tables only (the runs poller's announcements,
the GPU report's days). Identity as App Home links it: the watch's creator, the GPU owner via
ritualbot.yaml's gpu.users or a Slack id tag."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from reports import people
from reports.gpu import config as gpu_config
from reports.gpu import service as gpu_service
from reports.gpu.models import GpuDay
from reports.runs.models import AnnouncedRun, RunWatch

DEFAULT_WINDOW = timedelta(days=1)  # a first standup looks back one day
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def suggest(
    session: Session, settings: Settings, team_id: str, user_id: str, since: datetime | None, now: datetime
) -> str | None:
    """Human text (names from MLflow and GPU hosts kept as typed), or None when there is no evidence."""
    start = since or now - DEFAULT_WINDOW
    parts = runs_since(session, team_id, user_id, start) + idle_gpus_since(session, settings, user_id, start, now)
    return "; ".join(parts) or None


def runs_since(session: Session, team_id: str, user_id: str, since: datetime) -> list[str]:
    """`3 runs of churn-v2 finished, best val_auc 0.874` per experiment they watch (the best when the
    watch's best run is among them)."""
    since_ms = int(since.timestamp() * 1000)
    watches = session.scalars(
        select(RunWatch)
        .where(RunWatch.team_id == team_id, RunWatch.created_by == user_id, RunWatch.enabled.is_(True))
        .order_by(RunWatch.id)
    )
    lines: list[str] = []
    seen: set[str] = set()  # one experiment watched in two channels counts once
    for watch in watches:
        if watch.experiment_id in seen:
            continue
        seen.add(watch.experiment_id)
        finished = set(
            session.scalars(
                select(AnnouncedRun.run_id).where(
                    AnnouncedRun.watch_id == watch.id,
                    AnnouncedRun.status == "FINISHED",
                    AnnouncedRun.end_time_ms >= since_ms,
                )
            )
        )
        if not finished:
            continue
        line = f"{len(finished)} run{'' if len(finished) == 1 else 's'} of {watch.experiment_name} finished"
        if watch.best_run_id in finished and watch.best_metric and watch.best_value is not None:
            line += f", best {watch.best_metric} {watch.best_value:.3g}"
        lines.append(line)
    return lines


def idle_gpus_since(session: Session, settings: Settings, user_id: str, since: datetime, now: datetime) -> list[str]:
    """`train-b/gpu0 idle 24 h, $295` per GPU they own, summed over the stored days since `since` (no cost
    without a price)."""
    config = gpu_config.load(settings)
    rows = session.scalars(
        select(GpuDay)
        .where(GpuDay.day >= since.astimezone(UTC).date(), GpuDay.day <= now.astimezone(UTC).date(), GpuDay.idle_h > 0)
        .order_by(GpuDay.day, GpuDay.id)
    )
    hours: dict[str, float] = defaultdict(float)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        if not row.owner or people.slack_user(row.owner, config.users, None) != user_id:
            continue
        hours[row.gpu_key] += row.idle_h
        cost[row.gpu_key] += gpu_service.cost(row.idle_h, row.price)
        names[row.gpu_key] = (gpu_service.unit_name(row), row.currency)
    return [
        f"{names[key][0]} idle {hours[key]:.0f} h" + (f", {_money(cost[key], names[key][1])}" if cost[key] else "")
        for key in sorted(hours, key=lambda k: (-hours[k], k))
    ]


def _money(amount: Decimal, currency: str) -> str:
    whole = amount.quantize(Decimal(1))
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{whole:,}" if symbol else f"{whole:,} {currency}"
