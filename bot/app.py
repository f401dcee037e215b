"""The app factory: a Bolt App with ritualbot's request scope, error handling and listeners.

Bolt's global middleware runs before the listener, not around it, so the request's DB session
is opened and closed around `dispatch` itself (RitualApp), and handed to listeners as the
context key `db` by a middleware. Listeners run before the response is returned
(process_before_response): their writes, and the outbox rows they enqueue, are committed
before Slack sees the ack. Slow work goes to the outbox, a job or a lazy listener.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web import WebClient
from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.errors import UserError
from bot.models import ProcessedEvent
from bot.runtime import Runtime
from bot.schema import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE
from bot.wiring import build_runtime
from handlers import fallback

log = logging.getLogger(__name__)

BOT_SCOPES = [
    "app_mentions:read",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "users:read",
    "users:read.email",
    "users.profile:read",
]


class RitualApp(App):
    """A Bolt App whose every request runs in one DB unit of work."""

    runtime: Runtime

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        session = self.runtime.database.new_session()
        req.context.update(
            db=session,
            clock=self.runtime.clock,
            settings=self.runtime.settings,
            database=self.runtime.database,
            runtime=self.runtime,
            capabilities=self.runtime.capabilities,
        )
        try:
            response = super().dispatch(req)
            if req.context.get("rollback_only"):
                session.rollback()
            else:
                session.commit()
        except Exception:
            session.rollback()
            error_id = uuid.uuid4().hex[:8]
            log.exception("request failed after the listener error_id=%s", error_id)
            return BoltResponse(status=200, body=_apology(error_id))
        finally:
            session.close()
        self.runtime.sender.wake()
        return response


def create_app(settings: Settings, *, client: WebClient | None = None, runtime: Runtime | None = None) -> App:
    runtime = runtime or build_runtime(settings)
    kwargs: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "",
        "process_before_response": True,
        "raise_error_for_unhandled_request": False,
        "request_verification_enabled": True,
        "token_verification_enabled": False,
        "ignoring_self_events_enabled": True,
    }
    if settings.oauth_enabled and client is None:
        engine = runtime.database.engine
        kwargs["oauth_settings"] = OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=BOT_SCOPES,
            installation_store=SQLAlchemyInstallationStore(
                client_id=settings.slack_client_id or "",
                engine=engine,
                bots_table_name=BOTS_TABLE,
                installations_table_name=INSTALLATIONS_TABLE,
            ),
            state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, table_name=OAUTH_STATES_TABLE),
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
        )
        if settings.slack_api_url:
            kwargs["client"] = WebClient(base_url=settings.slack_api_url)
    else:
        kwargs["client"] = client or runtime.clients.for_team(None)
        kwargs["token"] = kwargs["client"].token
    app = RitualApp(**kwargs)
    app.runtime = runtime
    app.middleware(_once_per_event)
    app.error(_handle_error)
    runtime.capabilities.register(app)
    fallback.register(app)  # last: answers whatever no capability claimed
    return app


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
    if isinstance(error, UserError):
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
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {block: message}})
        return BoltResponse(status=200, body="")
    if kind in ("block_actions", "message_action", "shortcut") and context.get("respond"):
        try:
            context["respond"](text=message, response_type="ephemeral", replace_original=False)
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
