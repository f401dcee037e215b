"""The :ticket: reaction on a message: whoever added it is asked (ephemerally) whether to file a ticket from it.
A shared ticket URL (`link_shared`) is unfurled from stored data, within the installation's workspace."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.deferred import SLACK, Deferred, Later, unheard
from handlers.auth import workspace
from handlers.tickets.helpers import ephemeral_to, setup_of
from rituals.tickets import render, unfurl

REACTION_ADDED = "reaction_added"
LINK_SHARED = "link_shared"
EVENTS = [REACTION_ADDED, LINK_SHARED]
UNFURL = Later(SLACK, "Unfurling…")  # nobody waits for it: the pending text is never shown


def register(app: App) -> None:
    app.event(REACTION_ADDED, matchers=[is_ticket_reaction])(handle_reaction)
    app.event(LINK_SHARED)(handle_link_shared)


def handle_link_shared(event: dict[str, Any], context: BoltContext, db: Session, client: WebClient, ack: Ack) -> None:
    """Stored tickets of this workspace behind the shared URLs, unfurled by chat.unfurl off the request
    (the message's channel and ts, or unfurl_id and source for a link still in the composer)."""
    team_id = workspace(context).id
    urls = [link["url"] for link in event.get("links") or [] if isinstance(link, dict) and link.get("url")]
    found = unfurl.unfurls(db, team_id=team_id, urls=urls)
    if not found:
        return
    if event.get("unfurl_id") and event.get("source") == "composer":
        where = {"unfurl_id": event["unfurl_id"], "source": event["source"]}
    elif event.get("channel") and event.get("message_ts"):
        where = {"channel": event["channel"], "ts": event["message_ts"]}
    else:
        return  # nothing Slack would let us attach an unfurl to

    def work(session: Session, say: Any, hold: Any) -> None:
        client.chat_unfurl(unfurls=found, **where)

    deferred: Deferred | None = context.get("deferred")
    if deferred is None:
        client.chat_unfurl(unfurls=found, **where)
        return
    deferred.run(UNFURL, work, request_db=db, ack=ack, late=unheard, pending="none")


def is_ticket_reaction(event: dict[str, Any], context: BoltContext) -> bool:
    setup = setup_of(context["settings"])
    return event.get("reaction") == setup.reaction and (event.get("item") or {}).get("type") == "message"


def handle_reaction(event: dict[str, Any], context: BoltContext, db: Session, clock: Clock) -> None:
    item = event["item"]
    text, blocks = render.reaction_prompt(item["channel"], item["ts"])
    ephemeral_to(
        db, clock, team_id=workspace(context).id, channel=item["channel"], user=event["user"], text=text, blocks=blocks
    )
