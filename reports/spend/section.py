"""The spend section of the channel digest (its `Capability.section`)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from bot.capabilities import Chart, Section, SectionContext
from reports.spend import config as spend_config
from reports.spend import render, service, store
from reports.spend.service import TOTAL, SpendOverview, SpendReport

log = logging.getLogger(__name__)


def refresh_and_build(ctx: SectionContext) -> SpendOverview | None:
    """Sync the source (once a day, whoever asks first) and build the report for the channel's yesterday."""
    config = spend_config.load(ctx.settings)
    if not config.covers(ctx.channel_id):
        return None
    try:
        store.sync(ctx.session, store.build_source(config), config, ctx.now)
    except Exception as exc:  # noqa: BLE001 — a broken client setup must not hide the stored figures
        log.exception("spend source setup failed source=%s", config.source)
        row = store.state(ctx.session, config.source, ctx.now)
        row.last_error = f"{type(exc).__name__}: {str(exc)[:200]}"
    return service.build(ctx.session, config, ctx.team_id, ctx.day - timedelta(days=1), ctx.now)


def section(ctx: SectionContext) -> Section | None:
    overview = refresh_and_build(ctx)
    if overview is None:
        return None
    charts = []
    multi = len(overview.reports) > 1
    for report in overview.reports:  # one chart per currency: bars in two currencies never stack
        png = render.chart(report, report.month_line.budget or _sum_team_budgets(report), multi=multi)
        if png:
            suffix = f"-{report.currency.lower()}" if multi else ""
            charts.append(
                Chart(
                    filename=f"spend-{report.day.isoformat()}{suffix}.png",
                    png=png,
                    title=f"Daily spend by team{f' in {report.currency}' if multi else ''} to {report.day:%d %b}",
                )
            )
    return Section(
        key="spend",
        title="Cloud spend",
        blocks=render.section_blocks(overview),
        summary=render.summary(overview),
        charts=charts,
    )


def _sum_team_budgets(report: SpendReport) -> Decimal | None:
    amounts = [t.budget for t in report.teams if t.budget is not None and t.team != TOTAL]
    return sum(amounts, Decimal(0)) if amounts else None
