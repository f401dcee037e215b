"""Runs fixtures: a real SQLite MLflow tracking store per test (copied from one migrated template),
a real `mlflow server` on a free loopback port per session, and settings pointing at them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mlflow import MlflowClient

from bot.config import Settings
from tests.conftest import SIGNING_SECRET
from tests.slack.double import SlackDouble

UI = "http://mlflow.test/"
SERVER_START_LIMIT = 90.0


@pytest.fixture(scope="session")
def _mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Create MLflow's schema once (its migrations take seconds); each test copies the file."""
    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def mlflow_uri(_mlflow_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "mlflow" / "mlflow.db"
    target.parent.mkdir()
    shutil.copyfile(_mlflow_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def mlflow(mlflow_uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=mlflow_uri, registry_uri=mlflow_uri)


@pytest.fixture
def runs_yaml() -> dict[str, Any]:
    """The `runs:` section; a test may change it before the app reads it."""
    return {"ui_url": UI, "promoters": ["U0001"], "users": {"grace": "U0002"}, "lookback_seconds": 0}


@pytest.fixture
def settings(database_url: str, slack: SlackDouble, mlflow_uri: str, runs_yaml: dict[str, Any]) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
        mlflow_tracking_uri=mlflow_uri,
        file={"runs": runs_yaml},
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (folder / "server.log").open("wb")
        cmd = [
            str(Path(sys.executable).with_name("mlflow")),
            "server",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--default-artifact-root",
            str(folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]
        env = {  # registry webhooks to the app on loopback over http, and no 60 s webhook-list cache
            **os.environ,
            "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
            "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
            "MLFLOW_WEBHOOK_CACHE_TTL": "0",
        }
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=folder, env=env)

    def wait_ready(self) -> str:
        deadline = time.monotonic() + SERVER_START_LIMIT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {(self.folder / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server not ready in {SERVER_START_LIMIT}s")
            try:  # waiting on the process doubles as the pause between probes
                self.proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session", autouse=True)
def _mlflow_server_process(_mlflow_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Server]:
    """Started with the first runs test and left to boot (it imports for ~30 s) while the others run."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    shutil.copyfile(_mlflow_template, folder / "mlflow.db")
    server = _Server(folder)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mlflow_server(_mlflow_server_process: _Server) -> str:
    """The real tracking server's URL, once /health answers (bounded wait)."""
    return _mlflow_server_process.wait_ready()
