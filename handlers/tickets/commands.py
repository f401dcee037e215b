"""`/ticket`: file a stage ticket (modal or one line), project checklists, board, mine, move,
close, default, stages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltContext

from bot.deferred import TRACKERS, Later
from bot.errors import ConfigError, UserError
from bot.text import escape, mrkdwn
from handlers.auth import is_admin
from handlers.router import CommandRequest, Router, Sub
from handlers.tickets.helpers import checklist_reply, file_draft, open_modal, setup_of
from rituals.tickets import (
    accounts,
    board,
    changes,
    checklist,
    flow,
    notify,
    projects,
    render,
    render_project,
    service,
    stages,
)
from rituals.tickets.trackers.base import TrackerError


@contextmanager
def tracker_errors() -> Iterator[None]:
    """Move/close have no draft to keep: the tracker's reason goes straight to the user. Only a definite
    answer means nothing changed; after a timeout the tracker may have applied it."""
    try:
        yield
    except TrackerError as exc:
        if exc.uncertain and exc.status is None:
            raise UserError(
                f"{exc.tracker} did not answer in time: the change may or may not have been made there, and"
                " ritualbot has not recorded it. Check the ticket in the tracker, then run the command again."
            ) from None
        if exc.status is None:
            raise UserError(f"{exc.tracker} {exc.reason.rstrip('.')}. Nothing was changed.") from None
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
    name, template = checklist.split_template(setup, req.rest)
    result = checklist.create(
        req.db,
        setup,
        team_id=req.team,
        channel_id=req.channel,
        user_id=req.user,
        name=name,
        now=req.clock.now(),
        template=template,
    )
    text, blocks = checklist_reply(setup, result)
    notify.project_filed(req.db, result, text=text, channel=req.channel, team_id=req.team, now=req.clock.now())
    req.reply(text, blocks)


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


def edit_profile(req: CommandRequest) -> None:
    """`/ticket profile <project>`: the project form (target, metric, domain, customer, people)."""
    if not req.rest:
        raise UserError("Name the project: `/ticket profile <project>`.")
    chosen = projects.find_project(req.db, req.team, " ".join(req.args))
    if chosen is None:
        known = ", ".join(p.name for p in projects.projects(req.db, req.team)) or "none yet"
        raise UserError(f"There is no project `{req.rest[:60]}`. Projects: {known}.")
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=render_project.profile_modal(chosen))


def show_flow(req: CommandRequest) -> None:
    """`/ticket flow <project>`: the stage-over-time chart and cycle times, posted to the channel."""
    if not req.rest:
        raise UserError("Name the project: `/ticket flow <project>`.")
    setup = setup_of(req.settings)
    project_flow = flow.build(req.db, setup, team_id=req.team, project_name=req.rest, now=req.clock.now())
    notify.flow_posted(req.db, project_flow, channel=req.channel, team_id=req.team, now=req.clock.now())
    req.reply(f"Posted the flow of *{mrkdwn(project_flow.project.name)}* to the channel.")


def mine(req: CommandRequest) -> None:
    req.reply(render.mine_message(board.mine(req.db, team_id=req.team, user_id=req.user, now=req.clock.now())))


def move(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    if len(req.args) < 2:
        raise UserError("Use `/ticket move <key> <stage>`, e.g. `/ticket move DS-12 testing`.")
    with tracker_errors():
        change = changes.move(
            req.db,
            setup,
            team_id=req.team,
            key=req.args[0],
            stage_text=" ".join(req.args[1:]),
            actor=req.user,
            now=req.clock.now(),
        )
    _changed(req, change)


def close(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    if len(req.args) != 1:
        raise UserError("Use `/ticket close <key>`, e.g. `/ticket close DS-12`.")
    with tracker_errors():
        change = changes.close(req.db, setup, team_id=req.team, key=req.args[0], now=req.clock.now())
    _changed(req, change)


def reopen(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    if len(req.args) != 1:
        raise UserError("Use `/ticket reopen <key>`, e.g. `/ticket reopen DS-12`.")
    with tracker_errors():
        change = changes.reopen(req.db, setup, team_id=req.team, key=req.args[0], now=req.clock.now())
    _changed(req, change, verb="reopened")


def reassign(req: CommandRequest) -> None:
    setup = setup_of(req.settings)
    if len(req.args) != 2:
        raise UserError("Use `/ticket assign <key> @person` (or `none`), e.g. `/ticket assign DS-12 @ada`.")
    who = None if req.args[1].lower() in ("none", "nobody", "-") else accounts.parse_user(req.args[1])
    with tracker_errors():
        change = changes.reassign(req.db, setup, team_id=req.team, key=req.args[0], assignee=who, now=req.clock.now())
    _changed(req, change, verb="assigned")


def map_account(req: CommandRequest) -> None:
    """`/ticket map @person <account>`: their Jira account id or GitHub login, for this channel's tracker."""
    setup = setup_of(req.settings)
    if len(req.args) != 2:
        raise UserError("Use `/ticket map @person <account>`: a Jira account id or a GitHub login.")
    who = accounts.parse_user(req.args[0])
    tracker = setup.tracker_name(req.channel, None)
    if tracker == "builtin":
        raise UserError("This channel files into the built-in tracker: there is no account to map.")
    if who != req.user and not is_admin(req.client, req.settings, req.user):
        raise UserError(f"Only <@{who}> or a ritualbot admin can map <@{who}> to a tracker account.")
    row = accounts.link(
        req.db,
        team_id=req.team,
        tracker=tracker,
        user_id=who,
        account=req.args[1],
        set_by=req.user,
        now=req.clock.now(),
    )
    req.reply(f"<@{who}> is now `{escape(row.account)}` in {accounts.SHOWN[tracker]}.")


