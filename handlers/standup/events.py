"""Standup answers typed (or edited) in the bot's DM, in the thread of the day's question."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.text import decode
from handlers.auth import workspace
from rituals.standup import daily

EVENTS = ["message.im"]


def register(app: App) -> None:
    app.event("message", matchers=[is_direct_message])(dm_message)


def is_direct_message(body: dict[str, Any]) -> bool:
    event = body.get("event") or {}
    return event.get("type") == "message" and event.get("channel_type") == "im"


def dm_message(ack: Ack, event: dict[str, Any], context: BoltContext, db: Session, clock: Clock) -> None:
    ack()
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message") or {}
        if message.get("user") and not message.get("bot_id"):
            daily.dm_edit(
                db,
                message["user"],
                message["ts"],
                message.get("thread_ts"),
                decode(message.get("text") or ""),
                clock.now(),
            )
        return
    if subtype or event.get("bot_id") or not event.get("user"):
        return
    text = decode(event.get("text") or "")
    daily.dm_message(db, workspace(context).id, event["user"], event["ts"], event.get("thread_ts"), text, clock.now())
