"""Who may override an object's owner: the one admin check every capability uses.

An admin is a user listed in RITUALBOT_ADMINS, or a workspace admin or owner as Slack says. The
check is lazy (a callable) so Slack is asked only when a non-owner acts.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.web import WebClient

from bot.config import Settings
from bot.slack_client import SlackDirectory

AdminCheck = Callable[[], bool]


def is_admin(client: WebClient, settings: Settings, user_id: str) -> bool:
    if user_id in settings.admins:
        return True
    person = SlackDirectory(client).person(user_id)
    return bool(person and person.is_admin)


def admin_check(client: WebClient, settings: Settings, user_id: str) -> AdminCheck:
    """Asked only when a non-owner acts: configured admins, then Slack's workspace admin flag."""
    return lambda: is_admin(client, settings, user_id)
