"""`gpu.owners` (scope `team:channel`): DM the owners of GPUs idle past the warning, remind team leads;
`gpu.waste` (scope `team:channel`, weekly): DM owners over the waste threshold, the lead the summary;
`gpu.sample` (scope: host name or ''): one NVML reading per local GPU, each 5-minute slot."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot import outbox
from bot.jobs import job
from bot.runtime import Runtime
from reports import people
from reports.digest import service as digest
from reports.digest.jobs import channel_day
from reports.gpu import config as gpu_config
from reports.gpu import enforce, owners, render, waste
from reports.gpu.actions import latest
from reports.gpu.ids import Job
from reports.gpu.section import refresh_and_report
from reports.gpu.service import IdleReport
from reports.gpu.sources import nvml
from reports.runs.queries import LastRun, last_runs

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
        runs = last_runs(s, rt.settings, team_id, {g.owner for g in report.idle if g.streak_h >= config.warn_hours})
        lookup = rt.directory(team_id or None).user_by_email
        notify(s, config, report, team_id=team_id, now=now, lookup=lookup, runs=runs)


def notify(
    s: Session,
    config: gpu_config.GpuConfig,
    report: IdleReport,
    *,
    team_id: str,
    now: datetime,
    lookup: people.Lookup | None,
    runs: Mapping[str, LastRun] | None = None,
) -> int:
    """One DM per idle GPU per owner per day (unless answered), one lead reminder per idle stretch;
    the DM shows the owner's latest MLflow run when `runs` has it."""
    sent = 0
    for g in report.idle:
        if g.streak_h < config.warn_hours or g.response:
            continue
        user = owners.slack_user(g.owner, config, lookup)
        if user is None:
            log.info("gpu idle but unowned gpu=%s hours=%.0f", g.key, g.streak_h)
            continue
        can_stop = config.stop_enabled and user in config.stop_admins
        text, body = render.dm_blocks(
            g, report.currency, can_stop=can_stop, free=_free(s, config, g.key, user), runs=runs, now=now
        )
        key = f"gpu:dm:{g.key}:{report.day}"
        if not outbox.already_enqueued(s, key):
            outbox.post(s, channel=user, text=text, blocks=body, now=now, team_id=team_id, dedupe_key=key, ref=key)
            sent += 1
        lead = config.team_leads.get(g.team)
        if lead and g.streak_h >= config.lead_hours:
            since = report.day - timedelta(days=int(g.streak_h // 24))
            key = f"gpu:lead:{g.key}:{since}"
            if not outbox.already_enqueued(s, key):
                text, lead_body = render.lead_blocks(
                    g, report.currency, config.warn_hours, _free(s, config, g.key, lead)
                )
                outbox.post(s, channel=lead, text=text, blocks=lead_body, now=now, team_id=team_id, dedupe_key=key)
                sent += 1
    return sent


def _free(s: Session, config: gpu_config.GpuConfig, gpu_key: str, user: str) -> enforce.Remedy | None:
    """The remedy button, for an admin of gpu.enforce only."""
    return enforce.remedy(latest(s, gpu_key), config) if enforce.can_enforce(config, user) else None


def channel_week(rt: Runtime, scope: str) -> str:
    """The ISO week of the channel's local day: the waste report runs once a week per channel."""
    year, week, _ = date.fromisoformat(channel_day(rt, scope)).isocalendar()
    return f"{year}-W{week:02d}"


@job(Job.WASTE.value, period=channel_week, description="Weekly GPU waste: DM owners over the threshold, tell the lead")
def weekly_waste(rt: Runtime, scope: str, period: str) -> None:
    team_id, _, channel_id = scope.partition(":")
    config = gpu_config.load(rt.settings)
    if not config.covers(channel_id) or not config.waste_enabled:
        return
    now = rt.clock.now()
    with rt.database.session() as s:
        row = digest.get(s, team_id, channel_id)
        tz = row.timezone if row else rt.settings.timezone
        day = (digest.local_day(row, now) if row else now.date()) - timedelta(days=1)
        refresh_and_report(s, config, day, now, tz)
        sent = send_waste(
            s,
            config,
            waste.weekly(s, config, day),
            team_id=team_id,
            now=now,
            period=period,
            lookup=rt.directory(team_id or None).user_by_email,
        )
    log.info("gpu waste report sent scope=%s messages=%d", scope, sent)


def send_waste(
    s: Session,
    config: gpu_config.GpuConfig,
    week: waste.WeeklyWaste,
    *,
    team_id: str,
    now: datetime,
    period: str,
    lookup: people.Lookup | None,
) -> int:
    sent, users, notified = 0, dict(config.users), set()
    for o in waste.over_threshold(week, config):
        user = owners.slack_user(o.owner, config, lookup)
        if user is None:
            continue
        users[o.owner] = user
        notified.add(o.owner)
        key = f"gpu:waste:{period}:{user}"
        if not outbox.already_enqueued(s, key):
            outbox.post(s, channel=user, text=render.waste_dm(o, week), now=now, team_id=team_id, dedupe_key=key)
            sent += 1
    key = f"gpu:waste-lead:{period}:{config.waste_lead}"
    if config.waste_lead and week.owners and not outbox.already_enqueued(s, key):
        text = render.waste_lead(week, notified, users)
        outbox.post(s, channel=config.waste_lead, text=text, now=now, team_id=team_id, dedupe_key=key)
        sent += 1
    return sent
