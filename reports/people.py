"""Who a name from a report source (a GPU owner tag, an MLflow run's user) is in Slack."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

SLACK_ID = re.compile(r"^[UW][A-Z0-9]{4,}$")
# users.lookupByEmail: a `bot.directory.Directory`'s `user_by_email` (None when no user has the email).
Lookup = Callable[[str], str | None]


def slack_user(name: str, users: Mapping[str, str], lookup: Lookup | None) -> str | None:
    """The explicit map (ritualbot.yaml), a Slack user id as is, or users.lookupByEmail for an email.

    An email Slack does not know means no DM (None); a Slack failure propagates to the job, which
    reports it."""
    if not name:
        return None
    if name in users:
        return users[name]
    if SLACK_ID.match(name):
        return name
    if "@" in name and lookup is not None:
        try:
            user = lookup(name)
        except LookupError:  # a lookup backed by a mapping says "unknown" with KeyError
            user = None
        if user is None:
            log.info("no Slack user for email name=%s", name)
        return user
    return None
