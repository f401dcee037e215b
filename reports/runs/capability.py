"""Runs as a capability: a status line per watch, a poll job per watch, and the demo's runs."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from bot.errors import ConfigError
from bot.runtime import current
from reports.runs import config as runs_config
from reports.runs import configured, service
from reports.runs import demo as runs_demo
from reports.runs.ids import Job

if TYPE_CHECKING:
    from bot.demo_context import DemoContext


def _config() -> runs_config.RunsConfig:
    try:
        return runs_config.load(current().settings)
    except (RuntimeError, ConfigError):  # no runtime (a bare import) or a config the status cannot fix
        return runs_config.RunsConfig()


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    lines = []
    for row in service.watches(session, team_id, channel_id):
        detail = f"experiment {row.experiment_name}"
        if row.primary_metric:
            detail += f", primary metric {row.primary_metric}"
        if row.last_error:
            detail += f"; last poll failed: {row.last_error[:80]}"
        lines.append(StatusLine("MLflow runs", detail, row.channel_id))
    return lines


def schedule(session: Session) -> list[DesiredJob]:
    config = _config()
    trigger = poll_trigger(config.poll_minutes)
    jobs = [
        DesiredJob(id=f"runs:{row.id}", job=Job.POLL.value, scope=str(row.id), trigger=trigger, team_id=row.team_id)
        for row in service.watches(session)
    ]
    if config.watches or configured.any_owned(session):  # also to stop the watches taken out of the file
        jobs.append(DesiredJob(id="runs:config", job=Job.CONFIG.value, scope="", trigger=trigger))
    return jobs


def poll_trigger(minutes: int) -> CronTrigger:
    """Every `minutes` (a cron step must stay within its field: 60 and more become hourly steps)."""
    if minutes >= 60:
        return CronTrigger(minute=0, hour=f"*/{max(1, min(minutes // 60, 23))}", timezone="UTC")
    return CronTrigger(minute=f"*/{max(1, minutes)}", timezone="UTC")


def demo(ctx: DemoContext) -> None:
    """A local MLflow store with a champion, a challenger that beats it, a failure and a sweep."""
    rt = ctx.runtime
    section = {"poll_minutes": 60, "users": {"ada": "UADA", "grace": "UGRACE"}, "promoters": ["UADA"]}
    rt.settings = dataclasses.replace(
        rt.settings, file={**rt.settings.file, "runs": section}, mlflow_tracking_uri=str(ctx.out_dir / "mlruns")
    )
    runs_demo.seed(ctx)
