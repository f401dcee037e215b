"""The one Slack Web API client factory, and the per-workspace client lookup."""

from __future__ import annotations

import logging
import threading

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.web import WebClient

from bot.config import Settings
from bot.directory import DirectoryError, Person
from bot.errors import ConfigError

log = logging.getLogger(__name__)


def build_client(token: str | None, base_url: str | None = None, *, retries: bool = True) -> WebClient:
    """A WebClient that waits out a 429 once (interactive calls). The outbox sender passes
    retries=False: it reschedules rate-limited rows itself instead of blocking a thread."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=1)]
    return WebClient(
        token=token, base_url=base_url or WebClient.BASE_URL, timeout=15, retry_handlers=handlers if retries else []
    )


class SlackClients:
    """Clients per workspace: the single bot token, or the OAuth installation's token."""

    def __init__(self, settings: Settings, installation_store: InstallationStore | None = None) -> None:
        self._settings = settings
        self._store = installation_store
        self._cache: dict[tuple[str | None, bool], WebClient] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str | None, *, retries: bool = True) -> WebClient:
        key = (team_id if self._store else None, retries)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build_client(self._token(team_id), self._settings.slack_api_url, retries=retries)
            return self._cache[key]

    def _token(self, team_id: str | None) -> str | None:
        if self._store is None:
            return self._settings.slack_bot_token
        bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise ConfigError(f"no installation found for workspace {team_id}: install the app there first")
        return bot.bot_token


GONE = ("user_not_found", "users_not_found", "account_inactive")


class SlackDirectoryError(SlackApiError, DirectoryError):
    """A failed lookup: still a SlackApiError for bot/ and handlers/, a DirectoryError for the domain."""

    @classmethod
    def of(cls, method: str, exc: SlackApiError) -> SlackDirectoryError:
        return cls(f"{method} failed", exc.response)


class SlackDirectory:
    """`bot.directory.Directory` on a workspace's WebClient. A Slack error other than "no such
    user" propagates as SlackApiError: the caller decides whether a lookup may fail."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def person(self, user_id: str) -> Person | None:
        try:
            user = self._client.users_info(user=user_id).get("user") or {}
        except SlackApiError as exc:
            if exc.response.get("error") in GONE:
                return None
            raise SlackDirectoryError.of("users.info", exc) from exc
        profile = user.get("profile") or {}
        return Person(
            id=user_id,
            tz=user.get("tz") or "UTC",
            deleted=bool(user.get("deleted")),
            is_bot=bool(user.get("is_bot")),
            status_emoji=profile.get("status_emoji") or "",
            is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        )

    def channel_members(self, channel_id: str) -> list[str]:
        members: list[str] = []
        cursor: str | None = None
        while True:
            try:
                response = self._client.conversations_members(channel=channel_id, cursor=cursor, limit=1000)
            except SlackApiError as exc:
                raise SlackDirectoryError.of("conversations.members", exc) from exc
            members.extend(response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return members

    def user_by_email(self, email: str) -> str | None:
        try:
            return str(self._client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError as exc:
            if exc.response.get("error") in GONE:
                return None
            raise SlackDirectoryError.of("users.lookupByEmail", exc) from exc
