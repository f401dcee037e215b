"""MLflow access: the tracking URI, and the few queries the runs report needs, as plain data.

MLflow's filter language is AND-only, so terminal states are queried one by one. Every query is
bounded (a watermark, a run name, a max_results) so its cost does not grow with history.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from bot.config import Settings
from bot.errors import ConfigError, UserError
from reports.runs import logged_models, tracking_index

log = logging.getLogger(__name__)

TERMINAL = ("FINISHED", "FAILED", "KILLED")
PAGE = 500
PARENT_TAG = "mlflow.parentRunId"
SCHEMES = ("sqlite:", "postgresql", "mysql", "mssql", "http:", "https:", "file:", "databricks")


@dataclass(frozen=True)
class RunView:
    """One MLflow run as the report sees it (no MLflow objects leave this module)."""

    run_id: str
    name: str
    experiment_id: str
    status: str
    start_ms: int
    end_ms: int | None
    user: str
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    last_metric_ms: int = 0  # when the newest of its latest metric values was logged (0: none)

    @property
    def activity_ms(self) -> int:
        """The last sign of life MLflow has of the run: its newest metric (system metrics included), or its start."""
        return max(self.start_ms, self.last_metric_ms)

    @property
    def parent_id(self) -> str | None:
        return self.tags.get(PARENT_TAG)

    @property
    def user_tags(self) -> dict[str, str]:
        return {k: v for k, v in self.tags.items() if not k.startswith("mlflow.")}

    @property
    def seed(self) -> str | None:
        """The run's seed(s): `seed`, `seed*` and `random_state` params (sklearn, HF Trainer's `data_seed`),
        else a `seed` tag."""
        found = [f"{k}={v}" for k, v in sorted(self.params.items()) if is_seed(k)]
        return ",".join(found) if found else self.tags.get("seed")


_SEED = re.compile(r"(\w+_)?seed(\d+|_\w+)?|random_state")


def is_seed(param: str) -> bool:
    """`seed`, `data_seed`, `seed_value`, `seed2`, `random_state` (a dotted prefix ignored); not `n_seeds`."""
    return _SEED.fullmatch(param.lower().rsplit(".", 1)[-1]) is not None


def tracking_uri(settings: Settings) -> str:
    """A URI MLflow accepts. A bare path (the default ./mlruns) is a folder: MLflow 3 keeps the
    old file store only behind MLFLOW_ALLOW_FILE_STORE, so a new or empty folder gets a SQLite
    store inside it, and a legacy file store is used as is when the operator allowed it."""
    uri = settings.mlflow_tracking_uri
    if uri.startswith(SCHEMES):
        return uri
    path = Path(uri).expanduser().resolve()
    if path.suffix == ".db":
        return f"sqlite:///{path}"
    if (path / "0" / "meta.yaml").exists() and not (path / "mlflow.db").exists():
        if str(settings.env.get("MLFLOW_ALLOW_FILE_STORE", "")).lower() in {"1", "true", "yes"}:
            return path.as_uri()
        raise ConfigError(
            f"{uri} is an MLflow file store, which MLflow 3 no longer reads by default: "
            "run `mlflow migrate-filestore` and point MLFLOW_TRACKING_URI at the sqlite:/// "
            "database, or set MLFLOW_ALLOW_FILE_STORE=true"
        )
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'mlflow.db'}"


@cache
def client_for(uri: str) -> MlflowClient:
    """One client per URI and process (a SQL store builds its engine once)."""
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def client(settings: Settings) -> MlflowClient:
    return client_for(tracking_uri(settings))


def index_tracking_store(settings: Settings, store: str | None = None) -> str:
    """`ritualbot runs index`: add ritualbot's index to the tracking database; says what it did."""
    uri = store or tracking_uri(settings)
    if store is None and uri.startswith("sqlite:"):
        client_for(uri).search_experiments(max_results=1)  # a new embedded store gets MLflow's tables first
    outcome = tracking_index.ensure(uri)
    return f"index {tracking_index.NAME} on runs{tracking_index.COLUMNS} {outcome} in {tracking_index.shown(uri)}"