def _changed(req: CommandRequest, change: changes.Change, verb: str = "") -> None:
    notify.changed(
        req.db, change.ticket, actor=req.user, team_id=req.team, now=req.clock.now(), channel=req.channel, verb=verb
    )
    text = render.update_text(change.ticket, req.user, verb=verb)
    req.reply("\n".join([text, *(f":warning: {mrkdwn(w)}" for w in change.warnings)]))


def one_line(req: CommandRequest) -> None:
    """`/ticket <stage> <summary>`: the router's fallback, so `req.args` holds every word."""
    setup = setup_of(req.settings)
    words = req.args
    chosen = projects.default_project(req.db, req.team, req.channel)
    stage, summary = stages.split_one_liner(projects.stages_of(setup, chosen), words)
    if not summary or " ".join(words).lower() == stage.name.lower():
        raise UserError(f"Add a summary: `/ticket {words[0]} <summary>`, or just `/ticket` for the form.")
    draft = service.new_draft(
        req.db,
        team_id=req.team,
        user_id=req.user,
        channel_id=req.channel,
        now=req.clock.now(),
        stage=stage.name,
        summary=summary,
        project=chosen.name if chosen else None,
    )
    outcome = file_draft(req.db, setup, draft, req.clock, team_id=req.team, channel=req.channel)
    req.reply(outcome.text, outcome.blocks)


def _calls_tracker(command: dict[str, Any], context: BoltContext) -> bool:
    """A one-line filing calls out only when a remote tracker is configured (builtin files in the request)."""
    return setup_of(context["settings"]).calls_out()


_TRACKER = Later(TRACKERS, "Updating the ticket in the tracker…")

# The sub named "" is `/ticket` with no words (the router's default).
ROUTER = Router(
    "/ticket",
    [
        Sub("", "", "file a stage ticket in a form (project, stage, summary, assignee, labels)", form),
        Sub(
            "project",
            "project <name> [template:<name>]",
            "a project (epic) with one ticket per stage: the DS project checklist",
            project,
            later=Later(TRACKERS, "Filing the project's tickets in the tracker…"),
        ),
        Sub("board", "board [project]", "Kanban by stage: WIP, assignees, ages, the oldest item", show_board),
        Sub("mine", "mine", "your open stage tickets", mine),
        Sub("profile", "profile <project>", "the project's profile: target, metric, domain, people", edit_profile),
        Sub("flow", "flow <project>", "a project's stage-over-time chart and cycle time per stage", show_flow),
        Sub(
            "move",
            "move <key> <stage> | close <key>",
            "move a ticket to another stage, or close it",
            move,
            later=_TRACKER,
        ),
        Sub("close", "close <key>", "close a ticket", close, listed=False, later=_TRACKER),
        Sub("reopen", "reopen <key>", "reopen a closed ticket", reopen, later=_TRACKER),
        Sub("assign", "assign <key> @person|none", "reassign a ticket (in its tracker too)", reassign, later=_TRACKER),
        Sub("map", "map @person <account>", "link someone to their Jira account id or GitHub login", map_account),
        Sub("default", "default <project>", "preselect a project for tickets filed in this channel", default),
        Sub("stages", "stages", "list the stages", stage_list),
    ],
    default="",
    fallback=one_line,
    fallback_later=Later(TRACKERS, "Filing the ticket…", needed=_calls_tracker, handoff=True),
    extra_help=[
        ("/ticket <stage> <summary>", "file in one line; stage by number or the start of its name"),
    ],
)


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)
