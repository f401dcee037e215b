"""The filing modal's submission: a draft from the form, filed at once; a tracker's refusal comes
back to the user with a Retry."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.deferred import TRACKERS, Later
from bot.slack_client import SlackDirectory
from handlers.auth import workspace
from handlers.forms import Form
from handlers.router import later
from handlers.tickets.helpers import dm, ephemeral_to, file_draft, setup_of
from rituals.tickets import profile, projects, render_project, service
from rituals.tickets.ids import Block, Modal


def submit_profile(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
) -> None:
    """The project form: saved, shown on the board, written into the epic (the tracker call and the
    people's names from Slack are here, in the deferred path)."""
    form = Form.of(view)
    team = workspace(context).id
    chosen = profile.of_project(db, team, form.metadata.get("project"))
    values = {
        key: (form.text(f"profile_{key}") if kind == "text" else form.value(f"profile_{key}"))
        for key, _label, kind in profile.FIELDS
    }
    profile.save(chosen, values)
    ack()
    warning = profile.push(db, setup_of(settings), chosen, SlackDirectory(client))
    user = body["user"]["id"]
    text = render_project.profile_saved(chosen, warning)
    dm(db, clock, team_id=team, user=user, text=text)


def register(app: App) -> None:
    app.view(Modal.FILE)(later(Later(TRACKERS, "Filing the ticket…"))(submit_file_modal))
    app.view(Modal.PROFILE)(later(Later(TRACKERS, "Saving the profile…"))(submit_profile))


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
    outcome = file_draft(db, setup, draft, clock, team_id=team, channel=meta.get("channel"))
    if not outcome.ok or outcome.note:
        text = outcome.text if not outcome.ok else outcome.note or ""
        ephemeral_to(db, clock, team_id=team, channel=meta.get("channel"), user=user, text=text, blocks=outcome.blocks)
