"""`/ritual`: help (every capability's commands), status, and the channel's daily digest switch."""

from __future__ import annotations

from bot.deferred import SLACK, Later
from bot.errors import UserError
from bot.slack_client import SlackDirectory
from handlers.ritual import overview
from handlers.router import CommandRequest, Router, Sub
from reports.digest import service as digest

DIGEST_USAGE = "Use `/ritual digest on [HH:MM] [Area/City]` or `/ritual digest off`."


def show_help(req: CommandRequest) -> None:
    entries = req.capabilities.help_entries()
    req.reply(overview.help_text(entries), overview.help_blocks(entries))


def status(req: CommandRequest) -> None:
    groups = req.capabilities.status_lines(req.db, req.team, req.channel)
    req.reply(overview.status_text(groups), overview.status_blocks(groups, where="in this channel"))


def digest_switch(req: CommandRequest) -> None:
    action = req.args[0].lower() if req.args else ""
    if action == "off":
        req.reply(digest_off(req))
    elif action == "on":
        req.reply(digest_on(req))
    else:
        raise UserError(DIGEST_USAGE)


def digest_off(req: CommandRequest) -> str:
    digest.disable(req.db, team_id=req.team, channel_id=req.channel, now=req.clock.now())
    return "The daily digest is off in this channel."


def digest_on(req: CommandRequest) -> str:
    local_time = req.args[1] if len(req.args) > 1 else req.settings.digest_time
    timezone = req.args[2] if len(req.args) > 2 else _user_timezone(req)
    row = digest.enable(
        req.db,
        team_id=req.team,
        channel_id=req.channel,
        user_id=req.user,
        now=req.clock.now(),
        local_time=local_time,
        timezone=timezone,
    )
    return f"The daily digest will be posted here every day at {row.local_time} ({row.timezone})."


def _user_timezone(req: CommandRequest) -> str:
    person = SlackDirectory(req.client).person(req.user)
    return person.tz if person else req.settings.timezone


ROUTER = Router(
    "/ritual",
    [
        Sub("help", "help", "list every command", show_help),
        Sub("status", "status", "what this channel has running", status),
        Sub(
            "digest",
            "digest on [HH:MM] [Area/City]",
            "post the daily digest in this channel (default 09:00, your timezone)",
            digest_switch,
            later=Later(SLACK, "Looking up your timezone in Slack…"),
        ),
    ],
    extra_help=[("/ritual digest off", "stop the daily digest in this channel")],
)
