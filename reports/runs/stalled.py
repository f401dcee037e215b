"""Stalled runs: a run whose process died (SIGKILL, out of memory, a preempted node) stays RUNNING in
MLflow forever. A run RUNNING with no new metric (system metrics count: they are its heartbeat) for
`runs.stalled_after` is flagged once: its owner gets one DM and the digest's Needs attention names it.
It is flagged again only if it logs again (resumes) and then stalls again.

Reads only what is running now (status filter) and each run's latest metric timestamps (MLflow keeps the
latest value of each metric with its timestamp): never a metric history. A sweep's parent, which logs
nothing itself, is alive while its trials run or end. A run that was already silent when the watch started
is history, not news.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.text import escape
from reports import people
from reports.runs import render, trials
from reports.runs.config import RunsConfig
from reports.runs.models import RunStall, RunWatch
from reports.runs.source import RunView

log = logging.getLogger(__name__)


def check(
    s: Session, mlflow: MlflowClient, watch: RunWatch, config: RunsConfig, now: datetime, lookup: people.Lookup | None
) -> list[RunView]:
    """Flag the watch's newly stalled runs (DMing their owners) and clear those that logged again or ended;
    returns the runs flagged by this poll."""
    if config.stalled_after is None:
        return []
    now_ms = int(now.timestamp() * 1000)
    cutoff = now_ms - config.stalled_after * 1000
    running = trials.active(mlflow, watch.experiment_id)
    by_id = {r.run_id: r for r in running}
    rows = {r.run_id: r for r in s.scalars(select(RunStall).where(RunStall.watch_id == watch.id))}
    for old in rows.values():
        still = by_id.get(old.run_id)
        if old.cleared_at is None and (still is None or still.activity_ms > old.last_activity_ms):
            old.cleared_at = now  # it ended, was deleted, or logged again
    flagged = []
    for run in running:
        seen = run.activity_ms
        row = rows.get(run.run_id)
        if seen >= cutoff or seen < (watch.since_ms or 0):
            continue
        if row is not None and row.cleared_at is None:
            continue  # flagged already, silent since
        if _children_alive(mlflow, watch, run, running, cutoff):
            continue
        owner = people.slack_user(run.user, config.users, lookup) or ""
        if row is None:
            row = RunStall(watch_id=watch.id, run_id=run.run_id)
            s.add(row)
        row.name, row.owner, row.last_activity_ms = run.name[:250], owner[:64], seen
        row.flagged_at, row.cleared_at = now, None
        flagged.append(run)
    _tell_owners(s, watch, flagged, config, now, lookup)
    if flagged:
        log.info("runs stalled watch=%s runs=%s", watch.id, ",".join(r.run_id for r in flagged))
    s.flush()
    return flagged


def _children_alive(mlflow: MlflowClient, watch: RunWatch, run: RunView, running: list[RunView], cutoff: int) -> bool:
    """A parent (a sweep) is alive while one of its trials logs, starts or ends."""
    if any(r.parent_id == run.run_id and r.activity_ms >= cutoff for r in running):
        return True
    return trials.child_ended_since(mlflow, watch.experiment_id, run.run_id, cutoff)


def _tell_owners(
    s: Session, watch: RunWatch, flagged: list[RunView], config: RunsConfig, now: datetime, lookup: people.Lookup | None
) -> None:
    """One DM per owner and poll, naming each stalled run once however many channels watch its experiment."""
    by_owner: dict[str, list[RunView]] = defaultdict(list)
    for run in flagged:
        user = people.slack_user(run.user, config.users, lookup)
        if user and not _told(s, watch, run):
            by_owner[user].append(run)
    for user, runs in by_owner.items():
        key = f"runs:stalled-dm:{watch.team_id}:{user}:" + ",".join(f"{r.run_id}@{r.activity_ms}" for r in runs)
        if outbox.already_enqueued(s, key[:255]):
            continue
        lines = [line(r, watch.experiment_name, config.ui_url, now) for r in runs]
        outbox.post(s, channel=user, team_id=watch.team_id, text="\n".join(lines), now=now, dedupe_key=key[:255])


def _told(s: Session, watch: RunWatch, run: RunView) -> bool:
    """Another watch of the same experiment flagged this very stall already (and DMed its owner)."""
    return (
        s.scalar(
            select(RunStall.id).where(
                RunStall.run_id == run.run_id,
                RunStall.watch_id != watch.id,
                RunStall.last_activity_ms == run.activity_ms,
            )
        )
        is not None
    )


def line(run: RunView, experiment: str, ui_url: str | None, now: datetime) -> str:
    silent = silence(int(now.timestamp() * 1000) - run.activity_ms)
    last = datetime.fromtimestamp(run.activity_ms / 1000, UTC)
    return (
        f":hourglass: Run {render.link(run, ui_url)} in *{escape(experiment)}* is RUNNING but has logged "
        f"nothing for {silent} (last at {last:%d %b %H:%M} UTC). If its process died (killed, out of memory, "
        f"node preempted), MLflow will never end it: mark it with "
        f'`MlflowClient().set_terminated("{run.run_id}", "KILLED")`.'
    )


def silence(ms: int) -> str:
    minutes = max(0, ms // 60_000)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins:02d} m" if hours else f"{mins} m"


def attention(s: Session, watches: list[RunWatch], since: datetime, now: datetime, ui_url: str | None) -> list[str]:
    """The digest's Needs attention lines: runs flagged stalled in [since, now) and still silent."""
    by_watch = {w.id: w for w in watches}
    rows = s.scalars(
        select(RunStall)
        .where(
            RunStall.watch_id.in_(list(by_watch)),
            RunStall.cleared_at.is_(None),
            RunStall.flagged_at >= since,
            RunStall.flagged_at < now,
        )
        .order_by(RunStall.flagged_at, RunStall.id)
    )
    found = []
    for row in rows:
        watch = by_watch[row.watch_id]
        label = escape(row.name or row.run_id[:8])
        name = (
            f"<{escape(ui_url)}#/experiments/{watch.experiment_id}/runs/{row.run_id}|{label}>"
            if ui_url
            else f"`{label}`"
        )
        owner = f" · <@{row.owner}>" if row.owner else ""
        silent = silence(int(now.timestamp() * 1000) - row.last_activity_ms)
        found.append(
            f":hourglass: Run {name} in *{escape(watch.experiment_name)}* is stalled: RUNNING, nothing logged for "
            f"{silent}{owner}"
        )
    return found
