"""`/spend [team] [period]` and `/spend budget <team> <amount> [YYYY-MM]`: ephemeral, from stored costs."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import ConfigError, UserError
from reports.spend import config as spend_config
from reports.spend import money, render, service, store

COMMANDS = ["/spend"]
HELP = [
    ("/spend [team] [yesterday|7d|30d|month]", "cloud spend from the stored daily costs (only you see it)"),
    ("/spend budget <team> <amount> [YYYY-MM]", "set a team's monthly budget (every month, or one month)"),
]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def register(app: Any) -> None:
    app.command("/spend")(handle_spend_command)


def handle_spend_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, settings: Settings) -> None:
    words = (command.get("text") or "").split()
    config = _config(settings)
    if words and words[0].lower() == "budget":
        ack(response_type="ephemeral", text=_budget(words[1:], command, db, clock, config))
        return
    team, period = _parse(words)
    now = clock.now()
    report = service.build(db, config, command["team_id"], now.date() - timedelta(days=1), now)
    if report.empty:
        raise UserError("No cost data is stored yet: it arrives with the next daily sync.")
    if team and team not in report.by_team:
        known = ", ".join(sorted(report.by_team)[:15])
        raise UserError(f"I have no costs for team `{team[:60]}`. Teams I know: {known}.")
    text, blocks = render.command_blocks(report, team, period)
    ack(response_type="ephemeral", text=text, blocks=blocks)


def _config(settings: Settings) -> spend_config.SpendConfig:
    try:
        config = spend_config.load(settings)
    except ConfigError as exc:
        raise UserError(f"The spend settings in ritualbot.yaml need fixing: {exc}") from None
    if not config.enabled:
        raise UserError("Spend reports are not set up: add a `spend:` section (source: cost_explorer or focus) "
                        "to ritualbot.yaml.")
    return config


def _parse(words: list[str]) -> tuple[str | None, str]:
    team, period = None, "month"
    for word in words:
        if word.lower() in render.PERIODS:
            period = word.lower()
        elif team is None:
            team = word
        else:
            raise UserError(f"`{word[:40]}` is not a period: use yesterday, 7d, 30d or month, "
                            "e.g. `/spend ml-research 7d`.")
    return team, period


def _budget(args: list[str], command: dict[str, Any], db: Session, clock: Clock,
            config: spend_config.SpendConfig) -> str:
    if len(args) not in (2, 3):
        raise UserError("Use `/spend budget <team> <amount> [YYYY-MM]`, e.g. `/spend budget ml-research 12000`.")
    month = args[2] if len(args) == 3 else ""
    if month and not _MONTH.match(month):
        raise UserError(f"`{month[:20]}` is not a month: use YYYY-MM, e.g. `2026-12`.")
    row = store.set_budget(db, team_id=command["team_id"], team=args[0], amount=args[1], month=month,
                           user_id=command["user_id"], now=clock.now())
    currency = store.currency_of(db, config.source) or ""
    amount = money.fmt(row.amount, currency) if currency else f"{row.amount:,.2f}"
    when = f"for {month}" if month else "for every month"
    return f"Budget for *{row.team}* {when}: {amount}. Threshold alerts at {_thresholds(config)}."


def _thresholds(config: spend_config.SpendConfig) -> str:
    return ", ".join(f"{t}%" for t in config.thresholds) + " of it, and when the forecast exceeds it"
