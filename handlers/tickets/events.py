"""The :ticket: reaction on a message: whoever added it is asked (ephemerally) whether to file a ticket from it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session

from bot.clock import Clock
from handlers.auth import workspace
from handlers.tickets.helpers import ephemeral_to, setup_of
from rituals.tickets import render

REACTION_ADDED = "reaction_added"
EVENTS = [REACTION_ADDED]


def register(app: App) -> None:
    app.event(REACTION_ADDED, matchers=[is_ticket_reaction])(handle_reaction)


def is_ticket_reaction(event: dict[str, Any], context: BoltContext) -> bool:
    setup = setup_of(context["settings"])
    return event.get("reaction") == setup.reaction and (event.get("item") or {}).get("type") == "message"


def handle_reaction(event: dict[str, Any], context: BoltContext, db: Session, clock: Clock) -> None:
    item = event["item"]
    text, blocks = render.reaction_prompt(item["channel"], item["ts"])
    ephemeral_to(
        db, clock, team_id=workspace(context).id, channel=item["channel"], user=event["user"], text=text, blocks=blocks
    )
