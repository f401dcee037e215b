"""`/spend [team] [period]` and `/spend budget <team> <amount> [YYYY-MM] [currency]`: ephemeral, from stored
costs."""

from __future__ import annotations

import re
from datetime import timedelta

from slack_bolt import App

from bot.config import Settings
from bot.errors import ConfigError, UserError
from bot.text import escape
from handlers.access import caller
from handlers.router import CommandRequest, Router, Sub
from reports.spend import config as spend_config
from reports.spend import money, render, service, store

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def report(req: CommandRequest) -> None:
    """`/spend [team] [period]`: the words are a team and a period, in any order (the router's fallback)."""
    config = _config(req.settings)
    team, period = _parse(req.args)
    now = req.clock.now()
    found = service.build(req.db, config, req.team, now.date() - timedelta(days=1), now)
    if found.empty:
        raise UserError("No cost data is stored yet: it arrives with the next daily sync.")
    if team and team not in found.teams:
        known = ", ".join(found.teams[:15])
        raise UserError(f"I have no costs for team `{team[:60]}`. Teams I know: {known}.")
    req.reply(*render.command_blocks(found, team, period))


def budget(req: CommandRequest) -> None:
    if req.settings.admins:  # a workspace that names its admins reserves budgets to them (and Slack's admins)
        caller(req.context, req.client, req.settings, req.user).require_admin("set a team's budget")
    config = _config(req.settings)
    args = req.args
    if len(args) not in (2, 3, 4):
        raise UserError(
            "Use `/spend budget <team> <amount> [YYYY-MM] [currency]`, e.g. `/spend budget ml-research 12000 EUR`."
        )
    currency = next((a.upper() for a in args[2:] if _CURRENCY.match(a)), None)
    rest = [a for a in args[2:] if not _CURRENCY.match(a)]
    month = rest[0] if rest else ""
    if len(rest) > 1 or (month and not _MONTH.match(month)):
        raise UserError(f"`{month[:20]}` is not a month: use YYYY-MM, e.g. `2026-12`.")
    row = store.set_budget(
        req.db,
        team_id=req.team,
        team=args[0],
        amount=args[1],
        month=month,
        user_id=req.user,
        now=req.clock.now(),
        currency=currency,
    )
    shown = currency or config.currency or _only_currency(req, config)
    amount = money.fmt(row.amount, shown) if shown else f"{row.amount:,.2f}"
    when = f"for {month}" if month else "for every month"
    req.reply(f"Budget for *{escape(row.team)}* {when}: {amount}. Threshold alerts at {_thresholds(config)}.")


ROUTER = Router(
    "/spend",
    [
        Sub(
            "budget",
            "budget <team> <amount> [YYYY-MM] [currency]",
            "set a team's monthly budget (every month, or one month; in the costs' currency unless you name one)",
            budget,
        ),
    ],
    default="",
    fallback=report,
    extra_help=[
        ("/spend [team] [yesterday|7d|30d|month]", "cloud spend from the stored daily costs (only you see it)"),
    ],
)


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)


def _config(settings: Settings) -> spend_config.SpendConfig:
    try:
        config = spend_config.load(settings)
    except ConfigError as exc:
        raise UserError(f"The spend settings in ritualbot.yaml need fixing: {exc}") from None
    if not config.enabled:
        raise UserError(
            "Spend reports are not set up: add a `spend:` section (source: cost_explorer or focus) to ritualbot.yaml."
        )
    return config


def _parse(words: list[str]) -> tuple[str | None, str]:
    team, period = None, "month"
    for word in words:
        if word.lower() in render.PERIODS:
            period = word.lower()
        elif team is None:
            team = word
        else:
            raise UserError(
                f"`{word[:40]}` is not a period: use yesterday, 7d, 30d or month, e.g. `/spend ml-research 7d`."
            )
    return team, period


def _only_currency(req: CommandRequest, config: spend_config.SpendConfig) -> str | None:
    """The currency of the stored costs when there is exactly one (a budget without currency is in it)."""
    found = store.currencies(req.db, config.source, req.clock.now().date() - timedelta(days=60))
    return found[0] if len(found) == 1 else None


def _thresholds(config: spend_config.SpendConfig) -> str:
    return ", ".join(f"{t}%" for t in config.thresholds) + " of it, and when the forecast exceeds it"
