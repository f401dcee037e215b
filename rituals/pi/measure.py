"""Reading MLflow for PI hypotheses, only from jobs (`pi.measure`, `pi.catalog`), each call bounded by a
timeout: a slow or unreachable tracking server leaves the last values and an error on the row, never a
stuck job. The queries are the runs report's (reports/runs/source.py, best.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from reports.runs import best, source
from rituals.pi import hypotheses, met, service, tracking_render
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.tracking_models import Hypothesis, MetricCatalog
from rituals.pi.verdict import Window, judge, lower_is_better

log = logging.getLogger(__name__)

T = TypeVar("T")
TIMEOUT_SECONDS = 20.0
RECENT = 50  # runs read for the latest value, the trend and the catalog's metric names
POINTS = 30
EXPERIMENTS = 200


class MlflowTimeout(Exception):
    pass


def timeout(settings: Settings) -> float:
    """`pi.mlflow_timeout_seconds` in ritualbot.yaml, else 20 s."""
    section = settings.file.get("pi") or {}
    return float(section.get("mlflow_timeout_seconds") or TIMEOUT_SECONDS)


def bounded(fn: Callable[[], T], seconds: float) -> T:
    """fn() in a daemon thread, given up after `seconds`: the thread finishes (or retries) on its own and
    never holds the job or the process's exit."""
    done = threading.Event()
    result: list[T] = []
    failure: list[BaseException] = []

    def call() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # noqa: BLE001 — handed to the caller's thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=call, name="pi-mlflow", daemon=True).start()
    if not done.wait(seconds):
        raise MlflowTimeout(f"MLflow did not answer within {seconds:g} s")
    if failure:
        raise failure[0]
    return result[0]


@dataclass(frozen=True)
class Reading:
    latest: source.RunView | None
    best: source.RunView | None
    champion: tuple[str, float | None] | None  # (version, value) of model@alias
    points: list[tuple[int, float]]


def read(mlflow: MlflowClient, row: Hypothesis, metric: str, comparator: str, now_ms: int) -> Reading:
    recent = source.recent_finished(mlflow, row.experiment_id, now_ms + 1, RECENT)
    scored = [r for r in recent if metric in r.metrics]
    top = best.backfill(mlflow, row.experiment_id, metric, lower_is_better(comparator), now_ms + 1)
    champion = None
    if row.model and row.alias:
        found = source.alias_run(mlflow, row.model, row.alias)
        if found is not None:
            version, run_id = found
            value = source.get_run(mlflow, run_id).metrics.get(metric) if run_id else None
            champion = (version, value)
    points = [(r.end_ms or r.start_ms, r.metrics[metric]) for r in reversed(scored[:POINTS])]
    return Reading(scored[0] if scored else None, top, champion, points)


def _apply(row: Hypothesis, o: Objective, pi: ProgramIncrement, found: Reading, now: datetime) -> bool:
    """Store a reading and its verdict; True when the hypothesis just became met (the owner is told)."""
    was_met = row.verdict == "met"
    assert o.metric is not None and o.comparator is not None and o.target is not None
    row.latest_value = found.latest.metrics[o.metric] if found.latest else None
    row.latest_run = found.latest.name[:256] if found.latest else None
    row.best_value = found.best.metrics.get(o.metric) if found.best else None
    row.best_run_id = found.best.run_id if found.best else None
    row.best_run = found.best.name[:256] if found.best else None
    row.champion_version, row.champion_value = found.champion if found.champion else (None, None)
    row.points = [[t, v] for t, v in found.points]
    row.checked_at, row.error = now, None
    measured = row.champion_value if row.alias else row.best_value
    window = Window(
        start_ms=hypotheses.end_ms(pi, pi.start_on) - 86_400_000,
        deadline_ms=hypotheses.end_ms(pi, hypotheses.iteration_end(pi, row.deadline_iteration)),
        now_ms=int(now.timestamp() * 1000),
        kill_ms=hypotheses.end_ms(pi, hypotheses.iteration_end(pi, row.kill_iteration)) if row.kill_iteration else None,
    )
    row.verdict = judge(
        comparator=o.comparator,
        threshold=o.target,
        measured=measured,
        points=found.points,
        window=window,
        kill_threshold=row.kill_threshold,
    )
    if row.verdict != "met":
        row.met_run_id = row.met_run = None
        return False
    row.met_run_id = f"v{row.champion_version}" if row.alias else row.best_run_id
    row.met_run = f"{row.model}@{row.alias} v{row.champion_version}" if row.alias else row.best_run
    if was_met:  # told already; a better run since keeps it met
        return False
    row.met_at = now
    return True


def refresh(s: Session, pi: ProgramIncrement, settings: Settings, now: datetime) -> list[Objective]:
    """Measure every hypothesis of the PI; DM the owners whose hypothesis a new run met. Returns those."""
    limit = timeout(settings)
    now_ms = int(now.timestamp() * 1000)
    newly_met = []
    for o in service.objectives(s, pi.id):
        row = o.hypothesis
        if row is None or o.metric is None or o.comparator is None or o.target is None:
            continue
        metric, comparator = o.metric, o.comparator
        try:
            mlflow = bounded(lambda: source.client(settings), limit)
            found = bounded(lambda: read(mlflow, row, metric, comparator, now_ms), limit)  # noqa: B023
        except Exception as exc:  # noqa: BLE001 — MLflow's errors are many; the last values stay
            row.error, row.checked_at = f"{type(exc).__name__}: {exc}"[:300], now
            log.warning("pi hypothesis unmeasured objective=%s error=%s", o.id, type(exc).__name__)
            continue
        if _apply(row, o, pi, found, now):
            text, blocks = tracking_render.met_dm(o)
            met.notify_met(s, pi, o, text, blocks, now)
            newly_met.append(o)
    s.flush()
    return newly_met


def refresh_catalog(s: Session, settings: Settings, now: datetime) -> int:
    """Experiments and the metric names of their recent runs, for the objective form; returns how many."""
    limit = timeout(settings)

    def load() -> list[tuple[str, str, list[str]]]:
        mlflow = source.client(settings)
        found = []
        for exp in mlflow.search_experiments(max_results=EXPERIMENTS):
            runs = source.recent_finished(mlflow, exp.experiment_id, int(now.timestamp() * 1000) + 1, RECENT)
            names = sorted({m for r in runs for m in r.metrics})
            found.append((exp.experiment_id, exp.name, names))
        return found

    entries = bounded(load, limit * 3)
    seen = set()
    for experiment_id, name, names in entries:
        seen.add(experiment_id)
        row = s.get(MetricCatalog, experiment_id)
        if row is None:
            row = MetricCatalog(experiment_id=experiment_id)
            s.add(row)
        row.name, row.metrics, row.refreshed_at = name[:256], names, now
    for row in s.scalars(select(MetricCatalog)):
        if row.experiment_id not in seen:
            s.delete(row)
    s.flush()
    return len(entries)