def view(run: Any) -> RunView:
    info, data = run.info, run.data
    return RunView(
        run_id=info.run_id,
        name=info.run_name or info.run_id[:8],
        experiment_id=info.experiment_id,
        status=info.status,
        start_ms=info.start_time or 0,
        end_ms=info.end_time,
        user=info.user_id or "",
        metrics=dict(data.metrics),
        params=dict(data.params),
        tags=dict(data.tags),
        # MLflow gives each metric's latest value with its timestamp (public through the proto): no history read
        last_metric_ms=max((m.timestamp or 0 for m in data.to_proto().metrics), default=0),
    )


def with_model_metrics(mlflow: MlflowClient, runs: list[RunView]) -> list[RunView]:
    """The runs with the metrics of the LoggedModels they produced added (MLflow 3); the run's own values win."""
    by_experiment: dict[str, list[str]] = {}
    for run in runs:
        by_experiment.setdefault(run.experiment_id, []).append(run.run_id)
    found: dict[str, dict[str, float]] = {}
    for experiment_id, run_ids in by_experiment.items():
        found.update(logged_models.metrics_by_run(mlflow, experiment_id, run_ids))
    return [replace(r, metrics={**found[r.run_id], **r.metrics}) if r.run_id in found else r for r in runs]


def find_experiment(mlflow: MlflowClient, name_or_id: str) -> tuple[str, str]:
    """(id, name) of an experiment given by name or id; UserError if neither exists."""
    try:
        found = mlflow.get_experiment_by_name(name_or_id)
        if found is None and name_or_id.isdigit():
            found = mlflow.get_experiment(name_or_id)
    except MlflowException as exc:
        if "RESOURCE_DOES_NOT_EXIST" not in str(exc.error_code):
            raise
        found = None
    if found is None or found.lifecycle_stage != "active":
        raise UserError(
            f"MLflow has no active experiment named or numbered `{name_or_id[:80]}`: check the "
            "name in the MLflow UI (names are case-sensitive)."
        )
    return found.experiment_id, found.name


def check_model(mlflow: MlflowClient, model: str) -> None:
    """UserError unless MLflow has a registered model of that name."""
    try:
        mlflow.get_registered_model(model)
    except MlflowException:
        raise UserError(
            f"MLflow has no registered model `{model[:80]}`: check the name in the Models "
            "page, or leave `model=` out to compare against the best run."
        ) from None


def ended_since(mlflow: MlflowClient, experiment_id: str, since_ms: int) -> list[RunView]:
    """Runs in a terminal state with end_time >= since_ms, oldest first, one per run id."""
    seen: dict[str, RunView] = {}
    for status in TERMINAL:
        query = f"attributes.status = '{status}' AND attributes.end_time >= {int(since_ms)}"
        for run in pages(mlflow, experiment_id, query, ["attributes.end_time ASC"]):
            seen.setdefault(run.run_id, run)
    return sorted(with_model_metrics(mlflow, list(seen.values())), key=lambda r: (r.end_ms or 0, r.run_id))


def pages(mlflow: MlflowClient, experiment_id: str, query: str, order_by: list[str]) -> Iterator[RunView]:
    token = None
    while True:
        page = mlflow.search_runs(
            [experiment_id], filter_string=query, order_by=order_by, max_results=PAGE, page_token=token
        )
        yield from (view(r) for r in page)
        token = page.token
        if not token:
            return


def get_run(mlflow: MlflowClient, run_id: str) -> RunView:
    try:
        found = view(mlflow.get_run(run_id))
    except MlflowException:
        raise UserError(f"MLflow has no run `{run_id[:64]}`: copy the run id from the MLflow UI.") from None
    return with_model_metrics(mlflow, [found])[0]


def latest(mlflow: MlflowClient, experiment_id: str) -> RunView | None:
    page = mlflow.search_runs(
        [experiment_id],
        filter_string="attributes.status = 'FINISHED'",
        order_by=["attributes.end_time DESC"],
        max_results=1,
    )
    return view(page[0]) if page else None


