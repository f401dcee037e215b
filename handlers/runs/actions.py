"""The Promote button of a run card or sweep message, its second confirmation, and who may press it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import MLFLOW, Later
from bot.errors import UserError
from handlers.router import later
from handlers.runs.helpers import call, runs_settings
from reports.runs import promotion
from reports.runs.ids import Action

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(Action.PROMOTE)(later(Later(MLFLOW, "Promoting the run in MLflow…"))(handle_promote))
    app.action(Action.PROMOTE_ANYWAY)(later(Later(MLFLOW, "Promoting the run in MLflow…"))(handle_promote_anyway))


def handle_promote(
    ack: Ack,
    respond: Respond,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    _promote(respond, body, action, db, clock, settings, client, anyway=False)


def handle_promote_anyway(
    ack: Ack,
    respond: Respond,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
) -> None:
    """The second confirmation's button, on the ephemeral message that showed both runs."""
    ack()
    _promote(respond, body, action, db, clock, settings, client, anyway=True)


def _promote(
    respond: Respond,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
    *,
    anyway: bool,
) -> None:
    container = body.get("container") or {}
    channel_id = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    config = runs_settings(settings)
    outcome = call(
        settings,
        lambda m: promotion.promote(
            db,
            m,
            config,
            value=action.get("value") or "",
            user_id=body["user"]["id"],
            channel_id=channel_id,
            thread_ts=container.get("thread_ts") or container.get("message_ts"),
            now=clock.now(),
            members_of=group_members(client),
            anyway=anyway,
        ),
    )
    if not outcome.promoted:
        respond(text=outcome.text, blocks=outcome.blocks, response_type="ephemeral", replace_original=False)
    elif anyway:
        respond(delete_original=True)


def group_members(client: WebClient) -> Callable[[str], set[str]]:
    """Members of a promoter user group, given by id (S…) or @handle, from Slack.

    Only the Promote button asks, so the user-group calls stay here rather than in the domain's port."""

    def members_of(group: str) -> set[str]:
        try:
            if group.startswith("@"):
                found = [g["id"] for g in client.usergroups_list()["usergroups"] if g.get("handle") == group[1:]]
                if not found:
                    log.warning("promoter group not found handle=%s", group)
                    return set()
                group = found[0]
            return set(client.usergroups_users_list(usergroup=group)["users"])
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("promoter group lookup failed group=%s error=%s", group, error)
            raise UserError(
                f"I could not read the members of the promoter group `{group}` (Slack said `{error}`): "
                "ask an admin to check `runs.promoters` and that the app has the `usergroups:read` "
                "scope."
            ) from None

    return members_of
