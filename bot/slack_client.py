"""The one Slack Web API client factory, and the per-workspace client lookup (OAuth installations, token rotation)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.deferred import SLACK_TIMEOUT
from bot.directory import DirectoryError, Person
from bot.errors import ConfigError
from bot.installations import EncryptedInstallationStore
from bot.workspaces import Workspace

log = logging.getLogger(__name__)


def build_client(token: str | None, base_url: str | None = None, *, retries: bool = True) -> WebClient:
    """A WebClient that waits out a 429 once (interactive calls). The outbox sender passes
    retries=False: it reschedules rate-limited rows itself instead of blocking a thread."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=1)]
    return WebClient(
        token=token,
        base_url=base_url or WebClient.BASE_URL,
        timeout=int(SLACK_TIMEOUT),
        retry_handlers=handlers if retries else [],
    )


class NoInstallation(ConfigError):
    """No installation of the app (or no bot token left) for a workspace: uninstalled or never installed."""


@dataclass
class _Cached:
    client: WebClient
    until: float


# A request (Bolt's authorizer, the outbox) refreshes a rotating token expiring within this many minutes;
# bot/token_refresh.py's job refreshes them earlier, so with it running no request ever does.
REQUEST_PATH_MINUTES = 120


class SlackClients:
    """Clients per workspace: the single bot token, or the OAuth installation's token.

    In OAuth mode `for_team` takes the id data is filed under (`Workspace.id`; an org-wide install's
    organization) and finds the installation's bot, refreshing a rotating token that expires within
    `rotate_minutes`. Clients are kept `ttl` seconds, so an uninstall or a rotation in another process
    is seen within that time; a workspace without an installation raises NoInstallation at once.
    """

    def __init__(
        self,
        settings: Settings,
        installation_store: EncryptedInstallationStore | None = None,
        *,
        rotator: TokenRotator | None = None,
        rotate_minutes: int = REQUEST_PATH_MINUTES,
        ttl: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._store = installation_store
        self._rotator = rotator
        self._rotate_minutes = rotate_minutes
        self._ttl = ttl
        self._monotonic = monotonic
        self._cache: dict[tuple[str | None, str | None, bool], _Cached] = {}
        self._lock = threading.Lock()

    @property
    def installation_store(self) -> EncryptedInstallationStore | None:
        return self._store

    @property
    def rotator(self) -> TokenRotator | None:
        return self._rotator

    def for_team(self, team_id: str | None, *, enterprise_id: str | None = None, retries: bool = True) -> WebClient:
        if self._store is None:
            key: tuple[str | None, str | None, bool] = (None, None, retries)
            with self._lock:
                if key not in self._cache:
                    client = build_client(self._settings.slack_bot_token, self._settings.slack_api_url, retries=retries)
                    self._cache[key] = _Cached(client, float("inf"))
                return self._cache[key].client
        key = (team_id, enterprise_id, retries)
        now = self._monotonic()
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.until > now:
                return cached.client
        bot = self._bot(team_id, enterprise_id)
        client = build_client(bot.bot_token, self._settings.slack_api_url, retries=retries)
        with self._lock:
            self._cache[key] = _Cached(client, now + self._ttl)
        return client

    def forget(self, workspace_id: str | None) -> None:
        """Drop the cached clients of a workspace (after an uninstall or a token error)."""
        with self._lock:
            for key in [k for k in self._cache if k[0] == workspace_id]:
                del self._cache[key]

    def drop_tokens(self, session: Session, ws: Workspace, *, bot: bool = True, user_ids: Sequence[str] = ()) -> None:
        """Delete a workspace's tokens from the installation store (app uninstalled, tokens revoked), in
        the caller's transaction. A single-workspace bot token comes from the environment: nothing to delete."""
        self.forget(ws.id)
        if self._store is not None:
            team_id = None if ws.is_enterprise_install else ws.team_id
            self._store.delete_tokens(
                session.connection(), enterprise_id=ws.enterprise_id, team_id=team_id, user_ids=user_ids, bot=bot
            )

    def _bot(self, team_id: str | None, enterprise_id: str | None) -> Bot:
        assert self._store is not None
        bot = self._store.find_bot_for(team_id or "", enterprise_id=enterprise_id) if team_id else None
        if bot is None or not bot.bot_token:
            raise NoInstallation(
                f"no installation of the app for workspace {team_id or '(none)'}: it was uninstalled or never "
                "installed; install it there again (/slack/install) and new messages go out"
            )
        if self._rotator is not None:
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self._rotate_minutes
            )
            if refreshed is not None:
                self._store.save_bot(refreshed)
                log.info("bot token rotated workspace=%s", team_id)
                bot = refreshed
        return bot


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
            name=profile.get("display_name") or profile.get("real_name") or user.get("name") or "",
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
