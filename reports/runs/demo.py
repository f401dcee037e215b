"""Demo data: a local MLflow store filled through the MLflow client, and a watch on it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from mlflow import MlflowClient
from mlflow.entities import Metric, Param

from reports.runs import service, source

if TYPE_CHECKING:
    from bot.demo_context import DemoContext

PARENT_TAG = source.PARENT_TAG


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def log_run(
    mlflow: MlflowClient,
    experiment_id: str,
    name: str,
    *,
    start: int,
    end: int,
    metrics: Mapping[str, float] | None = None,
    params: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    status: str = "FINISHED",
    user: str = "ada",
    parent: str | None = None,
) -> str:
    """Create a run with fixed start/end times (ms) and terminate it; returns its run id."""
    all_tags = {"mlflow.user": user, **(tags or {})}
    if parent:
        all_tags[PARENT_TAG] = parent
    run = mlflow.create_run(experiment_id, start_time=start, run_name=name, tags=all_tags)
    run_id = run.info.run_id
    mlflow.log_batch(
        run_id,
        metrics=[Metric(k, float(v), start, 0) for k, v in (metrics or {}).items()],
        params=[Param(k, str(v)) for k, v in (params or {}).items()],
    )
    mlflow.set_terminated(run_id, status=status, end_time=end)
    return run_id


def register(mlflow: MlflowClient, model: str, run_id: str, alias: str | None = None) -> str:
    """Register a version of `model` from a run (no artifacts needed) and optionally alias it."""
    try:
        mlflow.create_registered_model(model)
    except Exception:  # noqa: BLE001 — it exists already
        pass
    version = mlflow.create_model_version(model, f"runs:/{run_id}/model", run_id=run_id)
    if alias:
        mlflow.set_registered_model_alias(model, alias, version.version)
    return str(version.version)


def seed(ctx: DemoContext) -> None:
    """Runs that ended overnight, announced by the first poll of the demo day."""
    settings = ctx.runtime.settings
    mlflow = source.client(settings)
    exp = mlflow.create_experiment("churn-model")
    at = ctx.at
    champion = log_run(
        mlflow,
        exp,
        "gbm-baseline",
        start=ms(at(2, 0, days=-1)),
        end=ms(at(3, 0, days=-1)),
        metrics={"val_auc": 0.861, "val_loss": 0.342},
        params={"lr": "0.1", "depth": "6"},
    )
    register(mlflow, "churn", champion, alias="champion")
    with ctx.session() as s:
        service.watch(
            s,
            mlflow,
            team_id=ctx.team_id,
            channel_id=ctx.channel_id,
            experiment="churn-model",
            primary="val_auc",
            model="churn",
            user_id="UADA",
            now=at(18, 0, days=-1),
        )
    challenger = log_run(
        mlflow,
        exp,
        "gbm-deeper",
        start=ms(at(18, 20, days=-1)),
        end=ms(at(19, 47, days=-1)),
        metrics={"val_auc": 0.874, "val_loss": 0.331},
        params={"lr": "0.1", "depth": "8"},
        tags={"team": "retention"},
    )
    register(mlflow, "churn", challenger)
    log_run(
        mlflow,
        exp,
        "gbm-wide",
        start=ms(at(20, 5, days=-1)),
        end=ms(at(20, 9, days=-1)),
        status="FAILED",
        user="grace",
        params={"lr": "0.1", "depth": "12"},
    )
    sweep = log_run(
        mlflow, exp, "lr-sweep", start=ms(at(22, 0, days=-1)), end=ms(at(23, 40, days=-1)), params={"depth": "8"}
    )
    for n, (lr, auc) in enumerate([("0.3", 0.852), ("0.1", 0.871), ("0.05", 0.878), ("0.02", 0.869), ("0.01", 0.858)]):
        log_run(
            mlflow,
            exp,
            f"lr-sweep-{n}",
            start=ms(at(22, n, days=-1)),
            end=ms(at(23, 10 + n, days=-1)),
            parent=sweep,
            metrics={"val_auc": auc, "val_loss": 0.35 - (auc - 0.85)},
            params={"lr": lr, "depth": "8"},
        )
    ctx.at(0, 0)
