"""App Home: the workspace's rituals and reports, published when a user opens the Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.capabilities import Capabilities
from handlers.auth import workspace
from handlers.ritual import overview

EVENTS = ["app_home_opened"]


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)


def handle_app_home_opened(
    event: dict[str, Any], context: BoltContext, db: Session, client: WebClient, capabilities: Capabilities
) -> None:
    if event.get("tab") not in (None, "home") or not isinstance(event.get("user"), str):
        return
    groups = capabilities.status_lines(db, workspace(context).id, None)
    client.views_publish(user_id=event["user"], view=overview.home_view(groups))
