"""`/runs watch|unwatch|list|latest|compare` and the Promote button of a run card."""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable
from typing import Any, TypeVar

from mlflow.exceptions import MlflowException
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import ConfigError, UserError
from reports.runs import config as runs_config
from reports.runs import configured, render, service, source

log = logging.getLogger(__name__)
COMMANDS = ["/runs"]
HELP = [
    ("/runs watch <experiment> [#channel] [primary=<metric>] [model=<registered model>]",
     "announce finished MLflow runs of an experiment in a channel"),
    ("/runs unwatch <experiment>", "stop announcing an experiment here"),
    ("/runs list", "experiments this channel watches"),
    ("/runs latest [experiment]", "the newest finished run against its baseline (only you see it)"),
    ("/runs compare <run_a> <run_b>", "run B's metric deltas against run A (only you see it)"),
]
USAGE = "Use " + ", ".join(f"`{u}`" for u, _ in HELP) + "."
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$")
T = TypeVar("T")


def register(app: Any) -> None:
    app.command("/runs")(handle_runs_command)
    app.action(render.PROMOTE)(handle_promote)


def handle_runs_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, settings: Settings) -> None:
    words = _words(command.get("text") or "")
    if not words or words[0].lower() == "help":
        ack(response_type="ephemeral", text=USAGE)
        return
    sub, args = words[0].lower(), words[1:]
    config = _config(settings)
    team_id, channel_id = command["team_id"], command["channel_id"]
    if sub == "watch":
        experiment, options, channel = _watch_args(args)
        row = _call(settings, lambda m: service.watch(
            db, m, team_id=team_id, channel_id=channel or channel_id, experiment=experiment,
            primary=options.get("primary"), model=options.get("model"), user_id=command["user_id"], now=clock.now()))
        extra = f", primary metric `{row.primary_metric}`" if row.primary_metric else ""
        model = f", champion `{row.registered_model}@{config.alias}`" if row.registered_model else ""
        ack(response_type="ephemeral", text=f"<#{row.channel_id}> now gets finished runs of "
            f"*{row.experiment_name}*{extra}{model}, checked every {config.poll_minutes} minutes.")
    elif sub == "unwatch":
        if not args:
            raise UserError("Name the experiment: `/runs unwatch <experiment>`.")
        row = service.unwatch(db, team_id=team_id, channel_id=channel_id, experiment=" ".join(args))
        ack(response_type="ephemeral", text=f"Stopped announcing *{row.experiment_name}* here.")
    elif sub == "list":
        rows = service.watches(db, team_id, channel_id)
        lines = [render.watch_line(r, configured.owned(r)) for r in rows]
        ack(response_type="ephemeral", text="\n".join(lines) or "This channel watches no experiment yet: "
            "`/runs watch <experiment>`.")
    elif sub == "latest":
        card = _call(settings, lambda m: service.latest(db, m, config, team_id=team_id, channel_id=channel_id,
                                                        experiment=" ".join(args) or None))
        ack(response_type="ephemeral", text=card.text, blocks=card.blocks)
    elif sub == "compare":
        plain = [a for a in args if "=" not in a]
        options = _options([a for a in args if "=" in a], {"primary"})
        if len(plain) != 2:
            raise UserError("Use `/runs compare <run_a> <run_b>` with two run ids from the MLflow UI.")
        card = _call(settings, lambda m: service.compare(m, config, plain[0], plain[1], options.get("primary")))
        ack(response_type="ephemeral", text=card.text, blocks=card.blocks)
    else:
        raise UserError(f"I don't know `/runs {sub[:30]}`. {USAGE}")


def handle_promote(ack: Any, body: dict[str, Any], action: dict[str, Any], db: Session, clock: Clock,
                   settings: Settings, client: Any) -> None:
    ack()
    container = body.get("container") or {}
    channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
    config = _config(settings)
    _call(settings, lambda m: service.promote(
        db, m, config, value=action.get("value") or "", user_id=body["user"]["id"], channel_id=channel_id,
        thread_ts=container.get("thread_ts") or container.get("message_ts"), now=clock.now(),
        members_of=_group_members(client)))


def _group_members(client: Any) -> Callable[[str], set[str]]:
    """Members of a promoter user group, given by id (S…) or @handle, from Slack."""
    def members_of(group: str) -> set[str]:
        try:
            if group.startswith("@"):
                found = [g["id"] for g in client.usergroups_list()["usergroups"] if g.get("handle") == group[1:]]
                if not found:
                    log.warning("promoter group not found handle=%s", group)
                    return set()
                group = found[0]
            return set(client.usergroups_users_list(usergroup=group)["users"])
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("promoter group lookup failed group=%s error=%s", group, error)
            raise UserError(f"I could not read the members of the promoter group `{group}` (Slack said `{error}`): "
                            "ask an admin to check `runs.promoters` and that the app has the `usergroups:read` "
                            "scope.") from None
    return members_of


def _call(settings: Settings, fn: Callable[[Any], T]) -> T:
    """Run `fn(mlflow client)`; an unreachable or refusing tracking server is the user's to know."""
    try:
        return fn(source.client(settings))
    except MlflowException as exc:
        log.warning("mlflow call failed error=%s", exc.error_code)
        raise UserError(f"MLflow answered with an error ({exc.error_code}): {str(exc)[:200]}") from None
    except ConfigError as exc:
        raise UserError(f"The MLflow tracking URI needs fixing: {exc}") from None
    except OSError as exc:
        raise UserError(f"Could not reach the MLflow tracking server: {exc.strerror or exc}. "
                        "Check MLFLOW_TRACKING_URI.") from None


def _config(settings: Settings) -> runs_config.RunsConfig:
    try:
        return runs_config.load(settings)
    except ConfigError as exc:
        raise UserError(f"The runs settings in ritualbot.yaml need fixing: {exc}") from None


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        raise UserError("A quote is not closed: put experiment names with spaces in matching quotes, "
                        'e.g. `/runs watch "churn model"`.') from None


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
    return " ".join(names), _options(options, {"primary", "model"}), channel


def _options(args: list[str], allowed: set[str]) -> dict[str, str]:
    found = {}
    for arg in args:
        key, _, value = arg.partition("=")
        if key not in allowed or not value:
            raise UserError(f"`{arg[:40]}` is not an option here: use " + ", ".join(f"`{k}=…`" for k in sorted(allowed))
                            + ".")
        found[key] = value
    return found
