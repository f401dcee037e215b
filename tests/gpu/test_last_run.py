"""Idle $ next to the owner's last run: the digest line and the owner DM show the owner's latest MLflow
run in the experiments the team watches (read through reports/runs/queries.py), from a real SQLite
MLflow store, the lab fleet in the real Prometheus, the signed endpoint and the Slack double."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from mlflow import MlflowClient

from bot import jobs
from bot.config import Settings
from tests.conftest import SIGNING_SECRET
from tests.digest import view
from tests.gpu.fleet import OWNERS, PRICES
from tests.slack.double import SlackDouble

SCOPE = "T0001:C0001"
UI = "http://mlflow.test/"


@pytest.fixture
def mlflow_uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


@pytest.fixture
def settings(database_url: str, slack: SlackDouble, prometheus_url: str, mlflow_uri: str) -> Settings:
    gpu = {
        "sources": [{"type": "prometheus", "name": "dcgm", "url": prometheus_url, "matchers": {"cluster": "lab"}}],
        "prices": PRICES,
        "owners": OWNERS,
    }
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
        mlflow_tracking_uri=mlflow_uri,
        file={"gpu": gpu, "runs": {"ui_url": UI}},
    )


def ms(*when: int) -> int:
    return int(datetime(*when, tzinfo=UTC).timestamp() * 1000)


def grace_runs(mlflow: MlflowClient) -> tuple[str, str]:
    """grace's runs in `nlp-finetune`: an old one, then `lora-r16` that ended Fri 20 Nov 09:00 UTC."""
    experiment = mlflow.create_experiment("nlp-finetune")
    for name, start, end in (
        ("lora-r8", ms(2026, 11, 10, 9), ms(2026, 11, 10, 18)),
        ("lora-r16", ms(2026, 11, 19, 9), ms(2026, 11, 20, 9)),
    ):
        run = mlflow.create_run(experiment, start_time=start, tags={"mlflow.user": "grace"}, run_name=name)
        mlflow.set_terminated(run.info.run_id, end_time=end)
    other = mlflow.create_run(experiment, start_time=ms(2026, 11, 22, 9), tags={"mlflow.user": "ravi"}, run_name="x")
    mlflow.set_terminated(other.info.run_id, end_time=ms(2026, 11, 22, 10))
    return experiment, run.info.run_id


def test_the_owner_s_last_run_is_shown_next_to_the_idle_gpu(signed, runtime, slack, deliver, mlflow_uri):
    mlflow = MlflowClient(tracking_uri=mlflow_uri, registry_uri=mlflow_uri)
    experiment, run_id = grace_runs(mlflow)
    signed.command("/runs", "watch nlp-finetune")
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("digest.post", SCOPE, rt=runtime).ran
    assert jobs.run("gpu.owners", SCOPE, rt=runtime).ran
    deliver()
    link = f"<{UI}#/experiments/{experiment}/runs/{run_id}|lora-r16>"
    digest = view.part(view.digests(slack)[-1], "*Idle GPUs*")
    lines = "\n".join(b["text"]["text"] for b in digest["blocks"] if b["type"] == "section")
    assert (
        "• *train-2/gpu1 (NVIDIA A100-SXM4-80GB)* — 24 h idle ($96.00), idle 7 days · grace@example.com"
        f" · last run {link} ended 3 days ago"
    ) in lines
    assert "• *train-1/gpu1 (NVIDIA A100-SXM4-80GB)* — 21 h idle ($84.00) · ada@example.com\n" in lines + "\n"
    [dm] = [p["text"] for p in slack.posted("U0002")]
    assert dm.endswith(f"so someone else can.\nYour last run {link} ended 3 days ago.")
