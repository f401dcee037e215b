"""Standup buttons: "Answer standup" in the DM, "Cleared" on a digest's blocker, and the confirmed delete."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.text import mrkdwn
from handlers.auth import admin_check, workspace
from rituals.standup import answers, daily, modals, publish, service
from rituals.standup.ids import Action


def register(app: App) -> None:
    app.action(Action.OPEN_ANSWER)(open_answer)
    app.action(Action.CLEAR_BLOCKER)(clear_blocker)
    app.action(Action.DELETE)(delete_standup)


def open_answer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, db: Session, client: WebClient
) -> None:
    standup, entry = daily.open_entry(db, workspace(context).id, int(action["value"]), body["user"]["id"])
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=modals.answer(standup, entry))


def clear_blocker(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, db: Session, clock: Clock
) -> None:
    blocker_id, _, day = action["value"].partition(":")
    blocker = answers.clear_blocker(db, workspace(context).id, int(blocker_id), body["user"]["id"], clock.now())
    standup = service.get(db, workspace(context).id, blocker.standup_id)
    publish.refresh_day(db, standup, publish.get_day(db, standup, date.fromisoformat(day)), clock.now())
    ack()


def delete_standup(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    db: Session,
    respond: Respond,
    client: WebClient,
    settings: Settings,
) -> None:
    standup = service.get(db, workspace(context).id, int(action["value"]))
    service.check_manager(standup, body["user"]["id"], admin_check(client, settings, body["user"]["id"]))
    name = service.delete_standup(db, standup)
    ack()
    respond(text=f"Deleted “{mrkdwn(name)}”.", response_type="ephemeral", replace_original=True)
