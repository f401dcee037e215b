"""Watches kept in ritualbot.yaml (`runs.watches`): the `runs.config` job creates, updates and
stops them, so a deployment's watches live in version control beside the rest of its settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from reports.runs import source
from reports.runs.config import ConfiguredWatch
from reports.runs.models import RunWatch

log = logging.getLogger(__name__)
FROM_CONFIG = "config"  # RunWatch.created_by of a watch the file owns


@dataclass
class SyncResult:
    active: list[int] = field(default_factory=list)
    stopped: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def sync(s: Session, mlflow: MlflowClient, wanted: tuple[ConfiguredWatch, ...], now: datetime) -> SyncResult:
    """Make the enabled file-owned watches match `wanted`. An entry MLflow cannot resolve is a
    problem to log, and its existing watch is kept as it is (MLflow may only be restarting)."""
    result = SyncResult()
    for entry in wanted:
        try:
            experiment_id, name = source.find_experiment(mlflow, entry.experiment)
            if entry.model:
                source.check_model(mlflow, entry.model)
        except UserError as exc:
            result.problems.append(f"runs.watches {entry.experiment} -> {entry.channel}: {exc}")
            continue
        row = s.scalars(
            select(RunWatch)
            .where(RunWatch.channel_id == entry.channel, RunWatch.experiment_id == experiment_id)
            .order_by(RunWatch.id)
        ).first()
        if row is None:
            row = RunWatch(
                team_id=entry.team,
                channel_id=entry.channel,
                experiment_id=experiment_id,
                experiment_name=name,
                watermark_ms=int(now.timestamp() * 1000),
                created_by=FROM_CONFIG,
                created_at=now,
            )
            s.add(row)
        elif not row.enabled:
            row.watermark_ms = int(now.timestamp() * 1000)  # what ended while it was stopped is not news
        if row.since_ms is None or not row.enabled:  # a watch from before 0017 starts at its watermark
            row.since_ms = row.watermark_ms
        row.experiment_name, row.enabled, row.created_by = name, True, FROM_CONFIG
        # a primary chosen from the first runs is kept until the file names one
        row.primary_metric, row.registered_model = entry.primary or row.primary_metric, entry.model
        s.flush()
        result.active.append(row.id)
    for row in s.scalars(select(RunWatch).where(RunWatch.created_by == FROM_CONFIG, RunWatch.enabled.is_(True))):
        listed = any(
            e.channel == row.channel_id and e.experiment in (row.experiment_name, row.experiment_id) for e in wanted
        )
        if row.id not in result.active and not listed:
            row.enabled = False
            result.stopped.append(row.id)
    for problem in result.problems:
        log.warning("runs config watch skipped problem=%r", problem)
    log.info(
        "runs config watches synced active=%s stopped=%s problems=%s",
        len(result.active),
        len(result.stopped),
        len(result.problems),
    )
    return result


def owned(row: RunWatch) -> bool:
    return row.created_by == FROM_CONFIG


def any_owned(s: Session) -> bool:
    return (
        s.scalar(select(RunWatch.id).where(RunWatch.created_by == FROM_CONFIG, RunWatch.enabled.is_(True)).limit(1))
        is not None
    )
