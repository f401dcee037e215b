"""The web process: Slack's HTTP endpoint and a health check behind waitress, or Socket Mode."""

from __future__ import annotations

import functools
import gc
import json
import logging
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from bot.capabilities import WebRequest, WebRoute
from bot.request_guard import SignedOnce
from bot.runtime import Runtime
from bot.slack_client import SlackClients

log = logging.getLogger(__name__)

SLACK_PATHS = {"/slack/events", "/slack/install", "/slack/oauth_redirect"}
MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; refuse anything larger before parsing


def wsgi_app(app: App, runtime: Runtime) -> Callable[..., Iterable[bytes]]:
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _health(runtime, start_response)
        if path in SLACK_PATHS:
            length = environ.get("CONTENT_LENGTH") or "0"
            if not length.isdigit() or int(length) > MAX_BODY_BYTES:
                return _plain(start_response, "413 Payload Too Large", "request body too large")
            try:
                return slack(environ, start_response)
            except Exception:  # noqa: BLE001 — a body Bolt cannot even parse (not JSON, not a form)
                log.warning("unparseable request body path=%s length=%s", path, length)
                return _plain(start_response, "400 Bad Request", "request body is neither a Slack form nor JSON")
        route = runtime.capabilities.routes().get(path)
        if route is not None and environ.get("REQUEST_METHOD") == "POST":
            return _route(route, runtime, environ, start_response)
        return _plain(start_response, "404 Not Found", "not found")

    return application


def _route(route: WebRoute, runtime: Runtime, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """A capability's own route (e.g. MLflow's webhooks): bounded body, header names lower-case."""
    length = environ.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return _plain(start_response, "413 Payload Too Large", "request body too large")
    body = environ["wsgi.input"].read(int(length))
    headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
    headers["content-type"] = str(environ.get("CONTENT_TYPE") or "")
    answer = route(runtime, WebRequest("POST", environ.get("PATH_INFO", ""), headers, body))
    return _plain(start_response, f"{answer.status} {HTTPStatus(answer.status).phrase}", answer.body)


def _health(runtime: Runtime, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The database, and nothing else: a connection of its own (not from the pool that deferred work
    holding connections while it waits on Slack, MLflow or a tracker could exhaust), with a connect timeout."""
    try:
        with _health_engine(runtime.database.url).connect() as conn:
            conn.execute(text("SELECT 1"))
        status, body = "200 OK", {"ok": True, "database": "ok"}
    except Exception as exc:  # noqa: BLE001 — a health check reports, it does not raise
        status, body = "503 Service Unavailable", {"ok": False, "database": type(exc).__name__}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


@functools.cache
def _health_engine(url: str) -> Engine:
    connect_args: dict[str, Any] = {"timeout": 5} if url.startswith("sqlite") else {"connect_timeout": 5}
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def _plain(start_response: Callable[..., Any], status: str, message: str) -> Iterable[bytes]:
    payload = message.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(payload)))])
    return [payload]


def make_server(app: App, runtime: Runtime, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (not yet serving); port 0 picks a free port (tests)."""
    from waitress.server import create_server

    return create_server(
        wsgi_app(app, runtime),
        host=host,
        port=port,
        threads=threads,
        ident="ritualbot",
        clear_untrusted_proxy_headers=True,
    )


def start_sender_thread(
    runtime: Runtime, stop: threading.Event, idle_rounds: Callable[[], bool] = lambda: True
) -> threading.Thread:
    thread = threading.Thread(
        target=runtime.sender.run_forever,
        kwargs={"stop": stop, "idle_rounds": idle_rounds},
        name="outbox-sender",
        daemon=True,
    )
    thread.start()
    return thread


def serve(app: App, runtime: Runtime) -> None:
    settings = runtime.settings
    clients = runtime.clients
    if isinstance(clients, SlackClients) and clients.installation_store is not None:
        clients.installation_store.reencrypt()  # rows under an older RITUALBOT_ENCRYPTION_KEY move to the newest
    # What the imports and the app built stays for the process's life: out of the collector's sight, a full
    # collection no longer walks it (measured: a 80–100 ms pause every few seconds at 200 requests a second,
    # p99 of the one-line /ticket 97.7 -> 9.2 ms on SQLite)
    gc.collect()
    gc.freeze()
    stop = threading.Event()
    handoff = getattr(getattr(app, "deferred", None), "handoff", None)
    # what a running worker enqueues (the writes handed to it, its jobs) it sends: this process polls only without one
    start_sender_thread(runtime, stop, idle_rounds=lambda: handoff is None or not handoff.worker_alive())
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("starting in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token).start()
            return
        server = make_server(app, runtime, host="0.0.0.0", port=settings.port)
        log.info("listening port=%s path=/slack/events", settings.port)
        server.run()
    finally:
        stop.set()
        guard: SignedOnce | None = getattr(app, "guard", None)
        if guard is not None:  # signatures of the last read-only requests, for the other web processes
            guard.flushed(timeout=5)
