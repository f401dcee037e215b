"""Who and where: the one workspace lookup and the one admin check every capability uses.

`workspace(context)` is the installation the request belongs to, from Bolt's context (bot.workspaces
explains why the user's own team in the payload is not it). An admin is a user listed in
RITUALBOT_ADMINS, or a workspace admin or owner as Slack says. The check is lazy (a callable) so
Slack is asked only when a non-owner acts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk.web import WebClient

from bot.config import Settings
from bot.errors import UserError
from bot.slack_client import SlackDirectory
from bot.workspaces import Workspace, of_context

AdminCheck = Callable[[], bool]


def workspace(context: Mapping[str, Any]) -> Workspace:
    """The installation's workspace from Bolt's context; its `.id` is what data is filed under."""
    found = of_context(context)
    if found is None:
        raise UserError("I can't tell which Slack workspace this came from. Please try again from a channel.")
    return found


def is_admin(client: WebClient, settings: Settings, user_id: str) -> bool:
    if user_id in settings.admins:
        return True
    person = SlackDirectory(client).person(user_id)
    return bool(person and person.is_admin)


def admin_check(client: WebClient, settings: Settings, user_id: str) -> AdminCheck:
    """Asked only when a non-owner acts: configured admins, then Slack's workspace admin flag."""
    return lambda: is_admin(client, settings, user_id)
