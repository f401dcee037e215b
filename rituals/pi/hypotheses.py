"""An objective's ML hypothesis as a structured target: the experiment's metric picked from what MLflow
offers (the catalog the `pi.catalog` job keeps), a comparator and threshold, an optional model alias
whose version is judged, the iteration it is due by and a kill criterion. Nothing here reads MLflow."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from rituals.pi.ids import Block
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.tracking_models import Hypothesis, MetricCatalog
from rituals.pi.verdict import COMPARATORS

ITERATION_DAYS = 14  # SAFe's two-week iterations, counted from the PI's start
ALIAS = re.compile(r"^\s*([\w.\-/ ]+?)\s*@\s*([\w\-]+)\s*$")


@dataclass(frozen=True)
class HypothesisInput:
    """What the objective form sends (raw, as typed or picked)."""

    metric: str = ""  # "<experiment id>:<metric>", an option of the form's metric menu
    comparator: str = ">="
    threshold: str = ""
    alias: str = ""  # "model@alias"
    deadline_iteration: str = ""  # "" or "0": the PI's end
    kill_threshold: str = ""
    kill_iteration: str = ""

    @property
    def empty(self) -> bool:
        return not (self.metric or self.threshold.strip() or self.alias.strip() or self.kill_threshold.strip())


@dataclass(frozen=True)
class Target:
    experiment_id: str
    experiment: str
    metric: str
    comparator: str
    threshold: float
    model: str | None = None
    alias: str | None = None
    deadline_iteration: int | None = None
    kill_threshold: float | None = None
    kill_iteration: int | None = None

    @property
    def kill_text(self) -> str | None:
        if self.kill_threshold is None:
            return None
        return f"stop if not {self.comparator} {self.kill_threshold:g} by iteration {self.kill_iteration}"


def iterations(pi: ProgramIncrement) -> int:
    return max(1, math.ceil(((pi.end_on - pi.start_on).days + 1) / ITERATION_DAYS))


def iteration_end(pi: ProgramIncrement, n: int | None) -> date:
    """The last day of iteration n (the PI's end for None, 0 or past the last iteration)."""
    if not n:
        return pi.end_on
    return min(pi.end_on, pi.start_on + timedelta(days=ITERATION_DAYS * n - 1))


def end_ms(pi: ProgramIncrement, day: date) -> int:
    """Midnight after `day` in the PI's timezone, in ms: a deadline holds through its whole day."""
    moment = datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(pi.timezone))
    return int(moment.timestamp() * 1000)


def catalog(s: Session) -> list[MetricCatalog]:
    """The experiments (with metrics) the form offers, by name."""
    return [c for c in s.scalars(select(MetricCatalog).order_by(MetricCatalog.name)) if c.metrics]


