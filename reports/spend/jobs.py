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
from reports.spend import config as spend_config
from reports.spend import render, service
from reports.spend.ids import Job
from reports.spend.models import SpendAlert
from reports.spend.section import refresh_and_build
from reports.spend.service import TOTAL, SpendReport

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
        report = refresh_and_build(ctx)
        if report is not None and not report.empty:
            thresholds = spend_config.load(rt.settings).thresholds
            announce(s, report, thresholds, team_id=team_id, channel_id=channel_id, now=now)


def announce(
    s: Session, report: SpendReport, thresholds: tuple[int, ...], *, team_id: str, channel_id: str, now: datetime
) -> int:
    """Post what newly crossed; every crossed threshold is recorded so it never posts again this month."""
    seen = set(
        s.execute(
            select(SpendAlert.team, SpendAlert.threshold).where(
                SpendAlert.team_id == team_id, SpendAlert.channel_id == channel_id, SpendAlert.month == report.month
            )
        )
    )
    posted = 0
    for line in [report.month_line, *report.teams]:
        new = [k for k in service.threshold_keys(line, thresholds) if (line.team, k) not in seen]
        if not new or not _record(s, team_id, channel_id, line.team, report.month, new, now):
            continue
        actual = [k for k in new if k.startswith("actual:")]
        keys = actual[-1:] + (["forecast:100"] if "forecast:100" in new and "actual:100" not in new else [])
        for key in keys:
            text = render.alert_text(line, key, report.currency, f"{report.day:%B}")
            dedupe = f"spend:{team_id}:{channel_id}:{report.month}:{line.team}:{key}"
            outbox.post(s, channel=channel_id, text=text, now=now, team_id=team_id, dedupe_key=dedupe, ref=dedupe)
            posted += 1
            log.info(
                "spend alert team=%s month=%s threshold=%s channel=%s",
                "total" if line.team == TOTAL else line.team,
                report.month,
                key,
                channel_id,
            )
    return posted


def _record(s: Session, team_id: str, channel_id: str, team: str, month: str, keys: list[str], now: datetime) -> bool:
    try:
        with s.begin_nested():
            s.add_all(
                SpendAlert(team_id=team_id, channel_id=channel_id, team=team, month=month, threshold=k, created_at=now)
                for k in keys
            )
            s.flush()
        return True
    except IntegrityError:  # another worker announced it first
        return False
