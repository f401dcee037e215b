"""`/retro`: start a retro, list templates, history, export, abandon and resume; registers the retro listeners."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.retro import actions as retro_actions
from handlers.retro import views as retro_views
from handlers.retro.common import admin_check
from rituals.retro import boards, history, service

COMMANDS = ["/retro"]
EXPORT_LIMIT = 39_000
HELP = [
    ("/retro start [template] [title]", "start a retrospective in this channel (you facilitate)"),
    ("/retro templates", "list the retro templates (built-in and your team's)"),
    ("/retro history", "past retros of this channel, with links"),
    ("/retro export <id>", "a retro as Markdown"),
    ("/retro abandon | resume", "put the running retro aside, or bring it back"),
]


def register(app: Any) -> None:
    app.command("/retro")(handle_retro_command)
    retro_actions.register(app)
    retro_views.register(app)


def handle_retro_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, settings: Settings,
                         client: WebClient) -> None:
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    config = settings.section("retro")
    if sub == "help":
        ack(response_type="ephemeral", text="\n".join(f"`{usage}` — {what}" for usage, what in HELP))
    elif sub == "start":
        known = boards.available(config)
        key = words[1] if len(words) > 1 and boards.slug(words[1]) in known else None
        title = " ".join(words[2:] if key else words[1:]) or f"Retro {clock.now():%Y-%m-%d}"
        retro = service.start_retro(db, team_id=team, channel_id=channel, facilitator=user,
                                    board=boards.find(config, key), title=title, now=clock.now())
        ack(response_type="ephemeral", text=f"Retro “{retro.title}” started: you facilitate. "
                                            "Use the buttons on its message to move between phases.")
    elif sub == "templates":
        lines = [f"`{b.key}` — {b.name}: {', '.join(c.label for c in b.columns)}"
                 for b in boards.available(config).values()]
        ack(response_type="ephemeral", text="Retro templates (`/retro start <key> [title]`):\n" + "\n".join(lines))
    elif sub == "history":
        rows = history.entries(db, team, channel)
        lines = [f"#{e.id} · {f'<{e.link}|{e.title}>' if e.link else e.title} · {e.started:%Y-%m-%d} · {e.phase}"
                 f" · {e.actions} action item{'' if e.actions == 1 else 's'}" for e in rows]
        ack(response_type="ephemeral", text="Retros in this channel:\n" + "\n".join(lines) if lines
            else "No retros in this channel yet. Start one with `/retro start`.")
    elif sub == "export":
        if len(words) < 2 or not words[1].lstrip("#").isdigit():
            raise UserError("Use `/retro export <id>`; `/retro history` shows the ids.")
        markdown = history.export_markdown(db, team, int(words[1].lstrip("#")))
        if len(markdown) > EXPORT_LIMIT:  # Slack refuses longer replies; say so rather than fail
            markdown = markdown[:EXPORT_LIMIT] + f"\n… and {len(markdown) - EXPORT_LIMIT} more characters"
        ack(response_type="ephemeral", text="```\n" + markdown + "\n```")
    elif sub in ("abandon", "resume"):
        act = service.abandon if sub == "abandon" else service.resume
        retro = act(db, team, channel, actor=user, is_admin=admin_check(client, settings, user), now=clock.now())
        state = "put aside: `/retro resume` brings it back" if sub == "abandon" else "back on"
        ack(response_type="ephemeral", text=f"Retro “{retro.title}” is {state}.")
    else:
        raise UserError(f"I don't know `/retro {words[0][:40]}`. Try `/retro help`.")
