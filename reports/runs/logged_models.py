"""MLflow 3 LoggedModel metrics: a run whose metrics were logged against the model it produced
(`mlflow.log_metric(..., model_id=...)`, an evaluation run scoring the model, MLflow 3 autolog)
is still compared on them.

One `search_logged_models` per batch of runs (`source_run_id IN (...)`), never per metric history.
The run's own value of a metric wins; among the run's models the newest value of a key is taken.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

log = logging.getLogger(__name__)

CHUNK = 100
PAGE = 1000


def metrics_by_run(mlflow: MlflowClient, experiment_id: str, run_ids: Iterable[str]) -> dict[str, dict[str, float]]:
    """{run id: {metric: value}} from the logged models those runs produced (absent: no such metric)."""
    ids = sorted(set(run_ids))
    newest: dict[str, dict[str, tuple[int, int, float]]] = {}
    try:
        for i in range(0, len(ids), CHUNK):
            quoted = ", ".join(f"'{_quote(r)}'" for r in ids[i : i + CHUNK])
            for model in _pages(mlflow, experiment_id, f"source_run_id IN ({quoted})"):
                _take(newest.setdefault(model.source_run_id, {}), model.metrics or [])
    except (MlflowException, AttributeError, NotImplementedError) as exc:  # a store without LoggedModels
        log.info("logged model metrics unavailable experiment=%s error=%s", experiment_id, type(exc).__name__)
        return {}
    return {run: {k: v for k, (_, _, v) in found.items()} for run, found in newest.items() if found}


def _take(found: dict[str, tuple[int, int, float]], metrics: list[Any]) -> None:
    for m in metrics:
        mark = (m.timestamp or 0, m.step or 0, float(m.value))
        if m.key not in found or mark[:2] >= found[m.key][:2]:
            found[m.key] = mark


def _pages(mlflow: MlflowClient, experiment_id: str, query: str) -> Iterable[Any]:
    token = None
    while True:
        page = mlflow.search_logged_models([experiment_id], filter_string=query, max_results=PAGE, page_token=token)
        yield from page
        token = page.token
        if not token:
            return


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
