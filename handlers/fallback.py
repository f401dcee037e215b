"""Last-resort listeners: anything no capability claimed gets a clear answer, never a 404.

Registered after every other handler module (Bolt runs the first listener that matches).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

log = logging.getLogger(__name__)

ANY = re.compile(".*")
STALE = (
    "That button belongs to something that no longer exists or was changed since. "
    "Run the command again to get a fresh message."
)


def register(app: App) -> None:
    app.command(ANY)(handle_unknown_command)
    app.action(ANY)(handle_unknown_action)
    app.view(ANY)(handle_unknown_view)
    app.shortcut(ANY)(handle_unknown_shortcut)
    app.event(ANY)(handle_unknown_event)


def handle_unknown_command(ack: Ack, command: dict[str, Any]) -> None:
    ack(response_type="ephemeral", text=f"I don't handle `{command.get('command', '?')[:40]}`. Try `/ritual help`.")


def handle_unknown_action(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
    ack()
    action = (body.get("actions") or [{}])[0].get("action_id")
    log.info("unknown action action_id=%s", action)
    if body.get("response_url"):
        respond(text=STALE, response_type="ephemeral", replace_original=False)


def handle_unknown_view(ack: Ack, view: dict[str, Any]) -> None:
    log.info("unknown view callback_id=%s", view.get("callback_id"))
    ack(response_action="clear")


def handle_unknown_shortcut(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
    ack()
    if body.get("response_url"):
        respond(text=STALE, response_type="ephemeral", replace_original=False)


def handle_unknown_event(event: dict[str, Any]) -> None:
    log.debug("event ignored type=%s", event.get("type"))
