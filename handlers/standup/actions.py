"""Standup buttons: "Answer standup" in the DM, "Cleared" and "File a ticket" on a digest's blocker (and
closing that ticket once cleared), and the confirmed delete."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import blocks as b
from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, TRACKERS, Later
from bot.text import escape, mrkdwn
from handlers.auth import admin_check, workspace
from handlers.loading import open_loading
from handlers.router import later
from rituals.standup import answers, blocker_tickets, daily, modals, publish, service
from rituals.standup.ids import Action

log = logging.getLogger(__name__)


_OPENING_TICKET = Later(SLACK, "Opening the ticket form…")


def register(app: App) -> None:
    app.action(Action.OPEN_ANSWER)(open_answer)
    app.action(Action.CLEAR_BLOCKER)(clear_blocker)
    app.action(Action.DELETE)(later(Later(SLACK, "Checking with Slack that you may delete it…"))(delete_standup))
    app.action(Action.FILE_TICKET)(later(_OPENING_TICKET)(file_ticket))  # a permalink
    app.action(Action.CLOSE_TICKET)(later(Later(TRACKERS, "Closing the ticket…"))(close_ticket))  # its tracker


def open_answer(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, db: Session, client: WebClient
) -> None:
    standup, entry = daily.open_entry(db, workspace(context).id, int(action["value"]), body["user"]["id"])
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=modals.answer(standup, entry))


def clear_blocker(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    db: Session,
    clock: Clock,
    respond: Respond,
) -> None:
    blocker_id, _, day = action["value"].partition(":")
    blocker = answers.clear_blocker(db, workspace(context).id, int(blocker_id), body["user"]["id"], clock.now())
    standup = service.get(db, workspace(context).id, blocker.standup_id)
    publish.refresh_day(db, standup, publish.get_day(db, standup, date.fromisoformat(day)), clock.now())
    ticket = blocker_tickets.open_ticket(db, workspace(context).id, blocker.id)
    ack()
    if ticket is not None:
        text = f"Blocker cleared. Its ticket `{escape(ticket.key)}` is still open."
        button = b.button(f"Close {ticket.key}", Action.CLOSE_TICKET, str(blocker.id))
        respond(text=text, blocks=[b.section(text), b.actions(button)], response_type="ephemeral")


def file_ticket(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    db: Session,
    client: WebClient,
    settings: Settings,
) -> None:
    """The tickets capability's filing form, prefilled from the blocker; the ticket's own submission files it."""
    blocker_id = int(action["value"].partition(":")[0])
    clicked = str((body.get("container") or {}).get("message_ts") or "")
    where = blocker_tickets.origin(db, workspace(context).id, blocker_id, clicked)
    open_loading(
        client,
        body["trigger_id"],
        "File a ticket",
        lambda: blocker_tickets.form(db, settings, where, _permalink(client, where.channel, where.ts)),
        later=_OPENING_TICKET,
        settings=settings,
        opened=ack,  # a deferred request answers (and returns) at its ack: the opened modal is the answer
    )


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    """The link back to the blocker's message; the ticket is still worth filing without it."""
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.info("no permalink for a standup blocker channel=%s error=%s", channel, exc.response.get("error"))
        return None


def close_ticket(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    db: Session,
    clock: Clock,
    settings: Settings,
    respond: Respond,
) -> None:
    team, user = workspace(context).id, body["user"]["id"]
    ticket = blocker_tickets.close(db, settings, team, int(action["value"]), user, clock.now())
    respond(text=f"Closed `{escape(ticket.key)}`.", response_type="ephemeral", replace_original=True)
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
    clock: Clock,
) -> None:
    standup = service.get(db, workspace(context).id, int(action["value"]))
    service.check_manager(standup, body["user"]["id"], admin_check(client, settings, body["user"]["id"]))
    name = service.delete_standup(db, standup, clock.now())
    respond(
        text=f"Deleted “{mrkdwn(name)}”: nobody is asked any more; its history is kept for `/standup history`.",
        response_type="ephemeral",
        replace_original=True,
    )
    ack()  # last: a deferred request answers (and returns) at its ack
