"""`/ticket`: file a stage ticket (modal or one line), project checklists, board, mine, move,
close, default, stages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import App

from bot.errors import ConfigError, UserError
from handlers.router import CommandRequest, Router, Sub
from handlers.tickets.helpers import checklist_reply, file_draft, open_modal, setup_of
from rituals.tickets import board, checklist, notify, projects, render, service, stages
from rituals.tickets.models import Ticket
from rituals.tickets.trackers.base import TrackerError


@contextmanager
def tracker_errors() -> Iterator[None]:
    """Move/close have no draft to keep: the tracker's reason goes straight to the user."""
    try:
        yield
    except TrackerError as exc:
        raise UserError(f"{exc.tracker} refused: {exc.reason.rstrip('.')}. Nothing was changed here.") from None
    except ConfigError as exc:
        raise UserError(f"The tracker is not set up: {exc}") from None


def form(req: CommandRequest) -> None:
    """`/ticket` alone: the filing modal."""
    setup = setup_of(req.settings)
    req.ack()
    open_modal(
        req.db,
        req.client,
        setup,
        trigger_id=req.trigger_id,
        team_id=req.team,
        meta={"channel": req.channel},
        channel=req.channel,
    )


def stage_list(req: CommandRequest) -> None:
    req.reply(render.stages_text(setup_of(req.settings).stages))


def project(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    result = checklist.create(
        req.db, setup, team_id=req.team, channel_id=req.channel, user_id=req.user, name=req.rest, now=req.clock.now()
    )
    req.reply(*checklist_reply(setup, result))


def default(req: CommandRequest) -> None:
    chosen = projects.set_default(
        req.db, team_id=req.team, channel_id=req.channel, project_name=req.rest, user_id=req.user, now=req.clock.now()
    )
    req.reply(render.default_set(chosen))


def show_board(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    req.reply(
        *render.board_message(
            board.build(req.db, setup, team_id=req.team, project_name=req.rest or None, now=req.clock.now())
        )
    )


def mine(req: CommandRequest) -> None:
    req.reply(render.mine_message(board.mine(req.db, team_id=req.team, user_id=req.user, now=req.clock.now())))


def move(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    if len(req.args) < 2:
        raise UserError("Use `/ticket move <key> <stage>`, e.g. `/ticket move DS-12 testing`.")
    with tracker_errors():
        ticket = service.move(
            req.db, setup, team_id=req.team, key=req.args[0], stage_text=" ".join(req.args[1:]), now=req.clock.now()
        )
    _changed(req, ticket)


def close(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    if len(req.args) != 1:
        raise UserError("Use `/ticket close <key>`, e.g. `/ticket close DS-12`.")
    with tracker_errors():
        ticket = service.close(req.db, setup, team_id=req.team, key=req.args[0], now=req.clock.now())
    _changed(req, ticket)


def _changed(req: CommandRequest, ticket: Ticket) -> None:
    notify.changed(req.db, ticket, actor=req.user, team_id=req.team, now=req.clock.now())
    req.reply(render.update_text(ticket, req.user))


def one_line(req: CommandRequest) -> None:
    """`/ticket <stage> <summary>`: the router's fallback, so `req.args` holds every word."""
    setup = setup_of(req.settings)
    words = req.args
    stage = stages.match(setup.stages, words[0])
    if len(words) < 2:
        raise UserError(f"Add a summary: `/ticket {words[0]} <summary>`, or just `/ticket` for the form.")
    chosen = projects.default_project(req.db, req.team, req.channel)
    draft = service.new_draft(
        req.db,
        team_id=req.team,
        user_id=req.user,
        channel_id=req.channel,
        now=req.clock.now(),
        stage=stage.name,
        summary=" ".join(words[1:]),
        project=chosen.name if chosen else None,
    )
    text, blocks, _ok = file_draft(req.db, setup, draft, req.clock, team_id=req.team, channel=req.channel)
    req.reply(text, blocks)


# The sub named "" is `/ticket` with no words (the router's default).
ROUTER = Router(
    "/ticket",
    [
        Sub("", "", "file a stage ticket in a form (project, stage, summary, assignee, labels)", form),
        Sub(
            "project", "project <name>", "a project (epic) with one ticket per stage: the DS project checklist", project
        ),
        Sub("board", "board [project]", "Kanban by stage: WIP, assignees, ages, the oldest item", show_board),
        Sub("mine", "mine", "your open stage tickets", mine),
        Sub("move", "move <key> <stage> | close <key>", "move a ticket to another stage, or close it", move),
        Sub("close", "close <key>", "close a ticket", close, listed=False),
        Sub("default", "default <project>", "preselect a project for tickets filed in this channel", default),
        Sub("stages", "stages", "list the stages", stage_list),
    ],
    default="",
    fallback=one_line,
    extra_help=[
        ("/ticket <stage> <summary>", "file in one line; stage by number or the start of its name"),
    ],
)


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)
