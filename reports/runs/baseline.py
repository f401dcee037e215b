"""Choosing the run a finished run is measured against, and the comparison itself.

Order: the model version behind the registered model's alias (champion), else the best finished
run of the experiment on the primary metric, else the previous finished run with the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlflow import MlflowClient

from reports.runs import analysis, source
from reports.runs.config import RunsConfig
from reports.runs.source import RunView


@dataclass(frozen=True)
class Baseline:
    kind: str  # champion | best | previous
    run: RunView
    model: str | None = None
    version: str | None = None
    alias: str | None = None


@dataclass(frozen=True)
class Comparison:
    run: RunView
    primary: str | None
    baseline: Baseline | None
    deltas: list[analysis.MetricDelta]
    params: list[tuple[str, str | None, str | None]]
    noise: analysis.Noise | None
    verdict: analysis.Verdict | None
    min_effect: float = analysis.DEFAULT_MIN_EFFECT


HELD_OUT = ("val", "valid", "validation", "eval", "test")
TRAINING = ("train", "training")


def primary_metric(run: RunView, configured: str | None, config: RunsConfig) -> str | None:
    """The watch's primary metric, else the one `choose_primary` picks from this run alone."""
    return configured or choose_primary([run], config)


def choose_primary(runs: list[RunView], config: RunsConfig) -> str | None:
    """A metric with a known direction that most of `runs` log, preferring held-out metrics (`val_`, `eval/`,
    `test_`) over untagged ones over training metrics; a watch calls this once and keeps the answer."""
    counts: dict[str, int] = {}
    for run in runs:
        for name in run.metrics:
            if analysis.direction(name, config.directions) != "neutral":
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    return min(counts, key=lambda m: (_rank(m), -counts[m], m))


def _rank(metric: str) -> int:
    first = analysis.first_word(metric)
    return 0 if first in HELD_OUT else 2 if first in TRAINING else 1


def choose(
    mlflow: MlflowClient,
    run: RunView,
    primary: str | None,
    model: str | None,
    config: RunsConfig,
    best: Callable[[], RunView | None] | None = None,
) -> Baseline | None:
    """`best` gives the experiment's best earlier run (a poll passes the watch's stored pointer);
    without it MLflow is asked, which is fine on demand but slow on big experiments."""
    if model:
        champion = source.alias_run(mlflow, model, config.alias)
        if champion is not None:
            version, run_id = champion
            if run_id and run_id != run.run_id:
                return Baseline("champion", source.get_run(mlflow, run_id), model, version, config.alias)
    before = run.end_ms or run.start_ms
    how = analysis.direction(primary, config.directions) if primary else "neutral"
    if primary and how != "neutral":
        found = (
            best()
            if best
            else source.best_before(mlflow, run.experiment_id, primary, how == "lower", before, run.run_id)
        )
        if found is not None and found.run_id != run.run_id:
            return Baseline("best", found)
    previous = source.previous_named(mlflow, run.experiment_id, run.name, before, run.run_id)
    return Baseline("previous", previous) if previous else None


def seed_noise(
    mlflow: MlflowClient, baseline: RunView, primary: str | None, cache: dict[str, Any] | None = None
) -> analysis.Noise | None:
    """Spread of the primary metric over finished runs of the baseline's config with other seeds.
    `cache` (a watch's noise_cache) keeps the answer per baseline until a run of that config ends:
    the params query costs time proportional to the experiment's size."""
    if not primary or baseline.seed is None:
        return None
    key = f"{baseline.run_id}:{primary}"
    if cache is not None and key in cache:
        hit = cache[key]
        return analysis.Noise(hit["seeds"], hit["spread"]) if hit["seeds"] else None
    found = _seed_noise(mlflow, baseline, primary)
    if cache is not None:
        cache[key] = {
            "seeds": found.seeds if found else 0,
            "spread": found.spread if found else 0.0,
            "config": config_of(baseline.params),
        }
    return found


def config_of(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if not source.is_seed(k)}


def _seed_noise(mlflow: MlflowClient, baseline: RunView, primary: str) -> analysis.Noise | None:
    config = config_of(baseline.params)
    by_seed = {
        r.seed: r.metrics[primary]
        for r in source.same_config(mlflow, baseline.experiment_id, config)
        if r.seed is not None and primary in r.metrics and set(config_of(r.params)) == set(config)
    }
    return analysis.noise(by_seed)


def compare(
    mlflow: MlflowClient,
    run: RunView,
    primary: str | None,
    model: str | None,
    config: RunsConfig,
    best: Callable[[], RunView | None] | None = None,
    cache: dict[str, Any] | None = None,
) -> Comparison:
    chosen = choose(mlflow, run, primary, model, config, best)
    if chosen is None:
        return Comparison(run, primary, None, [], [], None, None)
    return compare_to(mlflow, run, chosen, primary, config, cache)


def compare_to(
    mlflow: MlflowClient,
    run: RunView,
    chosen: Baseline,
    primary: str | None,
    config: RunsConfig,
    cache: dict[str, Any] | None = None,
) -> Comparison:
    compared = analysis.deltas(run.metrics, chosen.run.metrics, primary, config.directions)
    spread = seed_noise(mlflow, chosen.run, primary, cache)
    return Comparison(
        run,
        primary,
        chosen,
        compared,
        analysis.changed_params(run.params, chosen.run.params),
        spread,
        analysis.verdict(primary, compared, spread, config.min_effect),
        config.min_effect,
    )
