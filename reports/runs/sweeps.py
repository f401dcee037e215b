"""Sweeps: a parent run with child runs (tagged `mlflow.parentRunId` by Optuna, hyperopt, autolog or
nested `start_run`). Each watch posts ONE message per sweep and edits it (chat.update through the outbox)
as trials end: the best trials so far against the baseline, then the final summary when the parent has
ended and no trial runs. Only the parent tag groups runs: unrelated runs ending together are not a sweep.

The baseline is chosen once, when the sweep is first posted, and kept (`run_sweeps`): the sweep's own
trials move the watch's best-run pointer, and must not become the baseline of their siblings. The champion
is the exception: it is read again each time, so the message compares with the champion of that moment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.models import OutboxMessage
from reports.runs import analysis, baseline, cost, source, sweep_render, trials
from reports.runs.config import RunsConfig
from reports.runs.models import RunSweep, RunWatch
from reports.runs.source import RunView

log = logging.getLogger(__name__)
ENDED = ("FINISHED", "FAILED", "KILLED")


def ref(watch_id: int, parent_id: str) -> str:
    return f"runs:sweep:{watch_id}:{parent_id}"


def tracked(s: Session, watch_id: int, run_ids: list[str]) -> set[str]:
    """Which of these runs are parents of a sweep this watch has posted."""
    if not run_ids:
        return set()
    return set(
        s.scalars(
            select(RunSweep.parent_run_id).where(RunSweep.watch_id == watch_id, RunSweep.parent_run_id.in_(run_ids))
        )
    )


def latest_payload(s: Session, message: OutboxMessage) -> dict[str, Any]:
    """A message's text and blocks as last edited through the outbox (its newest chat.update), else as posted."""
    edit = s.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.update_of_id == message.id, OutboxMessage.method == "chat.update")
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()
    return dict((edit or message).payload or {})


def announce(
    s: Session,
    mlflow: MlflowClient,
    watch: RunWatch,
    parent_id: str,
    parent: RunView | None,
    config: RunsConfig,
    now: datetime,
    cache: dict[str, Any],
    best_of: Callable[[str | None], Callable[[], RunView | None] | None],
    costs: dict[str, cost.RunCost],
    stalled: bool = False,
) -> int:
    """Post or edit the sweep's message from every trial MLflow has; 1 when a message was enqueued."""
    state = s.scalars(
        select(RunSweep).where(RunSweep.watch_id == watch.id, RunSweep.parent_run_id == parent_id)
    ).one_or_none()
    if parent is None:
        try:
            parent = source.get_run(mlflow, parent_id)
        except Exception:  # noqa: BLE001 — a deleted parent only loses the link
            parent = None
    kids = trials.children(mlflow, watch.experiment_id, parent_id)
    finished = [r for r in kids if r.status == "FINISHED"]
    failed = [r for r in kids if r.status in ENDED and r.status != "FINISHED"]
    running = len(kids) - len(finished) - len(failed)
    parent_over = parent is None or parent.status in ENDED or stalled
    tally = sweep_render.Tally(len(finished), len(failed), running, parent_over and running == 0)
    primary = watch.primary_metric or baseline.choose_primary(finished, config)
    how = analysis.direction(primary, config.directions) if primary else "neutral"
    ranked = sorted(finished, key=lambda r: analysis.rank_key(r.metrics, primary, how)) if primary else finished
    best = ranked[: config.sweep_top]
    if state is None:
        state = RunSweep(watch_id=watch.id, parent_run_id=parent_id, updated_at=now)
        s.add(state)
    comparisons = []
    if best:
        chosen = _baseline(
            mlflow, watch, state, parent_id, [*kids, *([parent] if parent else [])], best[0], primary, config, best_of
        )
        comparisons = [
            baseline.compare_to(mlflow, r, chosen, primary, config, cache)
            if chosen
            else baseline.Comparison(r, primary, None, [], [], None, None)
            for r in best
        ]
    value = f"{watch.id}:{best[0].run_id}:{parent_id}" if best and watch.registered_model else None
    title = parent.name if parent else watch.experiment_name
    text, blocks = sweep_render.card(
        title, tally, comparisons, sweep_render.varied_params([*finished, *failed]), config.ui_url, parent, value
    )
    ended = [*finished, *failed]
    priced = [costs.get(r.run_id) or cost.estimate(s, r, config) for r in ended]
    total = cost.total_line(priced, "trials")
    blocks = cost.with_line(
        blocks, cost.trials_line([(r.name, costs.get(r.run_id) or cost.estimate(s, r, config)) for r in best], total)
    )
    state.updated_at = now
    if tally.done and state.ended_at is None:
        state.ended_at = now
    key = ref(watch.id, parent_id)
    earlier = outbox.find_by_ref(s, key)
    if earlier is None:
        outbox.post(s, channel=watch.channel_id, team_id=watch.team_id, text=text, blocks=blocks, now=now, ref=key)
    else:
        outbox.update(s, earlier, text=text, blocks=blocks, now=now)
    log.info(
        "sweep %s watch=%s parent=%s trials=%s running=%s final=%s",
        "posted" if earlier is None else "updated",
        watch.id,
        parent_id,
        len(ended),
        running,
        tally.done,
    )
    return 1


def _baseline(
    mlflow: MlflowClient,
    watch: RunWatch,
    state: RunSweep,
    parent_id: str,
    members: list[RunView],
    first: RunView,
    primary: str | None,
    config: RunsConfig,
    best_of: Callable[[str | None], Callable[[], RunView | None] | None],
) -> baseline.Baseline | None:
    """The champion of now; else the run chosen when the sweep was first posted (never one of its trials)."""
    if state.baseline_kind in ("best", "previous") and state.baseline_run_id:
        try:
            return baseline.Baseline(state.baseline_kind, source.get_run(mlflow, state.baseline_run_id))
        except Exception:  # noqa: BLE001 — the baseline run was deleted: choose again
            pass
    # The probe ends when the sweep began, so nothing that ended during the sweep is its baseline.
    earliest = min(r.start_ms for r in members)
    probe = replace(first, end_ms=earliest)
    chosen = baseline.choose(mlflow, probe, primary, watch.registered_model, config, best_of(primary))
    if chosen is not None and chosen.kind != "champion" and chosen.run.parent_id == parent_id:
        chosen = None  # the pointer already moved to one of this sweep's trials
    if state.baseline_kind == "":  # the first message: keep what it was measured against
        state.baseline_kind = chosen.kind if chosen else "none"
        state.baseline_run_id = chosen.run.run_id if chosen and chosen.kind != "champion" else None
    return chosen