def best_before(
    mlflow: MlflowClient,
    experiment_id: str,
    metric: str,
    lower_is_better: bool,
    before_ms: int,
    exclude: str,
    beyond: float | None = None,
) -> RunView | None:
    """The best finished run on `metric` that ended before `before_ms` (and beats `beyond`).
    Slow on big experiments without `beyond`: MLflow sorts every run by the metric."""
    order = "ASC" if lower_is_better else "DESC"
    query = f"attributes.status = 'FINISHED' AND attributes.end_time < {int(before_ms)}"
    if beyond is not None:
        query += f" AND metrics.`{_tick(metric)}` {'<' if lower_is_better else '>'} {beyond!r}"
    page = mlflow.search_runs(
        [experiment_id], filter_string=query, order_by=[f"metrics.`{_tick(metric)}` {order}"], max_results=5
    )
    return next((view(r) for r in page if r.info.run_id != exclude and metric in r.data.metrics), None)


def metric_names(mlflow: MlflowClient, experiment_id: str, limit: int = 200) -> set[str]:
    """Metric names the experiment's newest runs (and their LoggedModels) log (bounded: a name only old runs
    logged is not offered)."""
    page = mlflow.search_runs([experiment_id], order_by=["attributes.start_time DESC"], max_results=limit)
    return {name for r in with_model_metrics(mlflow, [view(r) for r in page]) for name in r.metrics}


def recent_finished(mlflow: MlflowClient, experiment_id: str, before_ms: int, limit: int) -> list[RunView]:
    query = f"attributes.status = 'FINISHED' AND attributes.end_time < {int(before_ms)}"
    page = mlflow.search_runs(
        [experiment_id], filter_string=query, order_by=["attributes.end_time DESC"], max_results=limit
    )
    return [view(r) for r in page]


def previous_named(
    mlflow: MlflowClient, experiment_id: str, run_name: str, before_ms: int, exclude: str
) -> RunView | None:
    query = (
        f"attributes.status = 'FINISHED' AND attributes.run_name = '{quote(run_name)}' "
        f"AND attributes.end_time < {int(before_ms)}"
    )
    page = mlflow.search_runs(
        [experiment_id], filter_string=query, order_by=["attributes.end_time DESC"], max_results=2
    )
    return next((view(r) for r in page if r.info.run_id != exclude), None)


def same_config(mlflow: MlflowClient, experiment_id: str, params: dict[str, str], limit: int = 50) -> list[RunView]:
    """Finished runs whose params equal `params` (seed excluded by the caller)."""
    clauses = ["attributes.status = 'FINISHED'"]
    clauses += [f"params.`{_tick(k)}` = '{quote(v)}'" for k, v in sorted(params.items())]
    page = mlflow.search_runs([experiment_id], filter_string=" AND ".join(clauses), max_results=limit)
    return [view(r) for r in page]


def alias_run(mlflow: MlflowClient, model: str, alias: str) -> tuple[str, str | None] | None:
    """(version, run_id) of the model version behind `model@alias` (run_id None for a version not made
    from a run), or None when unset."""
    try:
        version = mlflow.get_model_version_by_alias(model, alias)
    except MlflowException:
        return None
    return str(version.version), version.run_id


def version_for_run(mlflow: MlflowClient, model: str, run_id: str) -> str:
    """The newest version of `model` registered from `run_id`; UserError when there is none."""
    versions = mlflow.search_model_versions(f"name = '{quote(model)}' AND run_id = '{quote(run_id)}'")
    if not versions:
        raise UserError(
            f"Run `{run_id[:12]}` has no registered version of model `{model}`: register the "
            "model from this run first, then press Promote again."
        )
    return str(max(int(v.version) for v in versions))


def set_alias(mlflow: MlflowClient, model: str, alias: str, version: str, tags: dict[str, str]) -> None:
    """Tag the version (so MLflow shows who moved the alias, and why), then point `model@alias` at it."""
    for key, value in tags.items():
        mlflow.set_model_version_tag(model, version, key, value)
    mlflow.set_registered_model_alias(model, alias, version)


def drop_alias(mlflow: MlflowClient, model: str, alias: str) -> None:
    mlflow.delete_registered_model_alias(model, alias)


def version_run(mlflow: MlflowClient, model: str, version: str) -> str | None:
    """The run a model version was made from (None for a version not made from a run, or gone)."""
    try:
        return mlflow.get_model_version(model, version).run_id or None
    except MlflowException:
        return None


def quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _tick(name: str) -> str:
    return name.replace("`", "")
