"""Turning a poll's batch into outbox messages, and recording every run so it posts once.

Everything happens in the caller's session: the messages, the announced run ids and the new
watermark commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mlflow import MlflowClient
from sqlalchemy.orm import Session

from bot import outbox
from reports import people
from reports.runs import analysis, baseline, best, cost, render, source, sweeps
from reports.runs.config import RunsConfig, for_watch
from reports.runs.models import AnnouncedRun, RunWatch
from reports.runs.poller import Batch
from reports.runs.source import RunView

log = logging.getLogger(__name__)
NOISE_KEEP = 20


def card_ref(watch_id: int, run_id: str) -> str:
    return f"runs:card:{watch_id}:{run_id}"


def sweep_ref(watch_id: int, key: str) -> str:
    return sweeps.ref(watch_id, key)


def announce(
    s: Session,
    mlflow: MlflowClient,
    watch: RunWatch,
    batch: Batch,
    config: RunsConfig,
    now: datetime,
    lookup: people.Lookup | None = None,
) -> int:
    """Post the batch; returns the number of channel messages enqueued. `lookup(email)` finds the
    Slack user of a failed run whose MLflow user is an email."""
    posted = 0
    config = for_watch(config, watch.directions, watch.min_effect)
    if not watch.primary_metric:  # chosen once, from the first runs that log a metric with a direction
        finished = [r for r in batch.runs if r.status == "FINISHED"]
        watch.primary_metric = baseline.choose_primary(finished, config)
    cache = dict(watch.noise_cache or {})
    known = {r.run_id: r for r in batch.runs}
    _forget_noise(cache, batch.runs)
    costs = {r.run_id: cost.estimate(s, r, config) for r in batch.runs}
    beats: dict[str, str] = {}
    for run in batch.singles:  # oldest first: a run that ended earlier in this poll can be the next one's best
        posted += _single(s, mlflow, watch, run, config, now, cache, known, costs[run.run_id], beats)
        _advance_best(watch, [run], config)
    best_of = lambda primary: _best_of(mlflow, watch, primary, config, known)  # noqa: E731
    for sweep in batch.sweeps:  # one message per sweep, edited as its trials end
        posted += sweeps.announce(s, mlflow, watch, sweep.parent_id, sweep.parent, config, now, cache, best_of, costs)
    watch.noise_cache = dict(list(cache.items())[-NOISE_KEEP:])
    _advance_best(watch, batch.runs, config)
    for run in batch.failed:
        _failed(s, watch, run, config, now, lookup)
        posted += 1
    kinds = {r.run_id: "failed" for r in batch.failed} | {r.run_id: "card" for r in batch.singles}
    for run in batch.runs:
        s.add(
            AnnouncedRun(
                watch_id=watch.id,
                run_id=run.run_id,
                status=run.status,
                end_time_ms=run.end_ms or 0,
                kind=kinds.get(run.run_id, "sweep"),
                announced_at=now,
                cost=costs[run.run_id].amount,
                cost_currency=costs[run.run_id].currency if costs[run.run_id].amount is not None else "",
                cost_note=(costs[run.run_id].on or costs[run.run_id].reason)[:200],
                name=run.name[:250],
                beats=beats.get(run.run_id, "")[:200],
            )
        )
    watch.watermark_ms = batch.watermark_ms
    s.flush()
    return posted


def close_stalled_sweeps(
    s: Session, mlflow: MlflowClient, watch: RunWatch, flagged: list[RunView], config: RunsConfig, now: datetime
) -> int:
    """A sweep whose parent stalled with no trial running gets its final summary (its process died)."""
    config = for_watch(config, watch.directions, watch.min_effect)
    parents = sweeps.tracked(s, watch.id, [r.run_id for r in flagged])
    cache = dict(watch.noise_cache or {})
    best_of = lambda primary: _best_of(mlflow, watch, primary, config, {})  # noqa: E731
    posted = sum(
        sweeps.announce(s, mlflow, watch, r.run_id, r, config, now, cache, best_of, {}, stalled=True)
        for r in flagged
        if r.run_id in parents
    )
    watch.noise_cache = dict(list(cache.items())[-NOISE_KEEP:])
    return posted


def _advance_best(watch: RunWatch, runs: list[RunView], config: RunsConfig) -> None:
    if watch.best_metric:
        best.advance(watch, runs, watch.best_metric, analysis.direction(watch.best_metric, config.directions))


def promote_value(watch: RunWatch, run_id: str, sweep_key: str | None = None) -> str | None:
    """The Promote button's value: `watch:run`, and `:sweep key` on a sweep message (to find it again)."""
    if not watch.registered_model:
        return None
    return f"{watch.id}:{run_id}" + (f":{sweep_key}" if sweep_key else "")


