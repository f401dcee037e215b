"""The port through which the domain asks Slack about people and channels.

`rituals/` and `reports/` never import slack_sdk: they take a `Directory` (this protocol). The one
implementation, `bot.slack_client.SlackDirectory`, wraps a workspace's WebClient; handlers build it
from Bolt's client, jobs get it from `Runtime.directory(team_id)`, tests use the Slack double.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Person:
    """What ritualbot needs to know about a Slack user."""

    id: str
    tz: str
    deleted: bool = False
    is_bot: bool = False
    status_emoji: str = ""
    is_admin: bool = False
    name: str = ""  # the display name (or real name), for lists that must not ping


class DirectoryError(Exception):
    """Slack could not answer a lookup (an API error other than an unknown user). The domain catches
    this, never slack_sdk's errors, where it can do without the answer."""


class Directory(Protocol):
    def person(self, user_id: str) -> Person | None:
        """users.info; None when Slack does not know the user (or the account is gone)."""
        ...

    def channel_members(self, channel_id: str) -> list[str]:
        """conversations.members, every page."""
        ...

    def user_by_email(self, email: str) -> str | None:
        """users.lookupByEmail; None when no user has that email."""
        ...


def humans(directory: Directory, user_ids: list[str]) -> list[Person]:
    """The active people among user ids (bots, deactivated and unknown users left out)."""
    people = []
    for user_id in dict.fromkeys(user_ids):
        person = directory.person(user_id)
        if person and not person.deleted and not person.is_bot:
            people.append(person)
    return people
