"""`POST /mlflow/webhook` on the web process: MLflow's registry webhooks (alias changes), verified and
announced by the runs domain."""

from __future__ import annotations

from bot.capabilities import WebRequest, WebResponse
from bot.runtime import Runtime
from reports.runs import aliases

PATH = "/mlflow/webhook"


def receive(runtime: Runtime, request: WebRequest) -> WebResponse:
    status, body = aliases.receive(runtime, request.headers, request.body)
    return WebResponse(status, body)
