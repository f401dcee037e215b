"""Scheduled jobs: a registry by name, and the claim that makes each run once per period.

A job is `fn(runtime, scope, period)`, registered with `@job("digest.post", period=...)`.
`run()` first inserts a job_claims row keyed by (job, scope, period) under a unique constraint:
a second worker, a replayed misfire or a repeated `ritualbot run-job` finds the row and skips.
While the job runs, a heartbeat refreshes the claim's `heartbeat_at`. A claim still `running` whose
heartbeat is older than `settings.job_stale` belongs to a run that died (a killed process): the next run
takes it over, once, and says so; if that run dies too, the period is marked `dead` and reported.
A run that raises releases its claim so the next trigger (or an operator) can retry it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from sqlalchemy import ColumnElement, and_, delete, select, true, update
from sqlalchemy.exc import IntegrityError

from bot import runtime as runtime_mod
from bot.errors import UserError
from bot.heartbeat import Heartbeat
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
    """What `run` did. state: "ran"; or, when it did not run, "done" (already ran this period),
    "running" (a live run holds the claim) or "dead" (its job died twice; not retried again).
    took_over: this run took over the claim of a run that died (its heartbeat had stopped)."""

    job: str
    scope: str
    period: str
    ran: bool
    state: str = "ran"
    took_over: bool = False
    holder: str | None = None  # the claim's previous owner (the dead run, or the live one)
    last_heartbeat: datetime | None = None


@dataclass(frozen=True)
class _Claim:
    owner: str | None  # ours, when we hold it
    state: str
    holder: str | None = None
    last_heartbeat: datetime | None = None
    took_over: bool = False


_local = threading.local()


def current_heartbeat() -> Heartbeat | None:
    """The heartbeat of the claim the calling thread's job holds (None outside a job). A long job may
    `beat()` it between steps; it also beats by itself every `settings.job_stale / 10`."""
    return getattr(_local, "heartbeat", None)


def run(name: str, scope: str = "", period: str | None = None, rt: Runtime | None = None) -> Outcome:
    """Run a job for its current period unless someone already has (or a live run is at it)."""
    rt = rt or runtime_mod.current()
    spec = REGISTRY.get(name)
    if spec is None:
        raise UserError(f"unknown job {name!r}; known jobs: {', '.join(sorted(REGISTRY))}")
    period = period or spec.period_of(rt, scope)
    got = claim(rt, name, scope, period)
    outcome = Outcome(
        name, scope, period, got.owner is not None, got.state, got.took_over, got.holder, got.last_heartbeat
    )
    if got.owner is None:
        log.info("job not run job=%s scope=%s period=%s state=%s holder=%s", name, scope, period, got.state, got.holder)
        return outcome
    if got.took_over:
        log.warning(
            "job took over a dead claim job=%s scope=%s period=%s dead_owner=%s last_heartbeat=%s",
            name,
            scope,
            period,
            got.holder,
            got.last_heartbeat,
        )
    every = max(rt.settings.job_stale.total_seconds() / 10, 0.05)
    outer = current_heartbeat()
    try:
        with Heartbeat(lambda: _beat(rt, name, scope, period, got.owner), every, name=f"job {name}") as beat:
            _local.heartbeat = beat
            spec.func(rt, scope, period)
    except Exception:
        release(rt, name, scope, period, owner=got.owner)
        raise
    finally:
        _local.heartbeat = outer
    finish(rt, name, scope, period)
    rt.sender.wake()
    return outcome


def scheduled(name: str, scope: str) -> None:
    """APScheduler's entry point (`bot.jobs:scheduled`): plain, picklable arguments only."""
    try:
        run(name, scope)
    except Exception:
        log.exception("scheduled job failed job=%s scope=%s", name, scope)


def claim(rt: Runtime, name: str, scope: str, period: str) -> _Claim:
    """Insert the claim; or take over a `running` claim whose heartbeat is stale (once per period)."""
    now, owner = rt.clock.now(), _owner()
    try:
        with rt.database.session() as s:
            s.add(
                JobClaim(
                    job=name,
                    scope=scope,
                    period=period,
                    status="running",
                    owner=owner,
                    claimed_at=now,
                    heartbeat_at=now,
                    attempts=1,
                )
            )
        return _Claim(owner, "ran")
    except IntegrityError:
        pass
    with rt.database.session() as s:
        row = s.scalars(select(JobClaim).where(_key(name, scope, period))).one_or_none()
        if row is None or row.status != "running":
            return _Claim(None, row.status if row is not None else "running", row.owner if row else None)
        beat = row.heartbeat_at or row.claimed_at
        if now - beat < rt.settings.job_stale:
            return _Claim(None, "running", row.owner, beat)
        same = and_(
            JobClaim.id == row.id,
            JobClaim.status == "running",
            JobClaim.attempts == row.attempts,
            JobClaim.heartbeat_at.is_(None) if row.heartbeat_at is None else JobClaim.heartbeat_at == row.heartbeat_at,
        )
        if row.attempts >= 2:
            error = f"died twice (last owner {row.owner}, last heartbeat {beat.isoformat(timespec='seconds')})"
            s.execute(update(JobClaim).where(same).values(status="dead", finished_at=now, error=error))
            log.error("job died twice, not retried again job=%s scope=%s period=%s %s", name, scope, period, error)
            return _Claim(None, "dead", row.owner, beat)
        taken = s.execute(
            update(JobClaim)
            .where(same)
            .values(owner=owner, claimed_at=now, heartbeat_at=now, attempts=JobClaim.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return _Claim(None, "running", row.owner, beat)
        return _Claim(owner, "ran", row.owner, beat, took_over=True)


def _beat(rt: Runtime, name: str, scope: str, period: str, owner: str | None) -> None:
    with rt.database.session() as s:
        s.execute(
            update(JobClaim)
            .where(_key(name, scope, period), JobClaim.owner == owner, JobClaim.status == "running")
            .values(heartbeat_at=rt.clock.now())
            .execution_options(synchronize_session=False)
        )


def finish(rt: Runtime, name: str, scope: str, period: str) -> None:
    with rt.database.session() as s:
        row = s.scalars(select(JobClaim).where(_key(name, scope, period))).one()
        row.status, row.finished_at = "done", rt.clock.now()


def release(rt: Runtime, name: str, scope: str, period: str, *, owner: str | None = None) -> None:
    """Delete the claim (ours only, when `owner` is given) so the period can run again."""
    mine = JobClaim.owner == owner if owner is not None else true()
    with rt.database.session() as s:
        s.execute(delete(JobClaim).where(_key(name, scope, period), mine))


def last_run(rt: Runtime, name: str, scope: str) -> datetime | None:
    with rt.database.session() as s:
        return s.scalar(
            select(JobClaim.finished_at)
            .where(JobClaim.job == name, JobClaim.scope == scope, JobClaim.status == "done")
            .order_by(JobClaim.finished_at.desc())
            .limit(1)
        )


def _key(name: str, scope: str, period: str) -> ColumnElement[bool]:
    return and_(JobClaim.job == name, JobClaim.scope == scope, JobClaim.period == period)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
