"""*Edit group* on the thread's *Grouped* post: the facilitator names a merged group or splits items out."""

from __future__ import annotations

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
from handlers.retro.actions import pair_form
from handlers.retro.helpers import metadata, retro_for
from handlers.router import later
from rituals.retro import groups, render_groups
from rituals.retro.ids import Action, Block, View


def register(app: App) -> None:
    checked = later(Later(SLACK, "Checking with Slack…"))  # handlers.access asks Slack about membership
    app.action(Action.EDIT_GROUP)(checked(edit_group))
    app.view(View.EDIT_GROUP)(checked(submit_edit_group))


edit_group = pair_form(
    "Edit group",
    lambda db, who, retro, lead_id: render_groups.edit_modal(retro, groups.group_of(db, retro, lead_id)),
    *groups.PHASES,
    doing="name or split groups",
)


def submit_edit_group(
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
    if not isinstance(meta.get("group"), int):
        raise UserError("This window no longer belongs to a group. Close it and press *Edit group* again.")
    retro = retro_for(db, who, meta["retro"], *groups.PHASES)
    groups.edit(
        db,
        retro.id,
        meta["group"],
        title=form.text(Block.GROUP_TITLE),
        split_out=[int(v) for v in form.options(Block.SPLIT) if v.isdigit()],
        team_id=who.team,
        actor=who.user,
        is_admin=who.is_admin,
        now=clock.now(),
    )
    ack()
