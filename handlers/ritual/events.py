"""App Home: the person's own page (their standup, blockers, actions, tickets, runs, GPUs, objectives),
the team's for a lead, then the workspace's rituals and reports; published when they open the Home tab,
from stored data only (`reports.digest.home`): nothing here calls MLflow, Prometheus or a cloud."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.capabilities import Capabilities
from bot.clock import Clock
from bot.config import Settings
from handlers.auth import workspace
from handlers.ritual import overview
from reports.digest import home, home_render

EVENTS = ["app_home_opened"]


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)


def handle_app_home_opened(
    event: dict[str, Any],
    context: BoltContext,
    db: Session,
    client: WebClient,
    capabilities: Capabilities,
    settings: Settings,
    clock: Clock,
) -> None:
    if event.get("tab") not in (None, "home") or not isinstance(event.get("user"), str):
        return
    client.views_publish(
        user_id=event["user"],
        view=view_for(db, settings, capabilities, workspace(context).id, event["user"], clock.now()),
    )


def view_for(
    db: Session, settings: Settings, capabilities: Capabilities, team_id: str, user_id: str, now: datetime
) -> dict[str, Any]:
    """The Home tab of one person (the demo publishes the same)."""
    mine = home.build(db, settings, team_id, user_id, now)
    groups = capabilities.status_lines(db, team_id, None)
    return overview.home_view(groups, home_render.personal(mine), home_render.team(mine))
