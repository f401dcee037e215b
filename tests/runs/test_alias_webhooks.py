"""Alias changes made outside Slack: MLflow 3 registry webhooks into the web process (signed the way
MLflow signs them, and by a real `mlflow server`), and the poll of the alias where none is set up."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import httpx
import pytest
from mlflow.webhooks.delivery import _generate_hmac_signature

from bot.config import Settings
from reports.runs.demo import register
from tests.runs.conftest import UI
from tests.runs.helpers import poll, run

SECRET = "whsec-test-0123456789"


@pytest.fixture
def runs_yaml(runs_yaml: dict[str, Any]) -> dict[str, Any]:
    return {**runs_yaml, "webhook_secret_env": "MLFLOW_WEBHOOK_SECRET"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, env={**settings.env, "MLFLOW_WEBHOOK_SECRET": SECRET})


def deliver_signed(
    app_url: str, payload: dict[str, Any], *, secret: str = SECRET, at: float, delivery: str = ""
) -> Any:
    """POST a delivery exactly as mlflow.webhooks.delivery builds one (its own signing function)."""
    body = json.dumps(payload)
    delivery = delivery or str(uuid.uuid4())
    stamp = str(int(at))
    headers = {
        "Content-Type": "application/json",
        "X-MLflow-Delivery-Id": delivery,
        "X-MLflow-Timestamp": stamp,
        "X-MLflow-Signature": _generate_hmac_signature(secret, delivery, stamp, body),
    }
    return httpx.post(app_url + "mlflow/webhook", content=body.encode(), headers=headers, timeout=10)


def _alias_created(model: str, version: str, alias: str = "champion") -> dict[str, Any]:
    return {
        "entity": "model_version_alias",
        "action": "created",
        "timestamp": "2026-11-23T09:00:00+00:00",
        "data": {"name": model, "alias": alias, "version": version},
    }


def _two_channels(signed, database, mlflow) -> tuple[str, str]:
    exp = mlflow.create_experiment("churn")
    base = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", base, alias="champion")
    signed.command("/runs", "watch churn primary=val_auc model=churn-model")
    signed.command("/runs", "watch churn <#C0002|other> primary=val_auc model=churn-model")
    better = run(mlflow, exp, "better", -50, -40, metrics={"val_auc": 0.9})
    register(mlflow, "churn-model", better)
    return exp, better


def test_a_signed_alias_webhook_is_announced_once_in_each_watching_channel(
    signed, database, mlflow, app_url, clock, deliver, slack
):
    exp, better = _two_channels(signed, database, mlflow)
    mlflow.set_registered_model_alias("churn-model", "champion", "2")
    delivery = str(uuid.uuid4())
    now = clock.now().timestamp()
    answer = deliver_signed(app_url, _alias_created("churn-model", "2"), at=now, delivery=delivery)
    assert (answer.status_code, answer.text) == (200, "announced in 2 channel(s)")
    assert deliver_signed(app_url, _alias_created("churn-model", "2"), at=now, delivery=delivery).text == (
        "announced in 0 channel(s)"  # MLflow's retry of the same delivery
    )
    deliver()
    note = (
        f":label: `churn-model@champion` now points at version 2, run <{UI}#/experiments/{exp}/runs/{better}|better> "
        "(was version 1), set in MLflow."
    )
    assert [p["text"] for p in slack.posted("C0001")] == [note]
    assert [p["text"] for p in slack.posted("C0002")] == [note]


def test_unsigned_forged_or_stale_webhooks_are_rejected_and_announce_nothing(
    signed, database, mlflow, app_url, clock, deliver, slack
):
    _two_channels(signed, database, mlflow)
    now = clock.now().timestamp()
    payload = _alias_created("churn-model", "2")
    forged = deliver_signed(app_url, payload, secret="not-the-secret", at=now)
    stale = deliver_signed(app_url, payload, at=now - 301)
    unsigned = httpx.post(app_url + "mlflow/webhook", json=payload, timeout=10)
    assert [(r.status_code, r.text) for r in (forged, stale, unsigned)] == [
        (401, "rejected: signature mismatch"),
        (401, "rejected: timestamp outside the tolerance"),
        (401, "rejected: missing X-MLflow-Signature, X-MLflow-Timestamp or X-MLflow-Delivery-Id"),
    ]
    deliver()
    assert slack.posted() == []


def test_a_promotion_from_slack_is_not_announced_again_by_its_webhook(
    signed, database, mlflow, app_url, runtime, clock, deliver, slack
):
    exp = mlflow.create_experiment("churn")
    base = run(mlflow, exp, "base", -120, -60, metrics={"val_auc": 0.80})
    register(mlflow, "churn-model", base, alias="champion")
    signed.command("/runs", "watch churn primary=val_auc model=churn-model")
    better = run(mlflow, exp, "better", 1, 2, metrics={"val_auc": 0.9})
    poll(runtime, clock, deliver, 1)
    register(mlflow, "churn-model", better)
    [card] = slack.posted("C0001")
    signed.action("runs.promote", card["blocks"][-1]["elements"][0]["value"], user="U0001")
    answer = deliver_signed(app_url, _alias_created("churn-model", "2"), at=clock.now().timestamp())
    assert answer.text == "announced in 0 channel(s)"


def test_without_webhooks_a_poll_notices_an_alias_moved_in_mlflow_once(
    signed, database, mlflow, runtime, clock, deliver, slack, runs_yaml
):
    del runs_yaml["webhook_secret_env"]
    _two_channels(signed, database, mlflow)
    poll(runtime, clock, deliver, 1)
    assert slack.posted("C0001") == []  # the champion of the moment the watch began is not news
    mlflow.set_registered_model_alias("churn-model", "champion", "2")
    poll(runtime, clock, deliver, 1)
    poll(runtime, clock, deliver, 1)
    [note] = slack.posted("C0001")
    assert note["text"].startswith(":label: `churn-model@champion` now points at version 2")
    mlflow.delete_registered_model_alias("churn-model", "champion")
    poll(runtime, clock, deliver, 1)
    assert slack.posted("C0001")[-1]["text"] == (
        ":label: `churn-model@champion` was removed in MLflow (it pointed at version 2)."
    )
