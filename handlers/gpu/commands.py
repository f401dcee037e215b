"""`/gpu idle [team]` and `/gpu owners`: ephemeral answers from the stored GPU days."""

from __future__ import annotations

from slack_bolt import App

from bot.deferred import METRICS, Later
from bot.errors import UserError
from handlers.gpu.helpers import gpu_settings
from handlers.router import CommandRequest, Router, Sub
from reports.gpu import actions, render
from reports.gpu.section import local_zone, refresh_and_report, yesterday

USAGE = "Use `/gpu idle [team]` for yesterday's idle GPUs or `/gpu owners` for the owner map."


def idle(req: CommandRequest) -> None:
    config = gpu_settings(req.settings)
    if len(req.args) > 1:
        raise UserError(USAGE)
    team = req.args[0] if req.args else None
    now = req.clock.now()
    tz = local_zone(req.db, config, req.team, req.channel, req.settings.timezone)
    report = refresh_and_report(req.db, config, yesterday(now, tz), now, tz, team)
    if report.empty:
        if team:
            raise UserError(f"I have no GPUs for team `{team[:60]}` yesterday. `/gpu owners` lists the teams.")
        raise UserError("No GPU metrics for yesterday yet: check the sources in ritualbot.yaml.")
    req.reply(*render.command_blocks(report, team, config.users))


def owners(req: CommandRequest) -> None:
    config = gpu_settings(req.settings)
    if req.args:
        raise UserError(USAGE)
    req.reply(*render.owners_blocks(actions.owner_rows(req.db, config)))


def usage(req: CommandRequest) -> None:
    """`/gpu` alone or with a word it does not know: say what it takes (once the gpu section is set up)."""
    gpu_settings(req.settings)
    raise UserError(USAGE)


ROUTER = Router(
    "/gpu",
    [
        Sub(
            "idle",
            "idle [team]",
            "yesterday's idle GPUs, their owners and cost (only you see it)",
            idle,
            later=Later(METRICS, "Reading yesterday's GPU metrics…"),
        ),
        Sub("owners", "owners", "who owns which GPU, from tags, labels and ritualbot.yaml", owners),
    ],
    default="",
    fallback=usage,
)


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)
