"""The app factory: a Bolt App with ritualbot's request scope, error handling and listeners.

Bolt's global middleware runs before the listener, not around it, so the request's DB session
is opened and closed around `dispatch` itself (RitualApp), and handed to listeners as the
context key `db` by a middleware. Listeners run before the response is returned
(process_before_response): their writes, and the outbox rows they enqueue, are committed
before Slack sees the ack. Work that calls out runs in a bounded lane per dependency (bot.deferred,
`context["deferred"]`); bot posts go through the outbox.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web import WebClient
from sqlalchemy.exc import IntegrityError

from bot import outbox
from bot.config import Settings, bound_mlflow_requests
from bot.deferred import ANSWER_BUDGET, SLACK_TIMEOUT, Deferred
from bot.errors import UserError
from bot.handoff import RAW, Handoff, done_in
from bot.installations import EncryptedInstallationStore, build_installation_store
from bot.matching import RequestMiddleware, Routes, direct
from bot.models import ProcessedEvent
from bot.request_guard import SignedOnce
from bot.runtime import Runtime
from bot.schema import OAUTH_STATES_TABLE
from bot.slack_client import REQUEST_PATH_MINUTES, SlackClients, build_client
from bot.text import mrkdwn, plain
from bot.wiring import build_runtime
from bot.workspaces import of_context, request_from
from handlers import fallback

log = logging.getLogger(__name__)
_dispatching = threading.local()  # the request this thread is dispatching (RitualApp._listeners)

# Only what the code calls or subscribes to; README "Scopes" says which method or event needs each.
# Not requested: app_mentions:read, im:read, reactions:write, users.profile:read (nothing uses them).
BOT_SCOPES = [
    "channels:history",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "links:read",
    "links:write",
    "reactions:read",
    "usergroups:read",
    "users:read",
    "users:read.email",
]


class RitualApp(App):
    """A Bolt App whose every request runs in one DB unit of work."""

    runtime: Runtime
    deferred: Deferred
    guard: SignedOnce  # the replay guard: its thread writes signatures of requests that only read

    def _register_listener(self, functions: Any, primary_matcher: Any, *rest: Any, **kwargs: Any) -> Any:
        return super()._register_listener(functions, direct(primary_matcher), *rest, **kwargs)  # bot.matching

    # Bolt's dispatch loops over `self._listeners`: while this thread dispatches a request, that is the listeners
    # that could match it (bot.matching.Routes); otherwise (registration) all of them
    @property
    def _listeners(self) -> list[Any]:
        everything: list[Any] = self.__dict__["_all_listeners"]
        body = getattr(_dispatching, "body", None)
        if body is None:
            return everything
        routes = self.__dict__.get("_routes")
        if routes is None:
            routes = self.__dict__["_routes"] = Routes(everything)
        return routes.candidates(body)

    @_listeners.setter
    def _listeners(self, value: list[Any]) -> None:
        self.__dict__["_all_listeners"] = value
        self.__dict__.pop("_routes", None)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        session = self.runtime.database.new_session()
        req.context.update(
            db=session,
            clock=self.runtime.clock,
            settings=self.runtime.settings,
            database=self.runtime.database,
            runtime=self.runtime,
            capabilities=self.runtime.capabilities,
            deferred=self.deferred,
        )
        if req.mode == "http":  # what bot.handoff stores when a listener leaves its work to the worker
            req.context[RAW] = (req.content_type or "", req.raw_body)
        committed = False
        try:
            _dispatching.body = req.body
            try:
                response = super().dispatch(req)
            finally:
                _dispatching.body = None
            if req.context.get("rollback_only"):
                session.rollback()
            else:
                done_in(session, req.context)  # a handed-off request is done with this commit (bot.handoff)
                session.commit()
                committed = True
                req.context["committed"] = True
        except Exception:
            session.rollback()
            error_id = uuid.uuid4().hex[:8]
            log.exception("request failed after the listener error_id=%s", error_id)
            return BoltResponse(status=200, body=_apology(error_id))
        finally:
            added = session.info.pop(outbox.ADDED, False)
            session.close()
            self.deferred.release(req.context, send=committed)  # replies of work that ran in the request
        if added and committed:  # a round of the sender costs a query: only when there is something to send
            self.runtime.sender.wake()
        return response


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    runtime: Runtime | None = None,
    answer_budget: float | None = ANSWER_BUDGET,
    handoff: bool = True,
) -> App:
    """`answer_budget`: how long a request waits for work that calls out before answering with its
    pending text (bot.deferred); None waits for the work (flow tests that read the answer in place).
    `handoff`: listeners may leave their work to a running worker (bot.handoff); the worker's own app does not."""
    runtime = runtime or build_runtime(settings)
    bound_mlflow_requests()
    guard = SignedOnce(settings.slack_signing_secret or "", runtime.database)
    kwargs: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "",
        "process_before_response": True,
        "raise_error_for_unhandled_request": False,
        # Bolt's RequestVerification is replaced, not removed: SignedOnce is it plus 401 for a
        # non-numeric timestamp, a one-line log instead of the body, and replay refusal (bot/request_guard.py).
        "request_verification_enabled": False,
        "before_authorize": guard,
        "token_verification_enabled": False,
        "ignoring_self_events_enabled": True,
    }
    if settings.oauth_enabled and client is None:
        kwargs["oauth_settings"] = _oauth_settings(settings, runtime)
        if settings.slack_api_url:
            kwargs["client"] = WebClient(base_url=settings.slack_api_url, timeout=int(SLACK_TIMEOUT))
    else:
        kwargs["client"] = client or runtime.clients.for_team(None)
        kwargs["token"] = kwargs["client"].token
    app = RitualApp(**kwargs)
    app.runtime = runtime
    app.guard = guard
    hand = Handoff(runtime.database, runtime.clock.now, enabled=settings.handoff) if handoff else None
    app.deferred = Deferred(runtime.database, settings, budget=answer_budget, wake=runtime.sender.wake, handoff=hand)
    app.middleware(RequestMiddleware(_once_per_event))
    if not settings.oauth_enabled:
        app.middleware(RequestMiddleware(_installed_again))
    app.error(_handle_error)
    runtime.capabilities.register(app)
    fallback.register(app)  # last: answers whatever no capability claimed
    return app


