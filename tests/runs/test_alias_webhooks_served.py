"""MLflow 3 registry webhooks from a real `mlflow server` (its own signing and delivery thread) into
the web process."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from mlflow import MlflowClient
from sqlalchemy import select

from bot.config import Settings
from reports.runs import aliases
from reports.runs.demo import register
from reports.runs.models import RunWatch
from tests.runs.helpers import run
from tests.runs.test_alias_webhooks import SECRET


@pytest.fixture
def runs_yaml(runs_yaml: dict[str, Any]) -> dict[str, Any]:
    return {**runs_yaml, "webhook_secret_env": "MLFLOW_WEBHOOK_SECRET"}


@pytest.fixture
def settings(settings: Settings, mlflow_server: str) -> Settings:
    env = {**settings.env, "MLFLOW_WEBHOOK_SECRET": SECRET}
    return dataclasses.replace(settings, mlflow_tracking_uri=mlflow_server, env=env)


def test_a_real_mlflow_servers_deliveries_pass_verification_and_announce_the_alias(
    signed, database, app_url, clock, deliver, slack, monkeypatch, mlflow_server
):
    remote = MlflowClient(tracking_uri=mlflow_server, registry_uri=mlflow_server)
    clock.set(datetime.now(UTC))  # MLflow stamps deliveries with the real time: the check must see the same
    exp = remote.create_experiment(f"hooked-{uuid.uuid4().hex[:6]}")
    model = f"hooked-model-{uuid.uuid4().hex[:6]}"
    base = run(remote, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(remote, model, base, alias="champion")
    signed.command("/runs", f"watch {remote.get_experiment(exp).name} primary=val_auc model={model}")
    with database.session() as s:
        assert s.scalars(select(RunWatch)).one().registered_model == model
    url = app_url + "mlflow/webhook"
    good = remote.create_webhook(f"ok-{model}", url, ["model_version_alias.created"], secret=SECRET)
    bad = remote.create_webhook(f"bad-{model}", url, ["model_version_alias.created"], secret="wrong")
    checked = remote.test_webhook(good.webhook_id)  # MLflow's example payload: a model nobody watches
    assert (checked.response_status, checked.response_body) == (200, "announced in 0 channel(s)")
    refused = remote.test_webhook(bad.webhook_id)
    assert (refused.response_status, refused.response_body) == (401, "rejected: signature mismatch")
    remote.delete_webhook(bad.webhook_id)

    arrived = threading.Event()
    receive = aliases.receive

    def observed(*args: Any) -> tuple[int, str]:
        try:
            return receive(*args)
        finally:
            arrived.set()

    monkeypatch.setattr(aliases, "receive", observed)
    version = register(remote, model, run(remote, exp, "next", -50, -40, metrics={"val_auc": 0.9}))
    remote.set_registered_model_alias(model, "champion", version)  # MLflow delivers from a thread of its own
    assert arrived.wait(timeout=60), "mlflow server did not deliver the alias webhook"
    deliver()
    [note] = slack.posted("C0001")
    assert note["text"].startswith(f":label: `{model}@champion` now points at version 2, run ")
