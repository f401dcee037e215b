"""Ticket buttons and the message shortcut: Retry of a draft or a project checklist a tracker
refused, and opening the filing modal from a message (its shortcut or the :ticket: reaction's prompt)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, TRACKERS, Later
from bot.errors import UserError
from bot.text import decode
from handlers.auth import workspace
from handlers.loading import open_loading
from handlers.router import later
from handlers.tickets.helpers import checklist_reply, file_draft, file_view, setup_of
from rituals.tickets import checklist, service
from rituals.tickets.ids import Action, Shortcut

log = logging.getLogger(__name__)


OPENING = Later(SLACK, "Opening the ticket form…")  # the link back to the message comes from Slack first
FORM_TITLE = "File a ticket"


def register(app: App) -> None:
    app.shortcut(Shortcut.FILE_FROM_MESSAGE)(later(OPENING)(handle_message_shortcut))
    app.action(Action.RETRY)(later(Later(TRACKERS, "Filing the ticket again…"))(handle_retry))
    app.action(Action.RETRY_PROJECT)(
        later(Later(TRACKERS, "Filing the project's tickets again…"))(handle_retry_project)
    )
    app.action(Action.OPEN_FROM_REACTION)(later(OPENING)(handle_open_from_reaction))


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    """The link back to the message; a ticket is still worth filing without it (e.g. a private DM)."""
    if not channel or not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.info("no permalink channel=%s error=%s", channel, exc.response.get("error"))
        return None


def handle_message_shortcut(
    ack: Ack, shortcut: dict[str, Any], context: BoltContext, db: Session, settings: Settings, client: WebClient
) -> None:
    ack()
    setup = setup_of(settings)
    channel = (shortcut.get("channel") or {}).get("id")
    message = shortcut.get("message") or {}
    ts = message.get("ts") or shortcut.get("message_ts")
    text = decode(message.get("text") or "").strip()
    team_id = workspace(context).id

    def form() -> dict[str, Any]:
        meta = {
            "channel": channel,
            "origin_channel": channel,
            "origin_ts": message.get("thread_ts") or ts,
            "permalink": _permalink(client, channel, ts),
        }
        summary = text.split("\n", 1)[0][:150]
        return file_view(db, setup, team_id=team_id, meta=meta, channel=channel, summary=summary, description=text)

    open_loading(client, shortcut["trigger_id"], FORM_TITLE, form, later=OPENING, settings=settings)


def handle_open_from_reaction(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    db: Session,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    try:
        where = json.loads(action.get("value") or "")
        channel, ts = str(where["channel"]), str(where["ts"])
    except (ValueError, KeyError, TypeError):
        raise UserError("That button no longer points at a message. Use the message's shortcut menu instead.") from None
    team_id = workspace(context).id

    def form() -> dict[str, Any]:
        permalink = _permalink(client, channel, ts)
        meta = {"channel": channel, "origin_channel": channel, "origin_ts": ts, "permalink": permalink}
        description = f"From Slack: {permalink}" if permalink else ""
        return file_view(db, setup_of(settings), team_id=team_id, meta=meta, channel=channel, description=description)

    open_loading(client, body["trigger_id"], FORM_TITLE, form, later=OPENING, settings=settings)


def handle_retry(
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
    team = workspace(context).id
    draft = service.draft_of(db, team, action.get("value") or "")
    if draft.user_id != body["user"]["id"]:
        raise UserError("Only the person who wrote this draft can retry it.")
    outcome = file_draft(db, setup_of(settings), draft, clock, team_id=team, channel=draft.channel_id)
    respond(text=outcome.text, blocks=outcome.blocks or None, response_type="ephemeral", replace_original=True)


def handle_retry_project(
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
    setup = setup_of(settings)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    result = checklist.create(
        db,
        setup,
        team_id=workspace(context).id,
        channel_id=channel,
        user_id=body["user"]["id"],
        name=action.get("value") or "",
        now=clock.now(),
    )
    text, blocks = checklist_reply(setup, result)
    respond(text=text, blocks=blocks or None, response_type="ephemeral", replace_original=True)
