"""Spend as a capability: status line, the daily threshold-alert job per digest channel, the demo."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from bot.config import parse_time_of_day
from bot.runtime import current
from reports.digest import service as digest
from reports.spend import config as spend_config
from reports.spend.ids import Job
from reports.spend.models import SpendSourceState

if TYPE_CHECKING:
    from bot.demo_context import DemoContext

log = logging.getLogger(__name__)
SAMPLE = Path(__file__).resolve().parent / "data" / "focus-sample"
ALERT_LEAD = timedelta(minutes=10)  # alerts go out just before the digest that explains them


def _config() -> spend_config.SpendConfig:
    try:
        return spend_config.load(current().settings)
    except RuntimeError:  # no runtime (a bare import in a tool): nothing configured
        return spend_config.SpendConfig()


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    config = _config()
    if not config.enabled or (channel_id and not config.covers(channel_id)):
        return []
    row = session.scalar(select(SpendSourceState).where(SpendSourceState.source == config.source))
    detail = f"in the daily digest, from {config.source.replace('_', ' ')}"
    if row is not None and row.last_error:
        detail += f"; last sync failed: {row.last_error[:80]}"
    elif row is not None and row.last_success_at:
        detail += f"; synced {row.last_success_at:%d %b %H:%M} UTC"
        skipped = len((row.snapshot or {}).get("rejected") or [])
        if skipped:
            detail += f"; {skipped} export file{'s' if skipped > 1 else ''} skipped (see the digest)"
    return [StatusLine("Cloud spend", detail, channel_id)]


def schedule(session: Session) -> list[DesiredJob]:
    config = _config()
    jobs = []
    for row in digest.enabled_channels(session):
        if not config.covers(row.channel_id):
            continue
        hour, minute = parse_time_of_day(row.local_time)
        at = datetime(2000, 1, 2, hour, minute) - ALERT_LEAD
        jobs.append(
            DesiredJob(
                id=f"spend:{row.team_id}:{row.channel_id}",
                job=Job.ALERTS.value,
                scope=f"{row.team_id}:{row.channel_id}",
                trigger=CronTrigger(hour=at.hour, minute=at.minute, timezone=row.timezone),
                team_id=row.team_id,
            )
        )
    return jobs


def demo(ctx: DemoContext) -> None:
    """Spend from the bundled FOCUS sample: a GPU spike for ml-research crossing its budget."""
    rt = ctx.runtime
    section = {
        "source": "focus",
        "focus": {"path": str(SAMPLE)},
        "min_anomaly": 100,
        "budgets": {"ml-research": 5000, "data-platform": 4000, "web": 3000},
    }
    rt.settings = dataclasses.replace(rt.settings, file={**rt.settings.file, "spend": section})
