"""The one Slack Web API client factory, and the per-workspace client lookup."""

from __future__ import annotations

import logging
import threading

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.web import WebClient

from bot.config import Settings
from bot.errors import ConfigError

log = logging.getLogger(__name__)


def build_client(token: str | None, base_url: str | None = None, *, retries: bool = True) -> WebClient:
    """A WebClient that waits out a 429 once (interactive calls). The outbox sender passes
    retries=False: it reschedules rate-limited rows itself instead of blocking a thread."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=1)]
    kwargs = {"base_url": base_url} if base_url else {}
    return WebClient(token=token, timeout=15, retry_handlers=handlers if retries else [], **kwargs)


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
