"""The MLflow runs section of the channel digest: per watched experiment, the runs announced since
the channel's last digest and the best run so far. Read from ritualbot's own tables: no MLflow call."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import blocks as b
from bot.capabilities import Section, SectionContext
from reports.runs import config as runs_config
from reports.runs import cost, render, service
from reports.runs.models import AnnouncedRun


def section(ctx: SectionContext) -> Section | None:
    watches = service.watches(ctx.session, ctx.team_id, ctx.channel_id)
    if not watches:
        return None
    # the digest's window: since the channel's last digest (not a calendar day: overnight runs count)
    start = ctx.since or ctx.now - timedelta(days=1)
    counts = day_counts(ctx.session, [w.id for w in watches], start, ctx.now)
    ui_url = runs_config.load(ctx.settings).ui_url
    spent = costs(ctx.session, [w.id for w in watches], start, ctx.now)
    lines = [render.digest_line(w, *counts.get(w.id, (0, 0)), ui_url) + spent.get(w.id, "") for w in watches]
    finished = sum(f for f, _ in counts.values())
    failed = sum(x for _, x in counts.values())
    summary = render.digest_summary(finished, failed)
    return Section(
        key="runs",
        title="MLflow runs",
        blocks=[b.section(f"*MLflow runs* · {_since(start, ctx.timezone)}"), b.section("\n".join(lines))],
        summary=summary,
    )


def _since(start: datetime, tz: str) -> str:
    return f"since {start.astimezone(ZoneInfo(tz)):%a %d %b %H:%M}"


def day_counts(s: Session, watch_ids: list[int], start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """{watch id: (finished, failed or killed)} of the runs announced that ended in [start, end)."""
    failed = AnnouncedRun.status != "FINISHED"
    rows = s.execute(
        select(AnnouncedRun.watch_id, failed, func.count())
        .where(
            AnnouncedRun.watch_id.in_(watch_ids),
            AnnouncedRun.end_time_ms >= int(start.timestamp() * 1000),
            AnnouncedRun.end_time_ms < int(end.timestamp() * 1000),
        )
        .group_by(AnnouncedRun.watch_id, failed)
    )
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for watch_id, is_failed, count in rows:
        found[watch_id][1 if is_failed else 0] += count
    return {k: (v[0], v[1]) for k, v in found.items()}


def costs(s: Session, watch_ids: list[int], start: datetime, end: datetime) -> dict[int, str]:
    """{watch id: " · ≈ $41 of GPU time"} of the runs announced that ended in [start, end)."""
    rows = s.execute(
        select(AnnouncedRun.watch_id, AnnouncedRun.cost, AnnouncedRun.cost_currency).where(
            AnnouncedRun.watch_id.in_(watch_ids),
            AnnouncedRun.end_time_ms >= int(start.timestamp() * 1000),
            AnnouncedRun.end_time_ms < int(end.timestamp() * 1000),
        )
    )
    found: dict[int, list[tuple[Decimal | None, str]]] = defaultdict(list)
    for watch_id, amount, currency in rows:
        found[watch_id].append((amount, currency))
    return {w: _spent(runs) for w, runs in found.items() if any(a is not None for a, _ in runs)}


def _spent(runs: list[tuple[Decimal | None, str]]) -> str:
    known = [(a, c) for a, c in runs if a is not None]
    text = f" · ≈ {cost.amounts(known)} of GPU time"
    missing = len(runs) - len(known)
    return text + (f" (cost unknown for {missing} of {len(runs)} runs)" if missing else "")