def _oauth_settings(settings: Settings, runtime: Runtime) -> OAuthSettings:
    """Installs into the encrypted store; requests are authorized from it, refreshing rotating tokens
    through the configured Slack API (the same store and rotation the outbox uses)."""
    engine = runtime.database.engine
    clients = runtime.clients
    store: EncryptedInstallationStore | None = clients.installation_store if isinstance(clients, SlackClients) else None
    store = store or build_installation_store(settings, engine)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=BOT_SCOPES,
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, table_name=OAUTH_STATES_TABLE),
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
    )
    oauth.authorize = InstallationStoreAuthorize(
        logger=log,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=REQUEST_PATH_MINUTES,  # the token_refresh job's window is wider
        client=build_client(None, settings.slack_api_url),
        cache_enabled=True,  # auth.test once per token, not before every answer (a rotated token is a new key)
    )
    return oauth


def _installed_again(body: dict[str, Any], context: BoltContext, next: Any) -> None:  # noqa: A002
    """A request from a workspace marked uninstalled means the app is back (single-workspace mode has
    no OAuth callback to say so): its jobs resume."""
    ws = of_context(context)
    event = body.get("event")
    lifecycle = isinstance(event, dict) and event.get("type") in ("app_uninstalled", "tokens_revoked")
    if ws is not None and not lifecycle and context.get("db") is not None:
        request_from(context["db"], ws.id)
    next()


def _once_per_event(body: dict[str, Any], context: BoltContext, next: Any) -> BoltResponse | None:  # noqa: A002
    """Slack retries an event it thinks we missed (X-Slack-Retry-Num); handle each event_id once."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id:
        next()
        return None
    db = context["db"]
    if db.get(ProcessedEvent, event_id) is not None:
        log.info("duplicate event ignored event_id=%s", event_id)
        return BoltResponse(status=200, body="")
    try:
        db.add(ProcessedEvent(event_id=event_id, received_at=context["clock"].now()))
        db.flush()
    except IntegrityError:
        db.rollback()
        log.info("event processed concurrently event_id=%s", event_id)
        return BoltResponse(status=200, body="")
    next()
    return None


def _handle_error(
    error: Exception, body: dict[str, Any], context: BoltContext, response: BoltResponse | None
) -> BoltResponse:
    context["rollback_only"] = True
    db = context.get("db")
    if db is not None:
        db.rollback()
    if isinstance(error, UserError):  # human text: rendered below for where it goes (bot.text)
        message = error.message
    else:
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "unhandled error error_id=%s type=%s team=%s user=%s",
            error_id,
            body.get("type") or "command",
            context.get("team_id"),
            context.get("user_id"),
            exc_info=error,
        )
        message = _apology(error_id)["text"]
    kind = body.get("type")
    if kind == "view_submission":
        block = getattr(error, "field", None) or _first_input_block(body)
        if block:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {block: plain(message)}})
        return BoltResponse(status=200, body="")
    message = mrkdwn(message)
    if kind in ("block_actions", "message_action", "shortcut") and context.get("respond"):
        respond, deferred = context["respond"], context.get("deferred")
        reply = lambda: respond(text=message, response_type="ephemeral", replace_original=False)  # noqa: E731
        if deferred is not None:
            deferred.post(reply)  # the answer does not wait on Slack (bot.deferred)
            return BoltResponse(status=200, body="")
        try:
            reply()
        except Exception:  # noqa: BLE001 — the apology itself must not fail the request
            log.warning("could not deliver the error message to the user")
        return BoltResponse(status=200, body="")
    if kind == "event_callback":
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body={"response_type": "ephemeral", "text": message})


def _first_input_block(body: dict[str, Any]) -> str | None:
    for block in (body.get("view") or {}).get("blocks", []):
        if block.get("type") == "input":
            return block.get("block_id")
    return None


def _apology(error_id: str) -> dict[str, str]:
    return {
        "response_type": "ephemeral",
        "text": f"Sorry, something went wrong on our side (error id `{error_id}`). "
        "Nothing was changed; please try again, and tell your admin the id if it keeps happening.",
    }
