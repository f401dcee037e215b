"""Ticket interactivity: the file modal and its submission, the message shortcut, the reaction
prompt, and Retry of a draft a tracker refused.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.tickets.common import ephemeral_to, field_value, file_draft, setup_of, view_meta
from rituals.tickets import checklist, projects, render, service
from rituals.tickets.models import TicketProject
from rituals.tickets.setup import TicketSetup

log = logging.getLogger(__name__)


def register(app: Any) -> None:
    app.view(render.FILE_MODAL)(submit_file_modal)
    app.shortcut(render.SHORTCUT)(handle_message_shortcut)
    app.action(render.RETRY)(handle_retry)
    app.action(render.RETRY_PROJECT)(handle_retry_project)
    app.action(render.OPEN_FROM_REACTION)(handle_open_from_reaction)
    app.event("reaction_added", matchers=[is_ticket_reaction])(handle_reaction)


def open_modal(
    db: Session,
    client: WebClient,
    setup: TicketSetup,
    *,
    trigger_id: str,
    team_id: str,
    meta: dict[str, Any],
    channel: str | None,
    summary: str = "",
    description: str = "",
) -> None:
    view = render.file_modal(
        setup.stages,
        projects.projects(db, team_id),
        default=projects.default_project(db, team_id, channel),
        meta=meta,
        summary=summary,
        description=description,
    )
    client.views_open(trigger_id=trigger_id, view=view)


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    """The link back to the message; a ticket is still worth filing without it (e.g. a private DM)."""
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.info("no permalink channel=%s error=%s", channel, exc.response.get("error"))
        return None


def handle_message_shortcut(
    ack: Any, shortcut: dict[str, Any], db: Session, settings: Settings, client: WebClient
) -> None:
    ack()
    setup = setup_of(settings)
    channel = (shortcut.get("channel") or {}).get("id")
    message = shortcut.get("message") or {}
    ts = message.get("ts") or shortcut.get("message_ts")
    permalink = _permalink(client, channel, ts)
    text = (message.get("text") or "").strip()
    first_line = text.split("\n", 1)[0][:150]
    meta = {
        "channel": channel,
        "origin_channel": channel,
        "origin_ts": message.get("thread_ts") or ts,
        "permalink": permalink,
    }
    open_modal(
        db,
        client,
        setup,
        trigger_id=shortcut["trigger_id"],
        team_id=shortcut["team"]["id"],
        meta=meta,
        channel=channel,
        summary=first_line,
        description=text,
    )


def is_ticket_reaction(event: dict[str, Any], context: Any) -> bool:
    setup = setup_of(context["settings"])
    return event.get("reaction") == setup.reaction and (event.get("item") or {}).get("type") == "message"


def handle_reaction(event: dict[str, Any], context: Any, db: Session, clock: Clock) -> None:
    item = event["item"]
    text, blocks = render.reaction_prompt(item["channel"], item["ts"])
    ephemeral_to(
        db,
        clock,
        team_id=context["team_id"],
        channel=item["channel"],
        user=event["user"],
        text=text,
        blocks=blocks,
    )


def handle_open_from_reaction(
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    db: Session,
    settings: Settings,
    client: WebClient,
) -> None:
    ack()
    try:
        where = json.loads(action.get("value") or "")
        channel, ts = str(where["channel"]), str(where["ts"])
    except (ValueError, KeyError, TypeError):
        raise UserError("That button no longer points at a message. Use the message's shortcut menu instead.") from None
    permalink = _permalink(client, channel, ts)
    meta = {"channel": channel, "origin_channel": channel, "origin_ts": ts, "permalink": permalink}
    open_modal(
        db,
        client,
        setup_of(settings),
        trigger_id=body["trigger_id"],
        team_id=body["team"]["id"],
        meta=meta,
        channel=channel,
        description=f"From Slack: {permalink}" if permalink else "",
    )


def submit_file_modal(
    ack: Any,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    setup = setup_of(settings)
    meta = view_meta(body)
    team, user = (
        body["team"]["id"] if body.get("team") else body["user"]["team_id"],
        body["user"]["id"],
    )
    stage = service.stages_match(setup, field_value(view, "stage"))
    draft = service.new_draft(
        db,
        team_id=team,
        user_id=user,
        channel_id=meta.get("channel"),
        now=clock.now(),
        stage=stage.name,
        summary=field_value(view, "summary") or "",
        description=field_value(view, "description") or "",
        project=_project_name(db, team, field_value(view, "project"), field_value(view, "new_project")),
        assignee=field_value(view, "assignee"),
        labels=[x.strip() for x in (field_value(view, "labels") or "").split(",") if x.strip()],
        origin_channel=meta.get("origin_channel"),
        origin_ts=meta.get("origin_ts"),
        permalink=meta.get("permalink"),
    )
    ack()
    text, blocks, ok = file_draft(db, setup, draft, clock, team_id=team, channel=meta.get("channel"))
    if not ok:
        ephemeral_to(
            db,
            clock,
            team_id=team,
            channel=meta.get("channel"),
            user=user,
            text=text,
            blocks=blocks,
        )


def _project_name(db: Session, team: str, chosen: str | None, new_name: str | None) -> str | None:
    new_name = " ".join((new_name or "").split())
    if chosen == render.NEW_PROJECT or (new_name and chosen in (None, render.NO_PROJECT)):
        if not new_name:
            raise UserError("Name the new project.", field="new_project")
        return new_name
    if chosen and chosen.isdigit():
        project = db.get(TicketProject, int(chosen))
        if project is None or project.team_id != team:
            raise UserError("That project is gone; pick another.", field="project")
        return project.name
    return None


def handle_retry(
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Any,
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    ack()
    team = body["team"]["id"]
    draft = service.draft_of(db, team, action.get("value") or "")
    if draft.user_id != body["user"]["id"]:
        raise UserError("Only the person who wrote this draft can retry it.")
    text, blocks, _ok = file_draft(db, setup_of(settings), draft, clock, team_id=team, channel=draft.channel_id)
    respond(text=text, blocks=blocks or None, response_type="ephemeral", replace_original=True)


def handle_retry_project(
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Any,
    db: Session,
    clock: Clock,
    settings: Settings,
) -> None:
    ack()
    setup = setup_of(settings)
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    result = checklist.create(
        db,
        setup,
        team_id=body["team"]["id"],
        channel_id=channel,
        user_id=body["user"]["id"],
        name=action.get("value") or "",
        now=clock.now(),
    )
    error = f"{result.error.tracker}: {result.error.reason}" if result.error else None
    text, blocks = render.checklist_message(result.project, result.tickets, result.created, len(setup.stages), error)
    respond(text=text, blocks=blocks or None, response_type="ephemeral", replace_original=True)
