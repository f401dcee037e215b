"""`gpu.owners` (scope `team:channel`): DM the owners of GPUs idle past the warning, remind team leads;
`gpu.sample` (scope: host name or ''): one NVML reading per local GPU, each 5-minute slot."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import outbox
from bot.jobs import job
from bot.runtime import Runtime
from reports import people
from reports.digest import service as digest
from reports.digest.jobs import channel_day
from reports.gpu import config as gpu_config
from reports.gpu import owners, render
from reports.gpu.ids import Job
from reports.gpu.section import refresh_and_report
from reports.gpu.service import IdleReport
from reports.gpu.sources import nvml

log = logging.getLogger(__name__)


def five_minutes(rt: Runtime, scope: str) -> str:
    now = rt.clock.now()
    return now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0).isoformat()


@job(Job.SAMPLE.value, period=five_minutes, description="Record one NVML reading of this host's GPUs")
def record_sample(rt: Runtime, scope: str, period: str) -> None:
    with rt.database.session() as s:
        rows = nvml.sample(s, nvml.load_nvml(), rt.clock.now(), host=scope or None)
    log.info("gpu sample recorded gpus=%d", len(rows))


@job(Job.OWNERS.value, period=channel_day, description="DM owners of idle GPUs and remind team leads")
def notify_owners(rt: Runtime, scope: str, period: str) -> None:
    team_id, _, channel_id = scope.partition(":")
    config = gpu_config.load(rt.settings)
    if not config.covers(channel_id):
        return
    now = rt.clock.now()
    with rt.database.session() as s:
        row = digest.get(s, team_id, channel_id)
        tz = row.timezone if row else rt.settings.timezone
        day = (digest.local_day(row, now) if row else now.date()) - timedelta(days=1)
        report = refresh_and_report(s, config, day, now, tz)
        notify(s, config, report, team_id=team_id, now=now, lookup=rt.directory(team_id or None).user_by_email)


def notify(
    s: Session,
    config: gpu_config.GpuConfig,
    report: IdleReport,
    *,
    team_id: str,
    now: datetime,
    lookup: people.Lookup | None,
) -> int:
    """One DM per idle GPU per owner per day (unless answered), one lead reminder per idle stretch."""
    sent = 0
    for g in report.idle:
        if g.streak_h < config.warn_hours or g.response:
            continue
        user = owners.slack_user(g.owner, config, lookup)
        if user is None:
            log.info("gpu idle but unowned gpu=%s hours=%.0f", g.key, g.streak_h)
            continue
        can_stop = config.stop_enabled and user in config.stop_admins
        text, body = render.dm_blocks(g, report.currency, can_stop=can_stop)
        key = f"gpu:dm:{g.key}:{report.day}"
        if not outbox.already_enqueued(s, key):
            outbox.post(s, channel=user, text=text, blocks=body, now=now, team_id=team_id, dedupe_key=key, ref=key)
            sent += 1
        lead = config.team_leads.get(g.team)
        if lead and g.streak_h >= config.lead_hours:
            since = report.day - timedelta(days=int(g.streak_h // 24))
            key = f"gpu:lead:{g.key}:{since}"
            if not outbox.already_enqueued(s, key):
                outbox.post(
                    s,
                    channel=lead,
                    text=render.lead_text(g, report.currency, config.warn_hours),
                    now=now,
                    team_id=team_id,
                    dedupe_key=key,
                )
                sent += 1
    return sent
