"""A local HTTP double of the Slack Web API: records every call, checks required parameters and
Block Kit limits (methods_check), answers with fixture JSON from tests/fixtures/slack (methods_answer),
and injects 429/5xx, hangs and lost requests on demand.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.slack.history import Conversations
from tests.slack.methods_answer import FIXTURES, User, answer
from tests.slack.methods_check import check, invalid
from tests.slack.oauth import Rotation

__all__ = ["Call", "Failure", "SlackDouble", "User"]
JSON_PARAMS = {"blocks", "view", "attachments", "files", "metadata", "unfurls"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    ok: bool = True
    error: str | None = None


@dataclass
class Failure:
    status: int
    error: str
    retry_after: int | None = None


@dataclass
class SlackDouble:
    token: str = "xoxb-test-token"
    team_id: str = "T0001"
    calls: list[Call] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    usergroups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (handle, members)
    uploads: dict[str, bytes] = field(default_factory=dict)
    rotation: Rotation | None = None  # token rotation on (rotate_tokens): oauth.v2.access refreshes the bot token

    def __post_init__(self) -> None:
        self._methods = json.loads((FIXTURES / "methods.json").read_text())
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._buckets: dict[str, list[float]] = {}
        self._hangs: dict[str, deque[bool]] = defaultdict(deque)
        self._release = threading.Event()
        self._changed = threading.Condition()
        self.conversations = Conversations()
        self.base_url = ""

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                double._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                double._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.root_url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self.base_url = self.root_url + "api/"
        return self.base_url

    def stop(self) -> None:
        self._release.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # -- test controls ---------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, **kwargs: Any) -> User:
        self.users[user_id] = User(user_id, name, **kwargs)
        return self.users[user_id]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            wait = retry_after if retry_after is not None else (1 if status == 429 else None)
            self._failures[method].append(Failure(status, error, wait))

    def rotate_tokens(
        self, refresh_token: str, *, client_id: str = "111.222", client_secret: str = "client-secret"
    ) -> None:
        """Turn token rotation on: `refresh_token` was issued to the app; the current bot token has expired
        (no token is accepted until oauth.v2.access has refreshed it; then only the new one is)."""
        self.rotation = Rotation(client_id, client_secret, {refresh_token})
        self.token = "xoxe.xoxb-expired"

    def rate_limit(self, method: str, per_second: float, burst: int = 1) -> None:
        """Answer 429 with Retry-After once `method` is called faster than `per_second` (token bucket)."""
        self._buckets[method] = [per_second, float(burst), float(burst), time.monotonic()]

    def hang_next(self, method: str, *, lands: bool = True, times: int = 1) -> None:
        """Hold the next call(s) to `method` unanswered until `release()`: past the client's timeout the
        caller cannot know whether it landed. lands=True processes the call first (the message exists,
        the answer is lost); lands=False drops it unprocessed."""
        self._release.clear()
        for _ in range(times):
            self._hangs[method].append(lands)

    def release(self) -> None:
        """Answer (or drop) every held call; calls not yet made are no longer held."""
        with self._lock:
            self._hangs.clear()
        self._release.set()

    def wait_until(self, predicate: Any, timeout: float = 10.0) -> bool:
        """Block until `predicate(self)` holds after some call arrived (no polling sleeps)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout=timeout)

    def add_message(
        self, channel: str, text: str, *, metadata: dict[str, Any] | None = None, thread_ts: str | None = None
    ) -> str:
        """Put a message in a conversation's history as if posted earlier; returns its ts."""
        ts = f"{1_800_000_000 + next(self._ts)}.{next(self._ids):06d}"
        self.conversations.remember(channel, {"text": text, "ts": ts, "metadata": metadata, "thread_ts": thread_ts})
        return ts

    @property
    def history(self) -> dict[str, list[dict[str, Any]]]:
        """Each conversation's messages, oldest first (a DM to U1 is in D<U1>, as conversations.open names it)."""
        return self.conversations.messages

    def process_env(self, database_url: str, **extra: str) -> dict[str, str]:
        """The environment of a `ritualbot` subprocess (worker, run-job) that talks to this double."""
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": self.token,
            "SLACK_API_URL": self.base_url,
            "SLACK_SIGNING_SECRET": "x",
            "RITUALBOT_AUTO_MIGRATE": "false",
            "LOG_LEVEL": "WARNING",
            # a test machine is busy with the tests themselves: a worker on idle CPU only would crawl
            "RITUALBOT_WORKER_PRIORITY": "normal",
            **extra,
        }

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """The messages posted, as people see them: the outbox's message metadata (invisible in Slack) is
        left out here and kept in `calls_to("chat.postMessage")`."""
        return [
            {k: v for k, v in c.params.items() if k != "metadata"}
            for c in self.calls_to("chat.postMessage")
            if channel is None or c.params.get("channel") == channel
        ]

    def view(self, callback_id: str | None = None) -> dict[str, Any]:
        """The latest modal (with `callback_id`, if given) the user was shown by views.open, views.update or
        views.push: a form opened loading (handlers.loading) becomes itself by views.update."""
        for call in reversed(self.calls):
            if call.ok and call.method in ("views.open", "views.update", "views.push"):
                view = call.params.get("view")
                if isinstance(view, dict) and callback_id in (None, view.get("callback_id")):
                    return view
        raise LookupError(f"no modal {callback_id or ''} was shown")

    def responses(self) -> list[dict[str, Any]]:
        """Messages sent to response_url (ephemeral replies after the ack)."""
        return [c.params for c in self.calls_to("response_url")]

    def response_url(self, key: str = "r") -> str:
        return f"{self.root_url}response/{key}"

    # -- serving ---------------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        path = urlparse(req.path).path
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        if path.startswith("/upload/"):
            self.uploads[path.rsplit("/", 1)[1]] = raw
            return self._reply(req, 200, "OK - " + str(len(raw)), content_type="text/plain")
        if path.startswith("/response/"):
            params = json.loads(raw or b"{}")
            if "blocks" in params and (len(params["blocks"] or []) > 50 or invalid(params["blocks"] or [])):
                self._record("response_url", params, None, "invalid_blocks")
                return self._reply(req, 400, "invalid_blocks", content_type="text/plain")
            self._record("response_url", params, None, None)  # wakes wait_until, like any other call
            return self._reply(req, 200, {"ok": True})
        method = path.removeprefix("/api/")
        params = self._params(req, raw)
        token = (req.headers.get("Authorization") or "").removeprefix("Bearer ") or params.pop("token", None)
        with self._lock:
            failure = self._failures[method].popleft() if self._failures[method] else None
            if failure is None and method in self._buckets:
                failure = self._take_token(method)
            hang = self._hangs[method].popleft() if not failure and self._hangs[method] else None
        if hang is False:  # the request is lost before Slack processes it: no effect, no answer
            self._record(method, params, token, "lost_in_transit")
            self._release.wait(60)
            return None
        if failure:
            self._record(method, params, token, failure.error)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return self._reply(req, failure.status, {"ok": False, "error": failure.error}, headers=headers)
        if method == "oauth.v2.access":
            return self._oauth(req, params)
        if method not in self._methods:
            self._record(method, params, token, "unknown_method")
            return self._reply(req, 404, {"ok": False, "error": "unknown_method"})
        if token != self.token:
            self._record(method, params, token, "invalid_auth")
            return self._reply(req, 200, {"ok": False, "error": "invalid_auth"})
        error = self._check(method, params)
        if error:
            self._record(method, params, token, error)
            return self._reply(req, 200, {"ok": False, "error": error})
        try:
            body = self._answer(method, params)
        except LookupError as exc:
            self._record(method, params, token, str(exc))
            return self._reply(req, 200, {"ok": False, "error": str(exc)})
        self._record(method, params, token, None)
        if hang:  # processed, but the answer is held until release(): the caller times out
            self._release.wait(60)
            try:
                return self._reply(req, 200, body)
            except OSError:
                return None
        return self._reply(req, 200, body)

    def _oauth(self, req: BaseHTTPRequestHandler, params: dict[str, Any]) -> None:
        authorization = req.headers.get("Authorization") or ""
        if self.rotation is None:
            body: dict[str, Any] = {"ok": False, "error": "invalid_client_id"}
        else:
            body, new_token = self.rotation.refresh(params, authorization, self.team_id)
            if new_token:
                self.token = new_token  # the expired token is refused from now on
        self._record("oauth.v2.access", params, None, body.get("error"))
        return self._reply(req, 200, body)

    def _take_token(self, method: str) -> Failure | None:
        rate, burst, tokens, last = self._buckets[method]
        now = time.monotonic()
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1:
            self._buckets[method] = [rate, burst, tokens, now]
            return Failure(429, "ratelimited", max(1, math.ceil((1 - tokens) / rate)))
        self._buckets[method] = [rate, burst, tokens - 1, now]
        return None

    def _params(self, req: BaseHTTPRequestHandler, raw: bytes) -> dict[str, Any]:
        query = {k: v[0] for k, v in parse_qs(urlparse(req.path).query).items()}
        ctype = req.headers.get("Content-Type") or ""
        if "json" in ctype:
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        params = {**query, **body}
        for key in JSON_PARAMS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    params[key] = {"__invalid_json__": params[key]}
        return params

    def _check(self, method: str, params: dict[str, Any]) -> str | None:
        return check(self._methods[method], params)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return answer(self, method, params)

    def _record(self, method: str, params: dict[str, Any], token: str | None, error: str | None) -> None:
        with self._lock:
            self.calls.append(Call(method, params, token, ok=error is None, error=error))
        with self._changed:
            self._changed.notify_all()

    @staticmethod
    def _reply(
        req: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        payload = (json.dumps(body) if not isinstance(body, str) else body).encode()
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            req.send_header(key, value)
        req.end_headers()
        req.wfile.write(payload)
