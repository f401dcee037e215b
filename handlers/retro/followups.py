"""The buttons around a retro's follow-up: *Add to tracker* on an action (the tickets capability's filing
form, prefilled), carrying a parked item over, and adding a draft item from the period's evidence."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, TRACKERS, Later
from bot.errors import UserError
from handlers.access import of_body
from handlers.loading import View, open_loading
from handlers.retro.actions import button_id, button_pair, stale_button
from handlers.retro.helpers import OPENING, retro_for
from handlers.router import later
from rituals.retro import action_tickets, evidence, followup, queries, render
from rituals.retro.ids import Action


def register(app: App) -> None:
    # the tracker's setup and projects are read, and the submission files in the tracker: the trackers' lane
    app.action(Action.ADD_TO_TRACKER)(later(Later(TRACKERS, "Opening the ticket form…"))(add_to_tracker))
    app.action(Action.CARRY)(later(Later(SLACK, "Checking with Slack…"))(carry))  # handlers.access
    app.action(Action.MY_VOTES)(later(Later(SLACK, "Checking with Slack…"))(my_votes))
    app.action(Action.ADD_EVIDENCE)(later(Later(SLACK, "Checking with Slack…"))(add_evidence))


def add_to_tracker(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    try:
        action_id = int(str(action.get("value") or ""))
    except ValueError:
        raise UserError(
            "That button is not one of this bot's retro buttons any more. Use the latest messages."
        ) from None
    who = of_body(context, body, client, settings)
    retro, retro_action = action_tickets.action_of(db, who.team, action_id)  # another workspace's: at once

    def form() -> View:  # Slack says who is in the channel (and who is an admin) first
        who.require_member(retro.channel_id, "file this retro's actions")
        if who.user not in (retro_action.owner_id, retro.facilitator_id) and not who.is_admin():
            raise UserError(f"Only the action's owner (<@{retro_action.owner_id}>) or the facilitator can file it.")
        return action_tickets.form(db, settings, action_tickets.origin(db, retro, retro_action))

    # a deferred request answers (and returns) at its ack: the opened modal is the answer
    open_loading(client, body["trigger_id"], "File stage ticket", form, later=OPENING, settings=settings, opened=ack)


def carry(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    retro_id, lead_id = button_pair(action)
    who = of_body(context, body, client, settings)
    retro_for(db, who, retro_id, "collect")
    followup.park(db, retro_id, lead_id, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now())


def add_evidence(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    number, _, text = str(action.get("value") or "").partition("|")
    if not number.isdigit() or not text:
        raise stale_button()
    who = of_body(context, body, client, settings)
    retro_for(db, who, int(number), "collect")
    evidence.add(db, int(number), text, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now())


def my_votes(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
    respond: Respond,
) -> None:
    ack()
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, button_id(action), "vote")
    text = render.my_votes(retro, queries.votes_of(db, retro.id, who.user))
    respond(response_type="ephemeral", replace_original=False, text=text)
