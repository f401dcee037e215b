"""Idle GPUs as a capability: status line, the owner-DM job after each digest, NVML sampling, the demo."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from bot.config import parse_time_of_day
from bot.errors import ConfigError
from bot.runtime import current
from reports.digest import service as digest
from reports.gpu import config as gpu_config
from reports.gpu.ids import Job
from reports.gpu.models import GpuRefresh
from reports.gpu.sources.sample import DEMO_FLEET

if TYPE_CHECKING:
    from bot.demo_context import DemoContext

DM_LAG = timedelta(minutes=5)  # owners hear about it just after the digest that shows it


def _config() -> gpu_config.GpuConfig:
    try:
        return gpu_config.load(current().settings)
    except (RuntimeError, ConfigError):  # no runtime (a bare import in a tool), or a config error shown elsewhere
        return gpu_config.GpuConfig()


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    config = _config()
    if not config.enabled or (channel_id and not config.covers(channel_id)):
        return []
    names = ", ".join(config.source_name(s) for s in config.sources)
    detail = f"idle GPUs in the daily digest, from {names}"
    failed = session.scalars(
        select(GpuRefresh).where(GpuRefresh.ok.is_(False)).order_by(GpuRefresh.at.desc()).limit(1)
    ).first()
    if failed is not None:
        detail += f"; last failure: {failed.source} on {failed.day:%d %b}"
    return [StatusLine("Idle GPUs", detail, channel_id)]


def schedule(session: Session) -> list[DesiredJob]:
    config = _config()
    jobs = []
    for row in digest.enabled_channels(session):
        if not config.covers(row.channel_id):
            continue
        hour, minute = parse_time_of_day(row.local_time)
        at = datetime(2000, 1, 2, hour, minute) + DM_LAG
        jobs.append(
            DesiredJob(
                id=f"gpu:{row.team_id}:{row.channel_id}",
                job=Job.OWNERS.value,
                scope=f"{row.team_id}:{row.channel_id}",
                trigger=CronTrigger(hour=at.hour, minute=at.minute, timezone=row.timezone),
                team_id=row.team_id,
            )
        )
        if config.waste_enabled:
            later = at + DM_LAG
            jobs.append(
                DesiredJob(
                    id=f"gpu-waste:{row.team_id}:{row.channel_id}",
                    job=Job.WASTE.value,
                    scope=f"{row.team_id}:{row.channel_id}",
                    trigger=CronTrigger(
                        day_of_week=config.waste_weekday, hour=later.hour, minute=later.minute, timezone=row.timezone
                    ),
                    team_id=row.team_id,
                )
            )
    return jobs


def demo(ctx: DemoContext) -> None:
    """Idle GPUs from the bundled sample fleet: an H100 idle for 3 days, a T4 pinned by a notebook."""
    rt = ctx.runtime
    section = {
        "sources": [{"type": "sample", "name": "demo-fleet", "path": str(DEMO_FLEET)}],
        "team_leads": {"nlp": "UADA"},
        "escalation": {"warn_hours": 24, "lead_hours": 48},
    }
    rt.settings = dataclasses.replace(rt.settings, file={**rt.settings.file, "gpu": section})
