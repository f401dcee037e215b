"""`/ritual`: help, status, and the channel's daily digest switch."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.capabilities import Capabilities
from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.ritual import overview
from reports.digest import service as digest

COMMANDS = ["/ritual"]
HELP = [
    ("/ritual help", "list every command"),
    ("/ritual status", "what this channel has running"),
    ("/ritual digest on [HH:MM] [Area/City]", "post the daily digest in this channel (default 09:00, your timezone)"),
    ("/ritual digest off", "stop the daily digest in this channel"),
]


def register(app: Any) -> None:
    app.command("/ritual")(handle_ritual_command)


def handle_ritual_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, settings: Settings,
                          client: WebClient, capabilities: Capabilities) -> None:
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if sub == "help":
        entries = capabilities.help_entries()
        ack(response_type="ephemeral", text=overview.help_text(entries), blocks=overview.help_blocks(entries))
    elif sub == "status":
        groups = capabilities.status_lines(db, command["team_id"], command["channel_id"])
        ack(response_type="ephemeral", text=overview.status_text(groups),
            blocks=overview.status_blocks(groups, where="in this channel"))
    elif sub == "digest":
        ack(response_type="ephemeral", text=_digest(words[1:], command, db, clock, settings, client))
    else:
        raise UserError(f"I don't know `/ritual {words[0][:40]}`. Try `/ritual help`.")


def _digest(args: list[str], command: dict[str, Any], db: Session, clock: Clock, settings: Settings,
            client: WebClient) -> str:
    action = args[0].lower() if args else ""
    if action == "off":
        digest.disable(db, team_id=command["team_id"], channel_id=command["channel_id"], now=clock.now())
        return "The daily digest is off in this channel."
    if action != "on":
        raise UserError("Use `/ritual digest on [HH:MM] [Area/City]` or `/ritual digest off`.")
    local_time = args[1] if len(args) > 1 else settings.digest_time
    timezone = args[2] if len(args) > 2 else _user_timezone(client, command["user_id"], settings.timezone)
    row = digest.enable(db, team_id=command["team_id"], channel_id=command["channel_id"],
                        user_id=command["user_id"], now=clock.now(), local_time=local_time, timezone=timezone)
    return f"The daily digest will be posted here every day at {row.local_time} ({row.timezone})."


def _user_timezone(client: WebClient, user_id: str, fallback: str) -> str:
    user = client.users_info(user=user_id).get("user") or {}
    return user.get("tz") or fallback