def _number(raw: str, what: str, field: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise UserError(f"Write the {what} as a number, e.g. 0.85 (got “{raw.strip()[:20]}”).", field=field) from None
    if not math.isfinite(value):
        raise UserError(f"Write the {what} as a finite number, e.g. 0.85.", field=field)
    return value


def _iteration(raw: str, pi: ProgramIncrement, field: str) -> int | None:
    raw = raw.strip()
    if not raw or raw == "0":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= iterations(pi):
        raise UserError(f"Pick an iteration from 1 to {iterations(pi)}.", field=field)
    return int(raw)


def parse(s: Session, pi: ProgramIncrement, data: HypothesisInput | None) -> Target | None:
    """The validated target, None when the form left the hypothesis empty; UserError on its field."""
    if data is None or data.empty:
        return None
    experiment_id, _, metric = data.metric.partition(":")
    if not metric:
        raise UserError("Pick the experiment's metric the hypothesis is about.", field=Block.METRIC)
    entry = s.get(MetricCatalog, experiment_id)
    if entry is None or metric not in entry.metrics:
        raise UserError(
            f"MLflow no longer lists `{metric[:80]}` for that experiment: reopen the form and pick again.",
            field=Block.METRIC,
        )
    if data.comparator not in COMPARATORS:
        raise UserError("Pick how the metric compares with the threshold (>=, >, <=, <).", field=Block.COMPARATOR)
    if not data.threshold.strip():
        raise UserError("Give the threshold the metric must reach, e.g. 0.85.", field=Block.THRESHOLD)
    threshold = _number(data.threshold, "threshold", Block.THRESHOLD)
    model = alias = None
    if data.alias.strip():
        found = ALIAS.match(data.alias)
        if not found:
            raise UserError(
                f"Write the model alias as `model@alias`, e.g. `churn@champion` (got “{data.alias.strip()[:40]}”).",
                field=Block.ALIAS,
            )
        model, alias = found.group(1), found.group(2)
    kill = _number(data.kill_threshold, "kill threshold", Block.KILL_THRESHOLD) if data.kill_threshold.strip() else None
    kill_iteration = _iteration(data.kill_iteration, pi, Block.KILL_ITERATION)
    if kill is not None and kill_iteration is None:
        raise UserError("Pick the iteration by which the kill threshold must be reached.", field=Block.KILL_ITERATION)
    return Target(
        experiment_id=experiment_id,
        experiment=entry.name,
        metric=metric,
        comparator=data.comparator,
        threshold=threshold,
        model=model,
        alias=alias,
        deadline_iteration=_iteration(data.deadline_iteration, pi, Block.DEADLINE),
        kill_threshold=kill,
        kill_iteration=kill_iteration if kill is not None else None,
    )


def store(s: Session, objective: Objective, target: Target | None) -> None:
    """Write the target onto the objective and its tracking row; a changed target starts tracking anew."""
    row = s.get(Hypothesis, objective.id) if objective.id else None
    if target is None:
        objective.experiment = objective.metric = objective.comparator = objective.kill_criterion = None
        objective.target = None
        if row is not None:
            s.delete(row)
        return
    same = row is not None and (
        (row.experiment_id, objective.metric, objective.comparator, objective.target, row.model, row.alias)
        == (target.experiment_id, target.metric, target.comparator, target.threshold, target.model, target.alias)
    )
    objective.experiment, objective.metric = target.experiment[:200], target.metric
    objective.comparator, objective.target, objective.kill_criterion = (
        target.comparator,
        target.threshold,
        target.kill_text,
    )
    if row is None:
        row = Hypothesis(objective_id=objective.id, points=[], verdict="unknown")
        s.add(row)
    if not same:
        _reset(row)
    row.experiment_id, row.model, row.alias = target.experiment_id, target.model, target.alias
    row.deadline_iteration, row.kill_threshold, row.kill_iteration = (
        target.deadline_iteration,
        target.kill_threshold,
        target.kill_iteration,
    )


def _reset(row: Hypothesis) -> None:
    row.latest_value = row.best_value = row.champion_value = None
    row.latest_run = row.best_run_id = row.best_run = row.champion_version = None
    row.points, row.verdict, row.checked_at, row.error = [], "unknown", None, None
    row.met_run_id = row.met_run = None
    row.met_at = None


def form_values(objective: Objective | None) -> dict[str, str]:
    """The form's initial values for an objective's target ({} for none)."""
    row = objective.hypothesis if objective is not None else None
    if objective is None or row is None or objective.target is None:
        return {}
    return {
        Block.METRIC: f"{row.experiment_id}:{objective.metric}",
        Block.COMPARATOR: objective.comparator or ">=",
        Block.THRESHOLD: f"{objective.target:g}",
        Block.ALIAS: f"{row.model}@{row.alias}" if row.model and row.alias else "",
        Block.DEADLINE: str(row.deadline_iteration or 0),
        Block.KILL_THRESHOLD: f"{row.kill_threshold:g}" if row.kill_threshold is not None else "",
        Block.KILL_ITERATION: str(row.kill_iteration or ""),
    }
