"""Scheduled jobs: a registry by name, and the claim that makes each run once per period.

A job is `fn(runtime, scope, period)`, registered with `@job("digest.post", period=...)`.
`run()` first inserts a job_claims row keyed by (job, scope, period) under a unique constraint:
a second worker, a replayed misfire or a repeated `ritualbot run-job` finds the row and skips.
A run that raises releases its claim so the next trigger (or an operator) can retry it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot import runtime as runtime_mod
from bot.errors import UserError
from bot.models import JobClaim
from bot.runtime import Runtime

log = logging.getLogger(__name__)

JobFunc = Callable[[Runtime, str, str], object]
PeriodFunc = Callable[[Runtime, str], str]


def utc_day(rt: Runtime, scope: str) -> str:
    return rt.clock.now().date().isoformat()


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    period_of: PeriodFunc
    description: str


REGISTRY: dict[str, JobSpec] = {}


def job(name: str, *, period: PeriodFunc = utc_day, description: str = "") -> Callable[[JobFunc], JobFunc]:
    """Register a job under its name; its capability declares the module (`Capability.jobs`)."""

    def register(func: JobFunc) -> JobFunc:
        known = REGISTRY.get(name)
        if known is not None and known.func.__module__ != func.__module__:
            raise ValueError(f"job {name!r} is registered twice: {known.func.__module__} and {func.__module__}")
        REGISTRY[name] = JobSpec(name, func, period, description or (func.__doc__ or "").strip().split("\n")[0])
        return func

    return register


def specs_in(module: ModuleType) -> list[JobSpec]:
    """The jobs a module registered with `@job`."""
    return [spec for spec in REGISTRY.values() if spec.func.__module__ == module.__name__]


@dataclass(frozen=True)
class Outcome:
    job: str
    scope: str
    period: str
    ran: bool


def run(name: str, scope: str = "", period: str | None = None, rt: Runtime | None = None) -> Outcome:
    """Run a job for its current period unless someone already has."""
    rt = rt or runtime_mod.current()
    spec = REGISTRY.get(name)
    if spec is None:
        raise UserError(f"unknown job {name!r}; known jobs: {', '.join(sorted(REGISTRY))}")
    period = period or spec.period_of(rt, scope)
    if not claim(rt, name, scope, period):
        log.info("job already claimed job=%s scope=%s period=%s", name, scope, period)
        return Outcome(name, scope, period, ran=False)
    try:
        spec.func(rt, scope, period)
    except Exception:
        release(rt, name, scope, period)
        raise
    finish(rt, name, scope, period)
    rt.sender.wake()
    return Outcome(name, scope, period, ran=True)


def scheduled(name: str, scope: str) -> None:
    """APScheduler's entry point (`bot.jobs:scheduled`): plain, picklable arguments only."""
    try:
        run(name, scope)
    except Exception:
        log.exception("scheduled job failed job=%s scope=%s", name, scope)


def claim(rt: Runtime, name: str, scope: str, period: str) -> bool:
    try:
        with rt.database.session() as s:
            s.add(
                JobClaim(
                    job=name, scope=scope, period=period, status="running", owner=_owner(), claimed_at=rt.clock.now()
                )
            )
        return True
    except IntegrityError:
        return False


def finish(rt: Runtime, name: str, scope: str, period: str) -> None:
    with rt.database.session() as s:
        row = s.scalars(
            select(JobClaim).where(JobClaim.job == name, JobClaim.scope == scope, JobClaim.period == period)
        ).one()
        row.status, row.finished_at = "done", rt.clock.now()


def release(rt: Runtime, name: str, scope: str, period: str) -> None:
    with rt.database.session() as s:
        s.execute(delete(JobClaim).where(JobClaim.job == name, JobClaim.scope == scope, JobClaim.period == period))


def last_run(rt: Runtime, name: str, scope: str) -> datetime | None:
    with rt.database.session() as s:
        return s.scalar(
            select(JobClaim.finished_at)
            .where(JobClaim.job == name, JobClaim.scope == scope, JobClaim.status == "done")
            .order_by(JobClaim.finished_at.desc())
            .limit(1)
        )


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
