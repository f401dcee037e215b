"""Retro modal submissions: items (named or anonymous), edits, merges, action items, settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import SLACK, Later
from bot.errors import UserError
from handlers.access import of_body
from handlers.forms import Form
from handlers.retro.helpers import metadata, retro_for
from handlers.router import later
from rituals.retro import followup, items, modals, service
from rituals.retro.ids import Block, Option, View


def register(app: App) -> None:
    checked = later(Later(SLACK, "Saving…"))  # handlers.access asks Slack about membership and admins
    app.view(View.ADD_ITEM)(checked(submit_item))
    app.view(View.EDIT_ITEM)(checked(submit_edit))
    app.view(View.MERGE)(checked(submit_merge))
    app.view(View.ACTION)(checked(submit_action))
    app.view(View.SETTINGS)(checked(submit_settings))


def submit_item(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    meta, form, who = metadata(view), Form.of(view), of_body(context, body, client, settings)
    retro = retro_for(db, who, meta["retro"], "collect")
    added = items.add_item(
        db,
        retro.id,
        team_id=who.team,
        author=who.user,
        column=form.option(Block.COLUMN) or "",
        text=form.text(Block.TEXT),
        anonymous=Option.ANONYMOUS in form.options(Block.ANONYMOUS),
        now=clock.now(),
    )
    if added.secret is None:
        ack()
        return
    ack(response_action="update", view=modals.anonymous_added(retro, added.item, added.secret))


def submit_edit(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    meta, form, who = metadata(view), Form.of(view), of_body(context, body, client, settings)
    retro = retro_for(db, who, meta["retro"], "collect")
    secret = meta.get("secret")
    item = items.owned(db, int(meta.get("item") or 0), who.user, secret, team_id=who.team)
    if item.retro_id != retro.id:
        raise UserError("This window no longer belongs to a retro. Close it and use the retro's buttons again.")
    item = items.edit_item(
        db,
        item.id,
        team_id=who.team,
        actor=who.user,
        secret=secret,
        column=form.option(Block.COLUMN) or "",
        text=form.text(Block.TEXT),
        now=clock.now(),
    )
    if secret:
        ack(response_action="update", view=modals.anonymous_added(retro, item, secret, note="Saved."))
    else:
        ack()


def submit_merge(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    chosen, title = Form.of(view).options(Block.ITEMS), Form.of(view).text(Block.GROUP_TITLE)
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, metadata(view)["retro"], "group")
    items.merge(
        db,
        retro.id,
        [int(v) for v in chosen if v.isdigit()],
        title=title,
        team_id=who.team,
        actor=who.user,
        is_admin=who.is_admin,
        now=clock.now(),
    )
    ack()


def submit_action(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
    settings: Settings,
    client: WebClient,
) -> None:
    meta, form, who = metadata(view), Form.of(view), of_body(context, body, client, settings)
    retro = retro_for(db, who, meta["retro"], "discuss")
    raw_due = form.option(Block.DUE)
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        raise UserError("Pick the due date from the calendar.", field=Block.DUE) from None
    followup.add_action(
        db,
        retro.id,
        team_id=who.team,
        item_id=meta.get("item"),
        owner=form.option(Block.OWNER) or "",
        text=form.text(Block.TEXT),
        due_on=due,
        actor=who.user,
        now=clock.now(),
    )
    ack()


def submit_settings(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    context: BoltContext,
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
    who = of_body(context, body, client, settings)
    retro = retro_for(db, who, metadata(view)["retro"])
    service.configure(db, retro.id, wanted, team_id=who.team, actor=who.user, is_admin=who.is_admin, now=clock.now())
    ack()
