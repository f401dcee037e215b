"""The scheduled digest post (`digest.post`, scope `team:channel`, period = the channel's local day):
the short message, then its thread (the rest of the items, each section in full, the charts)."""

from __future__ import annotations

import logging

from bot import outbox
from bot.jobs import job
from bot.runtime import Runtime
from reports.digest import service
from reports.digest.ids import Job

log = logging.getLogger(__name__)


def _split(scope: str) -> tuple[str, str]:
    team_id, _, channel_id = scope.partition(":")
    return team_id, channel_id


def channel_day(rt: Runtime, scope: str) -> str:
    with rt.database.session() as s:
        row = service.get(s, *_split(scope))
        if row is None:
            return rt.clock.now().date().isoformat()
        return service.local_day(row, rt.clock.now()).isoformat()


@job(Job.POST, period=channel_day, description="Post the channel's daily digest")
def post_digest(rt: Runtime, scope: str, period: str) -> None:
    now = rt.clock.now()
    with rt.database.session() as s:
        row = service.get(s, *_split(scope))
        if row is None or not row.enabled:
            log.info("digest skipped: not enabled scope=%s", scope)
            return
        day = service.local_day(row, now)
        digest = service.build(s, rt.settings, row, now, day, rt.capabilities)
        key = f"digest:{scope}:{period}"
        root = outbox.post(
            s,
            channel=row.channel_id,
            text=digest.text,
            blocks=digest.blocks,
            now=now,
            team_id=row.team_id,
            dedupe_key=key,
            ref=key,
        )
        for n, part in enumerate(digest.thread):
            outbox.post(
                s,
                channel=row.channel_id,
                text=part.text,
                blocks=part.blocks,
                now=now,
                team_id=row.team_id,
                thread_of=root,
                dedupe_key=f"{key}:more{n}",
            )
        for n, chart in enumerate(digest.charts):
            outbox.upload(
                s,
                channel=row.channel_id,
                filename=chart.filename,
                content=chart.png,
                now=now,
                title=chart.title,
                alt_text=chart.alt_text or chart.title,
                team_id=row.team_id,
                thread_of=root,
                dedupe_key=f"{key}:chart{n}",
            )
        service.mark_sent(row, now)
