"""Retro modal submissions: items (named or anonymous), edits, merges, action items, settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.auth import admin_check
from handlers.forms import Form
from handlers.retro.helpers import metadata
from rituals.retro import followup, items, modals, queries, service
from rituals.retro.ids import Block, Option, View


def register(app: App) -> None:
    app.view(View.ADD_ITEM)(submit_item)
    app.view(View.EDIT_ITEM)(submit_edit)
    app.view(View.MERGE)(submit_merge)
    app.view(View.ACTION)(submit_action)
    app.view(View.SETTINGS)(submit_settings)


def submit_item(ack: Ack, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta, form = metadata(view), Form.of(view)
    added = items.add_item(
        db,
        meta["retro"],
        author=body["user"]["id"],
        column=form.option(Block.COLUMN) or "",
        text=form.text(Block.TEXT),
        anonymous=Option.ANONYMOUS in form.options(Block.ANONYMOUS),
        now=clock.now(),
    )
    if added.secret is None:
        ack()
        return
    retro = queries.load(db, meta["retro"])
    ack(response_action="update", view=modals.anonymous_added(retro, added.item, added.secret))


def submit_edit(ack: Ack, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta, form = metadata(view), Form.of(view)
    secret = meta.get("secret")
    item = items.edit_item(
        db,
        int(meta.get("item") or 0),
        actor=body["user"]["id"],
        secret=secret,
        column=form.option(Block.COLUMN) or "",
        text=form.text(Block.TEXT),
        now=clock.now(),
    )
    if secret:
        retro = queries.load(db, meta["retro"])
        ack(response_action="update", view=modals.anonymous_added(retro, item, secret, note="Saved."))
    else:
        ack()


def submit_merge(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
) -> None:
    chosen = Form.of(view).options(Block.ITEMS)
    user = body["user"]["id"]
    items.merge(
        db,
        metadata(view)["retro"],
        [int(v) for v in chosen if v.isdigit()],
        actor=user,
        is_admin=admin_check(client, settings, user),
        now=clock.now(),
    )
    ack()


def submit_action(ack: Ack, body: dict[str, Any], view: dict[str, Any], db: Session, clock: Clock) -> None:
    meta, form = metadata(view), Form.of(view)
    raw_due = form.option(Block.DUE)
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        raise UserError("Pick the due date from the calendar.", field=Block.DUE) from None
    followup.add_action(
        db,
        meta["retro"],
        item_id=meta.get("item"),
        owner=form.option(Block.OWNER) or "",
        text=form.text(Block.TEXT),
        due_on=due,
        actor=body["user"]["id"],
        now=clock.now(),
    )
    ack()


def submit_settings(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
) -> None:
    form = Form.of(view)
    raw_votes = form.text(Block.VOTES).strip()
    if not raw_votes.isdigit():
        raise UserError("Votes per person must be a whole number from 1 to 20.", field=Block.VOTES)
    deadline = form.option(Block.DEADLINE)
    wanted = service.Settings(
        votes_per_person=int(raw_votes),
        visible_while_collecting=Option.VISIBLE in form.options(Block.VISIBLE),
        deadline_hours=int(deadline) if deadline and deadline.isdigit() else None,
    )
    user = body["user"]["id"]
    service.configure(
        db, metadata(view)["retro"], wanted, actor=user, is_admin=admin_check(client, settings, user), now=clock.now()
    )
    ack()
