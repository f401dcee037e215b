"""`/ticket`: file a stage ticket (modal or one line), project checklists, board, mine, move,
close, default.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.tickets import interactive as tickets_interactive
from handlers.tickets.common import ack_ephemeral, file_draft, setup_of, tracker_errors
from rituals.tickets import board, checklist, notify, projects, render, service, stages

COMMANDS = ["/ticket"]
SHORTCUTS = [render.SHORTCUT]
EVENTS = ["reaction_added"]
HELP = [
    ("/ticket", "file a stage ticket in a form (project, stage, summary, assignee, labels)"),
    ("/ticket <stage> <summary>", "file in one line; stage by number or the start of its name"),
    (
        "/ticket project <name>",
        "a project (epic) with one ticket per stage: the DS project checklist",
    ),
    ("/ticket board [project]", "Kanban by stage: WIP, assignees, ages, the oldest item"),
    ("/ticket mine", "your open stage tickets"),
    ("/ticket move <key> <stage> | close <key>", "move a ticket to another stage, or close it"),
    ("/ticket default <project>", "preselect a project for tickets filed in this channel"),
    ("/ticket stages", "list the stages"),
]


def register(app: Any) -> None:
    app.command("/ticket")(handle_ticket_command)
    tickets_interactive.register(app)


def handle_ticket_command(
    ack: Any,
    command: dict[str, Any],
    db: Session,
    clock: Clock,
    settings: Settings,
    client: WebClient,
) -> None:
    text = (command.get("text") or "").strip()
    words = text.split()
    sub = words[0].lower() if words else ""
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    setup = setup_of(settings)
    if not words:
        ack()
        tickets_interactive.open_modal(
            db,
            client,
            setup,
            trigger_id=command["trigger_id"],
            team_id=team,
            meta={"channel": channel},
            channel=channel,
        )
    elif sub == "help":
        ack_ephemeral(ack, "\n".join(f"`{usage}` — {what}" for usage, what in HELP))
    elif sub == "stages":
        ack_ephemeral(ack, "Stages:\n" + stages.stage_list(setup.stages))
    elif sub == "project":
        result = checklist.create(
            db,
            setup,
            team_id=team,
            channel_id=channel,
            user_id=user,
            name=" ".join(words[1:]),
            now=clock.now(),
        )
        message, blocks = render.checklist_message(
            result.project, result.tickets, result.created, len(setup.stages), _reason(result.error)
        )
        ack_ephemeral(ack, message, blocks)
    elif sub == "default":
        project = projects.set_default(
            db,
            team_id=team,
            channel_id=channel,
            project_name=" ".join(words[1:]),
            user_id=user,
            now=clock.now(),
        )
        ack_ephemeral(ack, f"Tickets filed in this channel now go to *{project.name}* by default.")
    elif sub == "board":
        message, blocks = render.board_message(
            board.build(db, setup, team_id=team, project_name=" ".join(words[1:]) or None, now=clock.now())
        )
        ack_ephemeral(ack, message, blocks)
    elif sub == "mine":
        ack_ephemeral(ack, render.mine_message(board.mine(db, team_id=team, user_id=user, now=clock.now())))
    elif sub in ("move", "close"):
        ack_ephemeral(ack, _change(db, setup, clock, sub, words[1:], team=team, user=user))
    else:
        _one_line(ack, db, setup, clock, words, team=team, channel=channel, user=user)


def _reason(error: Any) -> str | None:
    return f"{error.tracker}: {error.reason}" if error else None


def _change(db: Session, setup: Any, clock: Clock, sub: str, args: list[str], *, team: str, user: str) -> str:
    if sub == "move" and len(args) < 2:
        raise UserError("Use `/ticket move <key> <stage>`, e.g. `/ticket move DS-12 testing`.")
    if sub == "close" and len(args) != 1:
        raise UserError("Use `/ticket close <key>`, e.g. `/ticket close DS-12`.")
    with tracker_errors():
        if sub == "move":
            ticket = service.move(db, setup, team_id=team, key=args[0], stage_text=" ".join(args[1:]), now=clock.now())
        else:
            ticket = service.close(db, setup, team_id=team, key=args[0], now=clock.now())
    notify.changed(db, ticket, actor=user, team_id=team, now=clock.now())
    return render.update_text(ticket, user)


def _one_line(
    ack: Any,
    db: Session,
    setup: Any,
    clock: Clock,
    words: list[str],
    *,
    team: str,
    channel: str,
    user: str,
) -> None:
    stage = stages.match(setup.stages, words[0])
    if len(words) < 2:
        raise UserError(f"Add a summary: `/ticket {words[0]} <summary>`, or just `/ticket` for the form.")
    default = projects.default_project(db, team, channel)
    draft = service.new_draft(
        db,
        team_id=team,
        user_id=user,
        channel_id=channel,
        now=clock.now(),
        stage=stage.name,
        summary=" ".join(words[1:]),
        project=default.name if default else None,
    )
    message, blocks, _ok = file_draft(db, setup, draft, clock, team_id=team, channel=channel)
    ack_ephemeral(ack, message, blocks)
