"""The app's own lifecycle in a workspace: `app_uninstalled` and `tokens_revoked`.

Uninstalled (or its bot token revoked): the workspace's scheduled jobs stop (the capabilities'
desired jobs skip it), its tokens are deleted from the installation store, its history stays.
Revoked user tokens only delete those users' tokens. Installing again resumes the jobs.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.runtime import Runtime
from bot.slack_client import SlackClients
from bot.workspaces import mark_uninstalled
from handlers.auth import workspace

APP_UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"
EVENTS = [APP_UNINSTALLED, TOKENS_REVOKED]


def register(app: App) -> None:
    app.event(APP_UNINSTALLED)(handle_app_uninstalled)
    app.event(TOKENS_REVOKED)(handle_tokens_revoked)


def handle_app_uninstalled(context: BoltContext, db: Session, clock: Clock, runtime: Runtime) -> None:
    ws = workspace(context)
    mark_uninstalled(db, ws, reason=APP_UNINSTALLED, now=clock.now())
    if isinstance(runtime.clients, SlackClients):
        runtime.clients.drop_tokens(db, ws, bot=True)


def handle_tokens_revoked(
    event: dict[str, Any], context: BoltContext, db: Session, clock: Clock, runtime: Runtime
) -> None:
    ws = workspace(context)
    tokens = event.get("tokens") or {}
    bot_revoked = bool(tokens.get("bot"))
    if bot_revoked:
        mark_uninstalled(db, ws, reason=TOKENS_REVOKED, now=clock.now())
    if isinstance(runtime.clients, SlackClients):
        users = [u for u in tokens.get("oauth") or [] if isinstance(u, str)]
        runtime.clients.drop_tokens(db, ws, bot=bot_revoked, user_ids=users)
