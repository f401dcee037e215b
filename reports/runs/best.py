"""The best finished run of a watched experiment on its primary metric, kept on the watch.

MLflow's SQL store sorts by a metric slowly (super-linear in the experiment's runs), so a poll
must not ask it. The pointer is found once per metric (narrowed first by a threshold filter,
which is cheap) and then moved forward by each poll's own finished runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlflow import MlflowClient

from reports.runs import analysis, source
from reports.runs.models import RunWatch
from reports.runs.source import RunView

RECENT = 200


def current(
    mlflow: MlflowClient, watch: RunWatch, metric: str, how: str, known: dict[str, RunView] | None = None
) -> RunView | None:
    """The best run so far; computes the pointer when the metric changed. `known` holds runs already
    read in this poll (its own runs, the pointer once fetched), so a poll reads the pointer once."""
    known = {} if known is None else known
    if watch.best_metric != metric:
        found = backfill(mlflow, watch.experiment_id, metric, how == "lower", watch.watermark_ms + 1)
        watch.best_metric = metric
        watch.best_run_id = found.run_id if found else None
        watch.best_value = found.metrics[metric] if found else None
        if found:
            known[found.run_id] = found
        return found
    if not watch.best_run_id:
        return None
    if watch.best_run_id not in known:
        known[watch.best_run_id] = source.get_run(mlflow, watch.best_run_id)
    return known[watch.best_run_id]


def advance(watch: RunWatch, runs: Iterable[RunView], metric: str | None, how: str) -> None:
    """Move the pointer to any better finished run of this poll."""
    if metric is None or watch.best_metric != metric or how == "neutral":
        return
    for run in runs:
        if run.status != "FINISHED" or metric not in run.metrics:
            continue
        value = run.metrics[metric]
        if watch.best_value is None or analysis.rank_key({metric: value}, metric, how) < analysis.rank_key(
            {metric: watch.best_value}, metric, how
        ):
            watch.best_run_id, watch.best_value = run.run_id, value


def backfill(
    mlflow: MlflowClient, experiment_id: str, metric: str, lower_is_better: bool, before_ms: int
) -> RunView | None:
    """Best of the recent runs, then only runs beating it are sorted by MLflow (usually few)."""
    recent = source.recent_finished(mlflow, experiment_id, before_ms, RECENT)
    scored = [r for r in recent if metric in r.metrics]
    if not scored:
        return source.best_before(mlflow, experiment_id, metric, lower_is_better, before_ms, "")
    pick = min if lower_is_better else max
    seed = pick(scored, key=lambda r: r.metrics[metric])
    better = source.best_before(
        mlflow, experiment_id, metric, lower_is_better, before_ms, "", beyond=seed.metrics[metric]
    )
    return better or seed
