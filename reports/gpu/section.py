"""The idle-GPU section of the channel digest (its `Capability.section`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.capabilities import Chart, Section, SectionContext
from reports.digest import service as digest
from reports.gpu import config as gpu_config
from reports.gpu import render, service
from reports.gpu.sources import build
from reports.runs.queries import LastRun, last_runs


def refresh_and_report(
    session: Session, config: gpu_config.GpuConfig, day: date, now: datetime, tz: str, team: str | None = None
) -> service.IdleReport:
    """Refresh yesterday's window from every source that has not answered yet, then report it."""
    service.refresh(session, config, build.build(config, session), day, now, tz)
    return service.report(session, config, day, now, team)


def local_zone(session: Session, config: gpu_config.GpuConfig, team_id: str, channel_id: str, fallback: str) -> str:
    """The timezone `/gpu idle` counts days in: the channel's digest's, else that of the team's (first)
    GPU digest channel, so the command shows the days the digest stores; the bot's only without one."""
    row = digest.get(session, team_id, channel_id)
    if row is None or not row.enabled:
        row = next(
            (r for r in digest.enabled_channels(session) if r.team_id == team_id and config.covers(r.channel_id)), None
        )
    return row.timezone if row else fallback


def yesterday(now: datetime, tz: str) -> date:
    """The day before today in `tz`."""
    return now.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def shown_runs(session: Session, ctx: SectionContext, report: service.IdleReport) -> dict[str, LastRun]:
    """The latest MLflow run of each owner the section names."""
    owners = {g.owner for g in report.idle[: render.TOP] + report.held[: render.TOP]}
    return last_runs(session, ctx.settings, ctx.team_id, owners)


def section(ctx: SectionContext) -> Section | None:
    config = gpu_config.load(ctx.settings)
    if not config.covers(ctx.channel_id):
        return None
    report = refresh_and_report(ctx.session, config, ctx.day - timedelta(days=1), ctx.now, ctx.timezone)
    charts = []
    png = render.chart(report)
    if png:
        charts.append(
            Chart(
                filename=f"gpu-idle-{report.day.isoformat()}.png",
                png=png,
                title=f"Idle and memory-held GPU-hours by team to {report.day:%d %b}",
                alt_text=render.chart_alt_text(report),
            )
        )
    return Section(
        key="gpu",
        title="Idle GPUs",
        blocks=render.section_blocks(report, config.users, shown_runs(ctx.session, ctx, report), ctx.now),
        summary=render.summary(report),
        charts=charts,
        unavailable=bool(report.unavailable),
    )
