"""Runs as other capabilities ask for them: a person's latest MLflow run in the experiments the team's
channels watch. The idle-GPU report shows it next to an idle GPU's owner, so "still in use?" comes
with evidence. Nothing here raises: without runs set up, or with MLflow unreachable, there is no run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from mlflow import MlflowClient
from sqlalchemy.orm import Session

from bot.config import Settings
from reports.runs import config as runs_config
from reports.runs import render, service, source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LastRun:
    name: str
    status: str  # RUNNING, FINISHED, FAILED, KILLED
    started: datetime
    ended: datetime | None
    link: str  # mrkdwn: the run's name, linked to the MLflow UI when its URL is known


def last_runs(session: Session, settings: Settings, team_id: str, people: Iterable[str]) -> dict[str, LastRun]:
    """{person: their newest run}, matching MLflow's `mlflow.user` with the name or an email's local part."""
    wanted = sorted({p for p in people if p})
    experiments = sorted({w.experiment_id for w in service.watches(session, team_id)})
    if not wanted or not experiments:
        return {}
    try:
        config = runs_config.load(settings)
        mlflow = source.client(settings)
        found = {}
        for person in wanted:
            run = _newest(mlflow, experiments, person)
            if run is not None:
                found[person] = LastRun(
                    name=run.name,
                    status=run.status,
                    started=_time(run.start_ms) or datetime.fromtimestamp(0, UTC),
                    ended=_time(run.end_ms),
                    link=render.link(run, config.ui_url),
                )
        return found
    except Exception as exc:  # noqa: BLE001 — MLflow's errors are many; the GPU report goes on without runs
        log.warning("last runs unavailable team=%s error=%s", team_id, type(exc).__name__)
        return {}


def _newest(mlflow: MlflowClient, experiments: list[str], person: str) -> source.RunView | None:
    names = [person] + ([person.split("@", 1)[0]] if "@" in person else [])
    for name in names:
        quoted = name.replace("\\", "\\\\").replace("'", "\\'")
        page = mlflow.search_runs(
            experiments,
            filter_string=f"tags.`mlflow.user` = '{quoted}'",
            order_by=["attributes.start_time DESC"],
            max_results=1,
        )
        if page:
            return source.view(page[0])
    return None


def _time(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms else None
