"""The runs still going in a watched experiment, and the trials of a sweep (children of a parent run),
read by status and by the `mlflow.parentRunId` tag: bounded by what is running, or by one sweep's size."""

from __future__ import annotations

from mlflow import MlflowClient

from reports.runs import source

ACTIVE = ("RUNNING", "SCHEDULED")


def active(mlflow: MlflowClient, experiment_id: str, parent_id: str | None = None) -> list[source.RunView]:
    """Runs still RUNNING (or SCHEDULED), of the experiment or of one parent run."""
    found = []
    for status in ACTIVE:
        query = f"attributes.status = '{status}'"
        if parent_id:
            query += f" AND tags.`{source.PARENT_TAG}` = '{source.quote(parent_id)}'"
        found += list(source.pages(mlflow, experiment_id, query, ["attributes.start_time ASC"]))
    return found


def children(mlflow: MlflowClient, experiment_id: str, parent_id: str) -> list[source.RunView]:
    """Every child run of a parent (a sweep's trials), any status, oldest first."""
    query = f"tags.`{source.PARENT_TAG}` = '{source.quote(parent_id)}'"
    return source.with_model_metrics(
        mlflow, list(source.pages(mlflow, experiment_id, query, ["attributes.start_time ASC"]))
    )


def child_ended_since(mlflow: MlflowClient, experiment_id: str, parent_id: str, since_ms: int) -> bool:
    """Whether a child of the parent ended at or after `since_ms` (a sweep's parent is alive while trials end)."""
    query = f"tags.`{source.PARENT_TAG}` = '{source.quote(parent_id)}' AND attributes.end_time >= {int(since_ms)}"
    return bool(mlflow.search_runs([experiment_id], filter_string=query, max_results=1))
