"""Retro modal submissions: items (named or anonymous), edits, merges, action items, settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.retro.common import admin_check, metadata, value_of
from rituals.retro import followup, items, modals, service


def register(app: Any) -> None:
    app.view("retro.add_item_modal")(submit_item)
    app.view("retro.edit_item_modal")(submit_edit)
    app.view("retro.merge_modal")(submit_merge)
    app.view("retro.action_modal")(submit_action)
    app.view("retro.settings_modal")(submit_settings)


def submit_item(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta = metadata(body)
    anonymous = "anonymous" in (value_of(view, "anonymous") or [])
    added = items.add_item(db, meta["retro"], author=body["user"]["id"], column=value_of(view, "column") or "",
                           text=value_of(view, "text") or "", anonymous=anonymous, now=clock.now())
    if added.secret is None:
        ack()
        return
    retro = service.load(db, meta["retro"])
    ack(response_action="update", view=modals.anonymous_added(retro, added.item, added.secret))


def submit_edit(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta = metadata(body)
    secret = meta.get("secret")
    item = items.edit_item(db, int(meta.get("item") or 0), actor=body["user"]["id"], secret=secret,
                           column=value_of(view, "column") or "", text=value_of(view, "text") or "", now=clock.now())
    if secret:
        retro = service.load(db, meta["retro"])
        ack(response_action="update", view=modals.anonymous_added(retro, item, secret, note="Saved."))
    else:
        ack()


def submit_merge(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock,
                 settings: Settings, client: WebClient) -> None:
    chosen = value_of(view, "items") or []
    user = body["user"]["id"]
    items.merge(db, metadata(body)["retro"], [int(v) for v in chosen if str(v).isdigit()], actor=user,
                is_admin=admin_check(client, settings, user), now=clock.now())
    ack()


def submit_action(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta = metadata(body)
    raw_due = value_of(view, "due")
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        raise UserError("Pick the due date from the calendar.", field="due") from None
    followup.add_action(db, meta["retro"], item_id=meta.get("item"), owner=value_of(view, "owner") or "",
                        text=value_of(view, "text") or "", due_on=due, actor=body["user"]["id"], now=clock.now())
    ack()


def submit_settings(ack: Any, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock,
                    settings: Settings, client: WebClient) -> None:
    raw_votes = (value_of(view, "votes") or "").strip()
    if not raw_votes.isdigit():
        raise UserError("Votes per person must be a whole number from 1 to 20.", field="votes")
    deadline = value_of(view, "deadline")
    wanted = service.Settings(votes_per_person=int(raw_votes),
                              visible_while_collecting="visible" in (value_of(view, "visible") or []),
                              deadline_hours=int(deadline) if deadline and deadline.isdigit() else None)
    user = body["user"]["id"]
    service.configure(db, metadata(body)["retro"], wanted, actor=user, is_admin=admin_check(client, settings, user),
                      now=clock.now())
    ack()