def _forget_noise(cache: dict[str, Any], runs: list[RunView]) -> None:
    """A new seeded run of a cached configuration changes that configuration's spread."""
    configs = [baseline.config_of(r.params) for r in runs if r.status == "FINISHED" and r.seed is not None]
    for key in [k for k, v in cache.items() if v.get("config") in configs]:
        del cache[key]


def _single(
    s: Session,
    mlflow: MlflowClient,
    watch: RunWatch,
    run: RunView,
    config: RunsConfig,
    now: datetime,
    cache: dict[str, Any],
    known: dict[str, RunView],
    price: cost.RunCost,
    beats: dict[str, str],
) -> int:
    """Post a run's card; a run that beats the champion is noted in `beats` for the digest."""
    primary = baseline.primary_metric(run, watch.primary_metric, config)
    comparison = baseline.compare(
        mlflow, run, primary, watch.registered_model, config, _best_of(mlflow, watch, primary, config, known), cache
    )
    challenger = _challenger_version(mlflow, watch, run, config)
    won = comparison.verdict is not None and comparison.verdict.beats
    if won and comparison.baseline is not None and comparison.baseline.kind == "champion":
        first = next((d for d in comparison.deltas if d.name == comparison.primary), None)
        if first is not None:
            beats[run.run_id] = f"`{first.name}` ({render.num(first.value)} vs {render.num(first.baseline)})"
    text, blocks = render.card(
        comparison, watch.experiment_name, config.ui_url, promote_value(watch, run.run_id), challenger=challenger
    )
    blocks = cost.with_line(blocks, cost.line(price))
    ref = card_ref(watch.id, run.run_id)
    outbox.post(
        s, channel=watch.channel_id, team_id=watch.team_id, text=text, blocks=blocks, now=now, dedupe_key=ref, ref=ref
    )
    log.info(
        "run announced watch=%s run=%s baseline=%s",
        watch.id,
        run.run_id,
        comparison.baseline.kind if comparison.baseline else "none",
    )
    return 1


def _best_of(
    mlflow: MlflowClient, watch: RunWatch, primary: str | None, config: RunsConfig, known: dict[str, RunView]
) -> Callable[[], RunView | None] | None:
    if not primary:
        return None
    how = analysis.direction(primary, config.directions)
    return lambda: best.current(mlflow, watch, primary, how, known)


def _challenger_version(
    mlflow: MlflowClient, watch: RunWatch, run: RunView, config: RunsConfig
) -> tuple[str, str, str] | None:
    """(model, alias, version) when the watch's model version `@challenger` was made from this run."""
    if not watch.registered_model:
        return None
    found = source.alias_run(mlflow, watch.registered_model, config.challenger_alias)
    return (watch.registered_model, config.challenger_alias, found[0]) if found and found[1] == run.run_id else None


def _failed(
    s: Session, watch: RunWatch, run: RunView, config: RunsConfig, now: datetime, lookup: people.Lookup | None
) -> None:
    """A top-level note with MLflow's reason; one DM per person and run, however many channels watch it."""
    text = render.failed(run, watch.experiment_name, config.ui_url)
    outbox.post(
        s,
        channel=watch.channel_id,
        team_id=watch.team_id,
        text=text,
        now=now,
        dedupe_key=f"runs:failed:{watch.id}:{run.run_id}",
    )
    user = people.slack_user(run.user, config.users, lookup)
    key = f"runs:failed-dm:{watch.team_id}:{user}:{run.run_id}"
    if user and not outbox.already_enqueued(s, key):
        outbox.post(s, channel=user, team_id=watch.team_id, text=text, now=now, dedupe_key=key)
