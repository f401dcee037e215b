"""The idle-GPU section of the channel digest (its `Capability.section`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.capabilities import Chart, Section, SectionContext
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
