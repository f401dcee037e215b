"""What Slack says about a person (timezone, deactivated, status emoji) and a channel's members.

Takes any Web API client (duck-typed): jobs pass the runtime's client, handlers Bolt's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    id: str
    tz: str
    deleted: bool = False
    is_bot: bool = False
    status_emoji: str = ""


def lookup(client: Any, user_id: str) -> Person | None:
    """users.info; None when Slack does not know the user (then the member is treated as gone)."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except Exception as exc:  # noqa: BLE001 — the client's error class is Slack-library specific; rituals/ stay free of it
        error = getattr(getattr(exc, "response", None), "get", lambda _k: None)("error")
        if error in ("user_not_found", "account_inactive"):
            return None
        raise
    profile = user.get("profile") or {}
    return Person(id=user_id, tz=user.get("tz") or "UTC", deleted=bool(user.get("deleted")),
                  is_bot=bool(user.get("is_bot")), status_emoji=profile.get("status_emoji") or "")


def channel_members(client: Any, channel_id: str) -> list[str]:
    members: list[str] = []
    cursor = None
    while True:
        response = client.conversations_members(channel=channel_id, cursor=cursor, limit=1000) if cursor \
            else client.conversations_members(channel=channel_id, limit=1000)
        members.extend(response.get("members") or [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


def humans(client: Any, user_ids: list[str]) -> list[Person]:
    """The active people among user ids (bots, deactivated and unknown users left out)."""
    people = []
    for user_id in dict.fromkeys(user_ids):
        person = lookup(client, user_id)
        if person and not person.deleted and not person.is_bot:
            people.append(person)
    return people
