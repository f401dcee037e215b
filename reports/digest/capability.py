"""The digest as a capability: its status line and one cron job per enabled channel."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session

from bot.capabilities import DesiredJob, StatusLine
from bot.config import parse_time_of_day
from reports.digest import service
from reports.digest.ids import Job


def status(session: Session, team_id: str, channel_id: str | None) -> list[StatusLine]:
    rows = [
        r
        for r in service.enabled_channels(session)
        if r.team_id == team_id and (channel_id is None or r.channel_id == channel_id)
    ]
    return [StatusLine("Daily digest", f"every day at {r.local_time} {r.timezone}", r.channel_id) for r in rows]


def schedule(session: Session) -> list[DesiredJob]:
    jobs = []
    for row in service.enabled_channels(session):
        hour, minute = parse_time_of_day(row.local_time)
        jobs.append(
            DesiredJob(
                id=f"digest:{row.team_id}:{row.channel_id}",
                job=Job.POST.value,
                scope=f"{row.team_id}:{row.channel_id}",
                trigger=CronTrigger(hour=hour, minute=minute, timezone=row.timezone),
                team_id=row.team_id,
            )
        )
    return jobs
