"""`/runs watch|unwatch|list|latest|compare`: watches of MLflow experiments and ephemeral run cards."""

from __future__ import annotations

import re
import shlex

from slack_bolt import App

from bot.deferred import MLFLOW, Later
from bot.errors import UserError
from bot.text import escape
from handlers.router import CommandRequest, Router, Sub
from handlers.runs.helpers import call, runs_settings
from reports.runs import configured, render, service

WATCH_OPTIONS = {"primary", "model", "higher", "lower", "neutral", "min_effect"}
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$")


def watch(req: CommandRequest) -> None:
    config = runs_settings(req.settings)
    experiment, options, channel = _watch_args(_args(req))
    row = call(
        req.settings,
        lambda m: service.watch(
            req.db,
            m,
            team_id=req.team,
            channel_id=channel or req.channel,
            experiment=experiment,
            primary=options.get("primary"),
            model=options.get("model"),
            user_id=req.user,
            now=req.clock.now(),
            directions=_directions(options),
            min_effect=_min_effect(options.get("min_effect")),
            alias=config.alias,
        ),
    )
    extra = f", primary metric `{escape(row.primary_metric)}`" if row.primary_metric else ""
    if row.min_effect is not None:
        extra += f", minimum effect {row.min_effect:.1%}"
    model = f", champion `{escape(row.registered_model)}@{escape(config.alias)}`" if row.registered_model else ""
    req.reply(
        f"<#{row.channel_id}> now gets finished runs of *{escape(row.experiment_name)}*{extra}{model}, "
        f"checked every {config.poll_minutes} minutes."
    )


def unwatch(req: CommandRequest) -> None:
    args = _args(req)
    if not args:
        raise UserError("Name the experiment: `/runs unwatch <experiment>`.")
    row = service.unwatch(req.db, team_id=req.team, channel_id=req.channel, experiment=" ".join(args))
    req.reply(f"Stopped announcing *{escape(row.experiment_name)}* here.")


def watch_list(req: CommandRequest) -> None:
    lines = [render.watch_line(r, configured.owned(r)) for r in service.watches(req.db, req.team, req.channel)]
    req.reply("\n".join(lines) or "This channel watches no experiment yet: `/runs watch <experiment>`.")


def latest(req: CommandRequest) -> None:
    config = runs_settings(req.settings)
    experiment = " ".join(_args(req)) or None
    card = call(
        req.settings,
        lambda m: service.latest(req.db, m, config, team_id=req.team, channel_id=req.channel, experiment=experiment),
    )
    req.reply(card.text, card.blocks)


def compare(req: CommandRequest) -> None:
    config = runs_settings(req.settings)
    args = _args(req)
    plain = [a for a in args if "=" not in a]
    options = _options([a for a in args if "=" in a], {"primary"})
    if len(plain) != 2:
        raise UserError("Use `/runs compare <run_a> <run_b>` with two run ids from the MLflow UI.")
    card = call(req.settings, lambda m: service.compare(m, config, plain[0], plain[1], options.get("primary")))
    req.reply(card.text, card.blocks)


ROUTER = Router(
    "/runs",
    [
        Sub(
            "watch",
            "watch <experiment> [#channel] [primary=<metric>] [model=<registered model>] "
            "[higher=<metric,…>] [lower=<metric,…>] [min_effect=<0.5%>]",
            "announce finished MLflow runs of an experiment in a channel",
            watch,
            later=Later(MLFLOW, "Looking the experiment up in MLflow…"),
        ),
        Sub("unwatch", "unwatch <experiment>", "stop announcing an experiment here", unwatch),
        Sub("list", "list", "experiments this channel watches", watch_list),
        Sub(
            "latest",
            "latest [experiment]",
            "the newest finished run against its baseline (only you see it)",
            latest,
            later=Later(MLFLOW, "Looking up the latest run in MLflow…"),
        ),
        Sub(
            "compare",
            "compare <run_a> <run_b>",
            "run B's metric deltas against run A (only you see it)",
            compare,
            later=Later(MLFLOW, "Comparing the runs in MLflow…"),
        ),
    ],
)


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)


def _args(req: CommandRequest) -> list[str]:
    """The words after the subcommand, split like a shell: experiment names with spaces come in quotes."""
    try:
        return shlex.split(str(req.command.get("text") or ""))[1:]
    except ValueError:
        raise UserError(
            "A quote is not closed: put experiment names with spaces in matching quotes, "
            'e.g. `/runs watch "churn model"`.'
        ) from None


def _watch_args(args: list[str]) -> tuple[str, dict[str, str], str | None]:
    channel, names, options = None, [], []
    for arg in args:
        match = _CHANNEL.match(arg)
        if match:
            channel = match.group(1) or match.group(3)
        elif "=" in arg:
            options.append(arg)
        elif arg.startswith("#"):
            raise UserError(f"I can't tell which channel `{arg[:40]}` is: pick it from Slack's autocomplete.")
        else:
            names.append(arg)
    if not names:
        raise UserError("Name the experiment: `/runs watch <experiment> [#channel] [primary=<metric>]`.")
    return " ".join(names), _options(options, WATCH_OPTIONS), channel


def _directions(options: dict[str, str]) -> dict[str, str] | None:
    """`higher=val_score,ndcg lower=val_cost neutral=epochs`: directions this watch sets for its metrics."""
    found = {m: how for how in ("higher", "lower", "neutral") for m in options.get(how, "").split(",") if m}
    return found or None


def _min_effect(value: str | None) -> float | None:
    """`min_effect=1%` or `min_effect=0.01`: the smallest relative win that counts."""
    if value is None:
        return None
    try:
        number = float(value.rstrip("%")) / (100 if value.endswith("%") else 1)
    except ValueError:
        number = -1.0
    if not 0 <= number < 1:
        raise UserError(f"`min_effect={value[:20]}` must be a percentage like `1%` or a fraction like `0.01`.")
    return number


def _options(args: list[str], allowed: set[str]) -> dict[str, str]:
    found = {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key not in allowed or not value:
            raise UserError(
                f"`{arg[:40]}` is not an option here: use " + ", ".join(f"`{k}=…`" for k in sorted(allowed)) + "."
            )
        found[key] = value
    return found
