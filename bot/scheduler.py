"""The worker's scheduler: APScheduler 3 with an SQLAlchemy job store, kept in sync with the
jobs the capabilities ask for, plus the wiring's own jobs (retention daily, token refresh every 30 minutes).
Every fire goes through bot.jobs.run, which claims (job, scope, period) first, so a replayed misfire or a
second worker cannot run it twice."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot import retention, token_refresh
from bot.jobs import JobSpec, specs_in
from bot.runtime import Runtime

log = logging.getLogger(__name__)

SYNC_EVERY_SECONDS = 60
MISFIRE_GRACE_SECONDS = 3600
JOB_PREFIX = "rb:"
# The wiring's own jobs (no capability owns them): every worker schedules them in memory; the job claim
# makes each run once per period (a day; a half hour) whichever worker fires first.
KERNEL_JOBS = {
    retention.JOB: CronTrigger(hour=3, minute=17, timezone=UTC),
    # every half hour, off the half-hour marks so each fire lands inside one claim period (`token_refresh.half_hour`)
    token_refresh.JOB: CronTrigger(minute="7,37", timezone=UTC),
}


def kernel_jobs() -> dict[str, JobSpec]:
    """The wiring's jobs, for `ritualbot run-job --list` beside the capabilities' ones."""
    return {spec.name: spec for module in (retention, token_refresh) for spec in specs_in(module)}


def build_scheduler(rt: Runtime) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=rt.database.engine, tablename="apscheduler_jobs"),
            "local": MemoryJobStore(),
        },
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
        timezone=UTC,
    )
    scheduler.add_job(
        sync_jobs,
        "interval",
        seconds=SYNC_EVERY_SECONDS,
        args=[scheduler, rt],
        id="rb-sync",
        jobstore="local",
        replace_existing=True,
    )
    for name, trigger in KERNEL_JOBS.items():
        scheduler.add_job(
            "bot.jobs:scheduled", trigger, args=[name, ""], id=f"rb-{name}", jobstore="local", replace_existing=True
        )
    return scheduler


def sync_jobs(scheduler: BackgroundScheduler, rt: Runtime) -> tuple[int, int]:
    """Add or replace the jobs capabilities want; remove ours that are no longer wanted."""
    with rt.database.session() as s:
        desired = {
            d.id if d.id.startswith(JOB_PREFIX) else JOB_PREFIX + d.id: d for d in rt.capabilities.desired_jobs(s)
        }
    existing = {j.id: j for j in scheduler.get_jobs(jobstore="default") if j.id.startswith(JOB_PREFIX)}
    added = removed = 0
    for job_id, want in desired.items():
        have = existing.get(job_id)
        if have is not None and str(have.trigger) == str(want.trigger) and list(have.args) == [want.job, want.scope]:
            continue
        scheduler.add_job(
            "bot.jobs:scheduled",
            trigger=want.trigger,
            args=[want.job, want.scope],
            id=job_id,
            name=f"{want.job} {want.scope}",
            jobstore="default",
            replace_existing=True,
        )
        added += 1
    for job_id in existing.keys() - desired.keys():
        scheduler.remove_job(job_id, jobstore="default")
        removed += 1
    if added or removed:
        log.info("scheduler synced added=%s removed=%s total=%s", added, removed, len(desired))
    return added, removed
