"""App Home: the workspace's rituals and reports, published when a user opens the Home tab."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import blocks
from bot.capabilities import Capabilities
from handlers.ritual import overview

EVENTS = ["app_home_opened"]


def register(app: Any) -> None:
    app.event("app_home_opened")(handle_app_home_opened)


def home_view(db: Session, team_id: str, capabilities: Capabilities) -> dict[str, Any]:
    groups = capabilities.status_lines(db, team_id, None)
    body = [blocks.header("ritualbot"), *overview.status_blocks(groups, where="in this workspace"),
            blocks.context("Type `/ritual help` in any channel for every command.")]
    return {"type": "home", "blocks": blocks.truncate_blocks(body, blocks.MAX_BLOCKS_VIEW)}


def handle_app_home_opened(event: dict[str, Any], context: Any, db: Session, client: WebClient,
                           capabilities: Capabilities) -> None:
    if event.get("tab") not in (None, "home") or not isinstance(event.get("user"), str):
        return
    client.views_publish(user_id=event["user"], view=home_view(db, context["team_id"], capabilities))
