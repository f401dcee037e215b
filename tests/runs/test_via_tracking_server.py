"""The poll path against a real `mlflow server` over HTTP on loopback, and tracking URI handling."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from mlflow import MlflowClient
from sqlalchemy import select

from bot.config import Settings
from bot.errors import ConfigError
from reports.runs import source
from reports.runs.demo import register
from reports.runs.models import RunWatch
from tests.runs.helpers import poll, run, text


@pytest.fixture
def settings(settings: Settings, mlflow_server: str) -> Settings:
    return dataclasses.replace(settings, mlflow_tracking_uri=mlflow_server)


def test_poll_over_http_announces_card_sweep_and_failure_once(
    signed, database, runtime, clock, deliver, slack, mlflow_server
):
    remote = MlflowClient(tracking_uri=mlflow_server, registry_uri=mlflow_server)
    exp = remote.create_experiment("served-churn")
    champ = run(remote, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(remote, "served-churn-model", champ, alias="champion")
    body = signed.command("/runs", "watch served-churn primary=val_auc model=served-churn-model").json()
    assert "now gets finished runs of *served-churn*" in body["text"]
    with database.session() as s:
        watch = s.scalars(select(RunWatch)).one()
    run(remote, exp, "better", 1, 2, metrics={"val_auc": 0.83})
    parent = run(remote, exp, "sweep", 1, 3)
    for n in range(2):
        run(remote, exp, f"trial-{n}", 1, 2.5, parent=parent, metrics={"val_auc": 0.7 + n / 100})
    run(remote, exp, "crash", 1, 2, status="FAILED", user="grace")
    poll(runtime, clock, deliver, watch.id)
    poll(runtime, clock, deliver, watch.id)
    posts = slack.posted("C0001")
    assert [p["text"].split(".")[0] for p in posts] == [
        "Run better finished in served-churn",
        "2 runs of sweep finished",
        ":x: Run <http://mlflow",
    ]
    assert "🟢 `val_auc` 0.83 vs 0.8: +0.03 (+3.7%) better" in text(posts[0])
    assert "Baseline: *champion* — `served-churn-model@champion` version 1" in text(posts[0])
    assert [p["channel"] for p in slack.posted("U0002")] == ["U0002"]


def test_a_bare_folder_becomes_a_sqlite_store_inside_it(tmp_path: Path):
    settings = Settings(mlflow_tracking_uri=str(tmp_path / "mlruns"))
    assert source.tracking_uri(settings) == f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"
    assert (
        source.tracking_uri(dataclasses.replace(settings, mlflow_tracking_uri="http://127.0.0.1:5000"))
        == "http://127.0.0.1:5000"
    )


def test_a_legacy_file_store_needs_migration_or_the_opt_in(tmp_path: Path):
    (tmp_path / "mlruns" / "0").mkdir(parents=True)
    (tmp_path / "mlruns" / "0" / "meta.yaml").write_text("name: Default\n")
    settings = Settings(mlflow_tracking_uri=str(tmp_path / "mlruns"))
    with pytest.raises(ConfigError, match="mlflow migrate-filestore"):
        source.tracking_uri(settings)
    allowed = dataclasses.replace(settings, env={"MLFLOW_ALLOW_FILE_STORE": "true"})
    assert source.tracking_uri(allowed) == (tmp_path / "mlruns").as_uri()
