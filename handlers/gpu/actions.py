"""The buttons on an idle-GPU DM: the owner's answer (in use, release, snooze), an admin's stop (EC2)
and an admin's cancel job / delete pod (gpu.enforce, also on lead reminders)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import CLOUD, Later
from handlers.auth import workspace
from handlers.gpu.helpers import gpu_settings
from handlers.router import later
from reports.gpu import actions, enforce
from reports.gpu.ids import Action

ANSWERS = {Action.IN_USE: "in_use", Action.RELEASE: "releasing", Action.SNOOZE: "snoozed"}


def register(app: App) -> None:
    for action_id in ANSWERS:
        app.action(action_id)(handle_answer)
    app.action(Action.STOP)(later(Later(CLOUD, "Stopping the instance…"))(handle_stop))
    app.action(Action.FREE)(later(Later(CLOUD, "Asking the cluster to free the GPU…"))(handle_free))


def handle_answer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    ack()
    reply = actions.answer(
        db, action["value"], body["user"]["id"], ANSWERS[Action(action["action_id"])], clock.now(), settings.timezone
    )
    original = body.get("message", {}).get("text", "")
    respond(replace_original=True, text=f"{original}\n{reply}".strip())


def handle_stop(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    ack()
    config = gpu_settings(settings)
    reply = actions.stop_instance(
        db, config, action["value"], body["user"]["id"], clock.now(), team_id=workspace(context).id
    )
    respond(replace_original=False, response_type="ephemeral", text=reply)


def handle_free(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    ack()
    config = gpu_settings(settings)
    reply = enforce.enforce(db, config, action["value"], body["user"]["id"], clock.now(), team_id=workspace(context).id)
    respond(replace_original=False, response_type="ephemeral", text=reply)
