"""App Home: the person's own page (their standup, blockers, actions, tickets, runs, GPUs, objectives),
the team's for a lead, then the workspace's rituals and reports; published when they open the Home tab,
from stored data only (`reports.digest.home`): nothing here calls MLflow, Prometheus or a cloud. The
`views.publish` itself runs in the Slack lane (bot.deferred), after the event's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.capabilities import Capabilities
from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, Deferred, Later, unheard
from handlers.auth import workspace
from handlers.ritual import overview
from reports.digest import home, home_render

EVENTS = ["app_home_opened"]
PUBLISH = Later(SLACK, "Publishing your Home tab…")  # nobody waits for it: the pending text is never shown


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)


def handle_app_home_opened(
    ack: Ack,
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
    team_id, user_id, now = workspace(context).id, event["user"], clock.now()

    def work(session: Session, say: Any = None, hold: Any = None) -> None:
        client.views_publish(user_id=user_id, view=view_for(session, settings, capabilities, team_id, user_id, now))

    deferred: Deferred | None = context.get("deferred")
    if deferred is None:
        work(db)
        return
    deferred.run(PUBLISH, work, request_db=db, ack=ack, late=unheard, pending="none")


def view_for(
    db: Session, settings: Settings, capabilities: Capabilities, team_id: str, user_id: str, now: datetime
) -> dict[str, Any]:
    """The Home tab of one person (the demo publishes the same)."""
    mine = home.build(db, settings, team_id, user_id, now)
    groups = capabilities.status_lines(db, team_id, None)
    return overview.home_view(groups, home_render.personal(mine), home_render.team(mine))
