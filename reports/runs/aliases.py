"""Alias changes made outside Slack (MLflow UI, API, CI), announced in the channels watching the model.

MLflow 3's registry webhooks (`model_version_alias.created` / `.deleted`) deliver them to the web process;
`verify` checks MLflow's signature scheme (mlflow/webhooks/delivery.py): header `X-MLflow-Signature:
v1,<base64 HMAC-SHA256 of "<delivery id>.<timestamp>.<body>">` with the webhook's secret, plus
`X-MLflow-Timestamp` (unix seconds) and `X-MLflow-Delivery-Id`. Where no webhook is set up, each poll
reads the alias instead (`poll_alias`). Either way a watch remembers the version it last announced
(`RunWatch.champion_version`, also set by a promotion from Slack), so a move is announced once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mlflow import MlflowClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.errors import ConfigError
from bot.runtime import Runtime
from reports.runs import config as runs_config
from reports.runs import render, source
from reports.runs.config import RunsConfig
from reports.runs.models import RunWatch

log = logging.getLogger(__name__)

SIGNATURE = "x-mlflow-signature"
TIMESTAMP = "x-mlflow-timestamp"
DELIVERY = "x-mlflow-delivery-id"
VERSION = "v1"
TOLERANCE_SECONDS = 300  # MLflow's docs: reject deliveries older than five minutes (replays)
ENTITY = "model_version_alias"


def receive(rt: Runtime, headers: Mapping[str, str], body: bytes) -> tuple[int, str]:
    """One webhook delivery to the web process: (HTTP status, short answer for MLflow's delivery log)."""
    config = runs_config.load(rt.settings)
    if not config.webhook_secret_env:
        return 404, "MLflow webhooks are not set up here: set runs.webhook_secret_env in ritualbot.yaml"
    try:
        secret = rt.settings.secret(config.webhook_secret_env)
    except ConfigError as exc:
        log.warning("mlflow webhook refused: no secret problem=%s", exc)
        return 503, "the webhook secret is not configured on this server"
    now = rt.clock.now()
    try:
        payload = verify(secret, headers, body, now)
    except Rejected as exc:
        log.warning("mlflow webhook rejected reason=%s delivery=%s", exc, headers.get(DELIVERY, "-")[:64])
        return 401, f"rejected: {exc}"
    try:
        mlflow: MlflowClient | None = source.client(rt.settings)
    except ConfigError:
        mlflow = None
    with rt.database.session() as s:
        posted = on_event(s, mlflow, payload, config, now)
    return 200, f"announced in {posted} channel(s)"


class Rejected(Exception):
    """A delivery that is not MLflow's (bad or missing signature, stale timestamp, not JSON)."""


def sign(secret: str, delivery_id: str, timestamp: str, body: str) -> str:
    """MLflow's signature of a delivery (the same computation as mlflow.webhooks.delivery)."""
    digest = hmac.new(secret.encode(), f"{delivery_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(digest).decode()}"


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: datetime) -> dict[str, Any]:
    """The delivery's JSON payload if MLflow signed it with `secret` within the tolerance; else Rejected."""
    delivery, stamp, given = headers.get(DELIVERY, ""), headers.get(TIMESTAMP, ""), headers.get(SIGNATURE, "")
    if not (delivery and stamp and given):
        raise Rejected("missing X-MLflow-Signature, X-MLflow-Timestamp or X-MLflow-Delivery-Id")
    if not stamp.isdigit() or abs(now.timestamp() - int(stamp)) > TOLERANCE_SECONDS:
        raise Rejected("timestamp outside the tolerance")
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise Rejected("body is not UTF-8") from None
    expected = sign(secret, delivery, stamp, text)
    if not any(hmac.compare_digest(expected, s.strip()) for s in given.split(" ")):
        raise Rejected("signature mismatch")
    try:
        payload = json.loads(text)
    except ValueError:
        raise Rejected("body is not JSON") from None
    if not isinstance(payload, dict):
        raise Rejected("body is not a JSON object")
    return payload


def on_event(
    s: Session, mlflow: MlflowClient | None, payload: Mapping[str, Any], config: RunsConfig, now: datetime
) -> int:
    """Announce an alias event in every channel watching its model; returns the messages enqueued."""
    data = payload.get("data") or {}
    if payload.get("entity") != ENTITY or not isinstance(data, Mapping) or data.get("alias") != config.alias:
        return 0
    model, action = str(data.get("name") or ""), payload.get("action")
    version = str(data.get("version") or "") if action == "created" else ""
    if action not in ("created", "deleted"):
        return 0
    return moved(s, mlflow, model, version, config, now)


def poll_alias(s: Session, mlflow: MlflowClient, watch: RunWatch, config: RunsConfig, now: datetime) -> int:
    """The fallback without webhooks: read the watch's alias once per poll."""
    if not watch.registered_model:
        return 0
    found = source.alias_run(mlflow, watch.registered_model, config.alias)
    version = found[0] if found else ""
    if watch.champion_version is None:  # a watch from before this was tracked: learn, do not announce
        watch.champion_version = version
        return 0
    return moved(s, mlflow, watch.registered_model, version, config, now, only=watch)


def moved(
    s: Session,
    mlflow: MlflowClient | None,
    model: str,
    version: str,
    config: RunsConfig,
    now: datetime,
    only: RunWatch | None = None,
) -> int:
    """`model@alias` is now `version` ("" removed): tell each watch that has not seen it yet."""
    rows = [only] if only else s.scalars(select(RunWatch).where(RunWatch.registered_model == model))
    posted = 0
    run = None
    for row in rows:
        if not row.enabled or row.champion_version == version:
            continue
        previous = row.champion_version or None
        if version:
            run = run or _run_of(mlflow, model, version)
            text = render.alias_moved(model, config.alias, version, previous, run, config.ui_url)
        else:
            text = render.alias_removed(model, config.alias, previous)
        row.champion_version = version
        outbox.post(s, channel=row.channel_id, team_id=row.team_id, text=text, now=now)
        posted += 1
    log.info("alias change model=%s alias=%s version=%s announced=%s", model, config.alias, version or "-", posted)
    return posted


def _run_of(mlflow: MlflowClient | None, model: str, version: str) -> source.RunView | None:
    """The version's run, for the link; the announcement goes out without it when MLflow does not answer."""
    if mlflow is None:
        return None
    try:
        run_id = source.version_run(mlflow, model, version)
        return source.get_run(mlflow, run_id) if run_id else None
    except Exception as exc:  # noqa: BLE001 — the alias moved either way; the link is a nicety
        log.warning("alias run lookup failed model=%s version=%s error=%s", model, version, type(exc).__name__)
        return None
