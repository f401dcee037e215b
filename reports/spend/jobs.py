"""`spend.alerts` (scope `team:channel`): budget threshold alerts, each once per team per month."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import outbox
from bot.capabilities import SectionContext
from bot.jobs import job
from bot.runtime import Runtime
from reports.digest import service as digest
from reports.digest.jobs import channel_day
from reports.spend import render, service
from reports.spend.ids import Job
from reports.spend.models import SpendAlert
from reports.spend.section import refresh_and_build
from reports.spend.service import TOTAL, BudgetLine, SpendReport

log = logging.getLogger(__name__)


@job(Job.ALERTS.value, period=channel_day, description="Post budget threshold alerts for the channel")
def post_alerts(rt: Runtime, scope: str, period: str) -> None:
    team_id, _, channel_id = scope.partition(":")
    now = rt.clock.now()
    with rt.database.session() as s:
        row = digest.get(s, team_id, channel_id)
        timezone = row.timezone if row else rt.settings.timezone
        day = digest.local_day(row, now) if row else now.date()
        ctx = SectionContext(
            session=s,
            settings=rt.settings,
            now=now,
            team_id=team_id,
            channel_id=channel_id,
            day=day,
            timezone=timezone,
            capabilities=rt.capabilities,
        )
        overview = refresh_and_build(ctx)
        if overview is not None and not overview.empty:
            for report in overview.reports:
                announce(s, report, overview.thresholds, team_id=team_id, channel_id=channel_id, now=now)


def announce(
    s: Session, report: SpendReport, thresholds: tuple[int, ...], *, team_id: str, channel_id: str, now: datetime
) -> int:
    """Post what newly crossed in this currency; every crossed threshold is recorded so it never posts again
    this month (an alert recorded before alerts knew their currency, currency '', counts for every one)."""
    seen = set(
        s.execute(
            select(SpendAlert.team, SpendAlert.threshold).where(
                SpendAlert.team_id == team_id,
                SpendAlert.channel_id == channel_id,
                SpendAlert.month == report.month,
                SpendAlert.currency.in_([report.currency, ""]),
            )
        )
    )
    posted = 0
    for line in [report.month_line, *report.teams]:
        new = [k for k in service.threshold_keys(line, thresholds) if (line.team, k) not in seen]
        if not new or not _record(s, team_id, channel_id, line, report.month, new, now):
            continue
        actual = [k for k in new if k.startswith("actual:")]
        keys = actual[-1:] + (["forecast:100"] if "forecast:100" in new and "actual:100" not in new else [])
        for key in keys:
            text = render.alert_text(line, key, f"{report.day:%B}", thresholds)
            dedupe = f"spend:{team_id}:{channel_id}:{report.month}:{line.team}:{report.currency}:{key}"
            outbox.post(s, channel=channel_id, text=text, now=now, team_id=team_id, dedupe_key=dedupe, ref=dedupe)
            posted += 1
            log.info(
                "spend alert team=%s month=%s currency=%s threshold=%s channel=%s",
                "total" if line.team == TOTAL else line.team,
                report.month,
                report.currency,
                key,
                channel_id,
            )
    return posted


def _record(
    s: Session, team_id: str, channel_id: str, line: BudgetLine, month: str, keys: list[str], now: datetime
) -> bool:
    try:
        with s.begin_nested():
            s.add_all(
                SpendAlert(
                    team_id=team_id,
                    channel_id=channel_id,
                    team=line.team,
                    month=month,
                    currency=line.currency,
                    threshold=k,
                    created_at=now,
                )
                for k in keys
            )
            s.flush()
        return True
    except IntegrityError:  # another worker announced it first
        return False
