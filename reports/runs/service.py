"""Runs use cases: watch/unwatch an experiment, poll a watch, latest run, compare two, promote."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from reports import people
from reports.runs import aliases, announce, baseline, configured, poller, render, source, stalled
from reports.runs.config import RunsConfig
from reports.runs.models import RunWatch

log = logging.getLogger(__name__)


def watch(
    s: Session,
    mlflow: MlflowClient,
    *,
    team_id: str,
    channel_id: str,
    experiment: str,
    primary: str | None,
    model: str | None,
    user_id: str,
    now: datetime,
    directions: dict[str, str] | None = None,
    min_effect: float | None = None,
    alias: str = "champion",
) -> RunWatch:
    """Follow an experiment from now on (earlier runs are history, not news)."""
    experiment_id, name = source.find_experiment(mlflow, experiment)
    if model:
        source.check_model(mlflow, model)
    if primary:
        _check_primary(mlflow, experiment_id, name, primary)
    row = s.scalars(
        select(RunWatch)
        .where(
            RunWatch.team_id.in_([team_id, ""]),
            RunWatch.channel_id == channel_id,
            RunWatch.experiment_id == experiment_id,
        )
        .order_by(RunWatch.id)
    ).first()
    if row is not None and row.enabled and configured.owned(row):
        raise UserError(
            f"*{name}* is watched in <#{channel_id}> from ritualbot.yaml (`runs.watches`): change its "
            "primary metric or model there."
        )
    if row is None:
        row = RunWatch(
            team_id=team_id,
            channel_id=channel_id,
            experiment_id=experiment_id,
            experiment_name=name,
            watermark_ms=int(now.timestamp() * 1000),
            created_by=user_id,
            created_at=now,
        )
        s.add(row)
    elif not row.enabled:
        row.watermark_ms = int(now.timestamp() * 1000)  # what ended while it was stopped is not news
        row.created_by = user_id
    if row.since_ms is None or not row.enabled:  # a watch from before 0017 starts at its watermark
        row.since_ms = row.watermark_ms
    row.experiment_name, row.enabled = name, True
    row.primary_metric = primary or row.primary_metric
    row.directions = {**(row.directions or {}), **(directions or {})} or None
    row.min_effect = row.min_effect if min_effect is None else min_effect
    if model and model != row.registered_model:
        found = source.alias_run(mlflow, model, alias)
        row.champion_version = found[0] if found else ""  # the champion now is not news either
    row.registered_model = model or row.registered_model
    s.flush()
    return row


def _check_primary(mlflow: MlflowClient, experiment_id: str, name: str, primary: str) -> None:
    """UserError when recent runs log metrics but none logs `primary` (a typo would never announce a win)."""
    logged = source.metric_names(mlflow, experiment_id)
    if logged and primary not in logged:
        shown = ", ".join(f"`{m}`" for m in sorted(logged)[:25]) + (" …" if len(logged) > 25 else "")
        raise UserError(f"No run of *{name}* logs `{primary[:80]}`. Its runs log: {shown}. Pick one as `primary=`.")


def unwatch(s: Session, *, team_id: str, channel_id: str, experiment: str) -> RunWatch:
    rows = watches(s, team_id, channel_id)
    found = next((r for r in rows if experiment in (r.experiment_name, r.experiment_id)), None)
    if found is None:
        names = ", ".join(f"`{r.experiment_name}`" for r in rows) or "none"
        raise UserError(f"This channel does not watch `{experiment[:80]}`. Watched here: {names}.")
    if configured.owned(found):
        raise UserError(
            f"*{found.experiment_name}* is watched here from ritualbot.yaml (`runs.watches`): "
            "remove it there to stop it."
        )
    found.enabled = False
    return found


def watches(s: Session, team_id: str | None = None, channel_id: str | None = None) -> list[RunWatch]:
    query = select(RunWatch).where(RunWatch.enabled.is_(True)).order_by(RunWatch.id)
    if team_id:  # "" is a watch from ritualbot.yaml in a single-workspace install
        query = query.where(RunWatch.team_id.in_([team_id, ""]))
    if channel_id:
        query = query.where(RunWatch.channel_id == channel_id)
    return list(s.scalars(query))


def poll(
    s: Session,
    mlflow: MlflowClient,
    watch_id: int,
    config: RunsConfig,
    now: datetime,
    lookup_in: Callable[[str], people.Lookup] | None = None,
) -> int:
    """Announce what ended since the watermark; returns the number of messages enqueued.
    `lookup_in(team_id)` gives that workspace's users.lookupByEmail, for failed-run DMs."""
    row = s.get(RunWatch, watch_id)
    if row is None or not row.enabled:
        return 0
    lookup = lookup_in(row.team_id) if lookup_in else None
    batch = poller.fetch(s, mlflow, row, config)
    posted = announce.announce(s, mlflow, row, batch, config, now, lookup)
    flagged = stalled.check(s, mlflow, row, config, now, lookup)  # RUNNING, silent: its process may have died
    posted += announce.close_stalled_sweeps(s, mlflow, row, flagged, config, now)
    if not config.webhook_secret_env:  # no MLflow webhook set up: look at the alias ourselves
        posted += aliases.poll_alias(s, mlflow, row, config, now)
    row.last_polled_at, row.last_error = now, None
    log.info(
        "runs poll watch=%s experiment=%s new=%s watermark=%s",
        row.id,
        row.experiment_id,
        len(batch.runs),
        row.watermark_ms,
    )
    return posted


@dataclass(frozen=True)
class Card:
    text: str
    blocks: list


def latest(
    s: Session, mlflow: MlflowClient, config: RunsConfig, *, team_id: str, channel_id: str, experiment: str | None
) -> Card:
    """The newest finished run of an experiment (or the channel's only watch) against its baseline."""
    row = None
    if experiment:
        experiment_id, name = source.find_experiment(mlflow, experiment)
        row = next((w for w in watches(s, team_id, channel_id) if w.experiment_id == experiment_id), None)
    else:
        rows = watches(s, team_id, channel_id)
        if len(rows) != 1:
            raise UserError(
                "Name the experiment: `/runs latest <experiment>`"
                + (" (this channel watches several)." if rows else ".")
            )
        row = rows[0]
        experiment_id, name = row.experiment_id, row.experiment_name
    run = source.latest(mlflow, experiment_id)
    if run is None:
        raise UserError(f"Experiment `{name}` has no finished run yet.")
    primary = baseline.primary_metric(run, row.primary_metric if row else None, config)
    comparison = baseline.compare(mlflow, run, primary, row.registered_model if row else None, config)
    text, blocks = render.card(comparison, name, config.ui_url, None)
    return Card(text, blocks)


def compare(mlflow: MlflowClient, config: RunsConfig, run_a: str, run_b: str, primary: str | None) -> Card:
    """Run B against run A (A is the baseline)."""
    a, b = source.get_run(mlflow, run_a), source.get_run(mlflow, run_b)
    metric = baseline.primary_metric(b, primary, config)
    comparison = baseline.compare_to(mlflow, b, baseline.Baseline("given", a), metric, config)
    name = mlflow.get_experiment(b.experiment_id).name
    text, blocks = render.card(comparison, name, config.ui_url, None)
    return Card(text, blocks)
