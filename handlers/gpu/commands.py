"""`/gpu idle [team]`, `/gpu owners`, and the buttons on idle-GPU DMs (in use, release, snooze, stop)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import ConfigError, UserError
from reports.gpu import actions, render
from reports.gpu import config as gpu_config
from reports.gpu.section import refresh_and_report

COMMANDS = ["/gpu"]
HELP = [("/gpu idle [team]", "yesterday's idle GPUs, their owners and cost (only you see it)"),
        ("/gpu owners", "who owns which GPU, from tags, labels and ritualbot.yaml")]
RESPONSES = {render.ACTION_IN_USE: "in_use", render.ACTION_RELEASE: "releasing", render.ACTION_SNOOZE: "snoozed"}


def register(app: Any) -> None:
    app.command("/gpu")(handle_gpu_command)
    for action_id in RESPONSES:
        app.action(action_id)(handle_answer)
    app.action(render.ACTION_STOP)(handle_stop)


def _config(settings: Settings) -> gpu_config.GpuConfig:
    try:
        config = gpu_config.load(settings)
    except ConfigError as exc:
        raise UserError(f"The gpu settings in ritualbot.yaml need fixing: {exc}") from None
    if not config.enabled:
        raise UserError("Idle-GPU reports are not set up: add a `gpu:` section with `sources:` "
                        "(prometheus, cloudwatch, nvml or sample) to ritualbot.yaml.")
    return config


def handle_gpu_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, settings: Settings) -> None:
    words = (command.get("text") or "").split()
    config = _config(settings)
    if words[:1] == ["owners"] and len(words) == 1:
        text, blocks = render.owners_blocks(actions.owner_rows(db, config))
        ack(response_type="ephemeral", text=text, blocks=blocks)
        return
    if not words or words[0] != "idle" or len(words) > 2:
        raise UserError("Use `/gpu idle [team]` for yesterday's idle GPUs or `/gpu owners` for the owner map.")
    team = words[1] if len(words) == 2 else None
    now = clock.now()
    report = refresh_and_report(db, config, now.date() - timedelta(days=1), now, settings.timezone, team)
    if report.empty:
        if team:
            raise UserError(f"I have no GPUs for team `{team[:60]}` yesterday. `/gpu owners` lists the teams.")
        raise UserError("No GPU metrics for yesterday yet: check the sources in ritualbot.yaml.")
    text, blocks = render.command_blocks(report, team, config.users)
    ack(response_type="ephemeral", text=text, blocks=blocks)


def handle_answer(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, db: Session, clock: Clock,
                  settings: Settings) -> None:
    ack()
    reply = actions.answer(db, action["value"], body["user"]["id"], RESPONSES[action["action_id"]], clock.now(),
                           settings.timezone)
    original = body.get("message", {}).get("text", "")
    respond(replace_original=True, text=f"{original}\n{reply}".strip())


def handle_stop(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, db: Session, clock: Clock,
                settings: Settings) -> None:
    ack()
    config = _config(settings)
    reply = actions.stop_instance(db, config, action["value"], body["user"]["id"], clock.now(),
                                  team_id=body.get("team", {}).get("id", ""))
    respond(replace_original=False, response_type="ephemeral", text=reply)
