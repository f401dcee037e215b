"""`runs.poll` (scope: watch id): announce the runs of one watched experiment that ended since
the last poll. One claim per poll slot, so two workers never poll the same watch twice.
`runs.config`: make the watches listed under `runs.watches` in ritualbot.yaml exist."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.jobs import job
from bot.runtime import Runtime
from reports import people
from reports.runs import config as runs_config
from reports.runs import configured, service, source, tracking_index
from reports.runs.ids import Job
from reports.runs.models import RunWatch

log = logging.getLogger(__name__)


def poll_slot(rt: Runtime, scope: str) -> str:
    """The poll period: the clock floored to `poll_minutes` (e.g. 2026-11-23T09:05)."""
    minutes = runs_config.load(rt.settings).poll_minutes
    now = rt.clock.now()
    floored = now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)
    return floored.strftime("%Y-%m-%dT%H:%M")


def _lookup_in(rt: Runtime) -> Callable[[str], people.Lookup]:
    """users.lookupByEmail in a watch's workspace, for failed-run DMs (through the typed port)."""
    return lambda team_id: rt.directory(team_id or None).user_by_email


@job(Job.POLL.value, period=poll_slot, description="Announce MLflow runs that ended since the last poll")
def poll(rt: Runtime, scope: str, period: str) -> None:
    config = runs_config.load(rt.settings)
    try:
        mlflow = source.client(rt.settings)
        if config.tracking_index:
            tracking_index.ensure_once(source.tracking_uri(rt.settings))
        with rt.database.session() as s:
            service.poll(s, mlflow, int(scope), config, rt.clock.now(), lookup_in=_lookup_in(rt))
    except Exception as exc:
        # The claim is released by the job runner; the watch keeps its watermark, so nothing is lost.
        with rt.database.session() as s:
            row = s.get(RunWatch, int(scope))
            if row is not None:
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        raise


@job(Job.CONFIG.value, period=poll_slot, description="Start, update or stop the watches listed in ritualbot.yaml")
def sync_config(rt: Runtime, scope: str, period: str) -> None:
    config = runs_config.load(rt.settings)
    mlflow = source.client(rt.settings)
    with rt.database.session() as s:
        configured.sync(s, mlflow, config.watches, rt.clock.now())
