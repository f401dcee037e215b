"""Who may touch an object a request names: the one rule every capability's listeners apply.

A request names objects by id (a button's value, a modal's metadata, a command's argument); anyone
in any workspace can forge such a request with a valid signature. So an object is only ever loaded
scoped by the installation's workspace (the domain's loaders take the team), and an object that
belongs to a channel is only shown or changed for a member of that channel (Slack's
`conversations.members`, cached briefly) or an admin (`handlers.auth.is_admin`). A refusal is a
`UserError`: the user gets an ephemeral why and nothing changes.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.web import WebClient

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.directory import DirectoryError
from bot.errors import UserError
from bot.slack_client import SlackDirectory
from handlers.auth import is_admin, workspace

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(seconds=60)
KNOWN_MARGIN = timedelta(seconds=5)  # `known_member` holds for at least this long (the request's run)


@dataclass
class _Members:
    """A channel's members as Slack said them a moment ago (per process, per runtime)."""

    entries: dict[tuple[str, str], tuple[datetime, frozenset[str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[str, str], now: datetime) -> frozenset[str] | None:
        with self.lock:
            found = self.entries.get(key)
        if found is None or now - found[0] >= MEMBERS_TTL or now < found[0]:
            return None
        return found[1]

    def put(self, key: tuple[str, str], now: datetime, members: frozenset[str]) -> None:
        with self.lock:
            if len(self.entries) > 10_000:  # a bound, not an LRU: a busy process just asks again
                self.entries.clear()
            self.entries[key] = (now, members)


_CACHES: dict[int, _Members] = {}  # by id(runtime); the Runtime dataclass is unhashable
_CACHES_LOCK = threading.Lock()
_FALLBACK = _Members()


def _cache(context: Mapping[str, Any]) -> _Members:
    """One cache per runtime (a test's runtime starts empty), dropped with it; a process-wide one without."""
    owner = context.get("runtime")
    if owner is None:
        return _FALLBACK
    key = id(owner)
    with _CACHES_LOCK:
        found = _CACHES.get(key)
        if found is None:
            found = _CACHES[key] = _Members()
            weakref.finalize(owner, _CACHES.pop, key, None)
    return found


@dataclass
class Caller:
    """The person behind a request, in the installation's workspace."""

    team: str
    user: str
    client: WebClient
    settings: Settings
    clock: Clock
    cache: _Members
    _admin: bool | None = None

    def is_admin(self) -> bool:
        """RITUALBOT_ADMINS or Slack's admin/owner flag; Slack is asked at most once per request."""
        if self._admin is None:
            self._admin = is_admin(self.client, self.settings, self.user)
        return self._admin

    def is_member(self, channel_id: str) -> bool:
        now = self.clock.now()
        key = (self.team, channel_id)
        members = self.cache.get(key, now)
        if members is None:
            try:
                members = frozenset(SlackDirectory(self.client).channel_members(channel_id))
            except DirectoryError as exc:
                log.warning("channel members unavailable team=%s channel=%s error=%s", self.team, channel_id, exc)
                members = frozenset()
            self.cache.put(key, now, members)
        return self.user in members

    def known_member(self, channel_id: str) -> bool:
        """The cache says the caller is a member, and will for a few seconds more: checking it asks no one."""
        members = self.cache.get((self.team, channel_id), self.clock.now() + KNOWN_MARGIN)
        return members is not None and self.user in members

    def require_member(self, channel_id: str, doing: str = "use this", *, admins: bool = True) -> None:
        """Members of the channel (and admins, unless `admins=False`: a vote is a member's voice) pass;
        anyone else gets the why, and nothing changes."""
        if self.is_member(channel_id) or (admins and self.is_admin()):
            return
        raise UserError(f"Only members of <#{channel_id}> can {doing}. Ask to be added to the channel first.")

    def require_admin(self, doing: str) -> None:
        if not self.is_admin():
            raise UserError(f"Only a ritualbot admin or a workspace admin can {doing}.")


def caller(context: Mapping[str, Any], client: WebClient, settings: Settings, user_id: str) -> Caller:
    """The request's caller; the workspace is the installation's (`handlers.auth.workspace`)."""
    clock = context.get("clock") or SystemClock()
    return Caller(workspace(context).id, user_id, client, settings, clock, _cache(context))


def of_body(context: Mapping[str, Any], body: Mapping[str, Any], client: WebClient, settings: Settings) -> Caller:
    """The caller of a button, menu or modal submission."""
    return caller(context, client, settings, str((body.get("user") or {}).get("id") or ""))
