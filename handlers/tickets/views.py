"""The filing modal's submission: a draft from the form, filed at once; a tracker's refusal comes
back to the user with a Retry."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from handlers.auth import workspace
from handlers.forms import Form
from handlers.tickets.helpers import ephemeral_to, file_draft, setup_of
from rituals.tickets import projects, service
from rituals.tickets.ids import Block, Modal


def register(app: App) -> None:
    app.view(Modal.FILE)(submit_file_modal)


def submit_file_modal(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    setup = setup_of(settings)
    form = Form.of(view)
    meta = form.metadata
    team = workspace(context).id
    user = body["user"]["id"]
    stage = service.stages_match(setup, form.option(Block.STAGE))
    draft = service.new_draft(
        db,
        team_id=team,
        user_id=user,
        channel_id=meta.get("channel"),
        now=clock.now(),
        stage=stage.name,
        summary=form.text(Block.SUMMARY),
        description=form.text(Block.DESCRIPTION),
        project=projects.chosen_name(db, team, form.option(Block.PROJECT), form.text(Block.NEW_PROJECT)),
        assignee=form.value(Block.ASSIGNEE),
        labels=[x.strip() for x in form.text(Block.LABELS).split(",") if x.strip()],
        origin_channel=meta.get("origin_channel"),
        origin_ts=meta.get("origin_ts"),
        permalink=meta.get("permalink"),
    )
    ack()
    text, blocks, ok = file_draft(db, setup, draft, clock, team_id=team, channel=meta.get("channel"))
    if not ok:
        ephemeral_to(db, clock, team_id=team, channel=meta.get("channel"), user=user, text=text, blocks=blocks)
