"""OAuth mode against the Slack double: the settings (overriding conftest's single-token ones), the
encrypted installation store, and an installation whose bot token rotates."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.config import Settings
from bot.installations import EncryptedInstallationStore
from bot.slack_client import SlackClients
from tests.conftest import SIGNING_SECRET

KEY = Fernet.generate_key().decode()
OLD_TOKEN, OLD_REFRESH = "xoxe.xoxb-1-old-bot-token", "xoxe-1-old-refresh-token"


def oauth_settings(database_url: str, slack, key: str = KEY) -> Settings:
    return Settings(
        database_url=database_url,
        slack_signing_secret=SIGNING_SECRET,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
        slack_api_url=slack.base_url,
        encryption_keys=(key,),
        auto_migrate=False,
    )


@pytest.fixture
def settings(database_url, slack) -> Settings:
    return oauth_settings(database_url, slack)


@pytest.fixture
def store(runtime) -> EncryptedInstallationStore:
    assert isinstance(runtime.clients, SlackClients)
    found = runtime.clients.installation_store
    assert found is not None
    return found


def install_rotating(
    store: EncryptedInstallationStore,
    *,
    expires_at: int,
    team_id: str = "T0001",
    refresh: str = OLD_REFRESH,
    token: str | None = None,
) -> None:
    """An installation whose bot token (`OLD_TOKEN-<team>` unless given) expires at `expires_at` (epoch s)."""
    store.save(
        Installation(
            app_id="A0001",
            team_id=team_id,
            user_id="U0INSTALLER",
            bot_token=token or f"{OLD_TOKEN}-{team_id}",
            bot_refresh_token=refresh,
            bot_token_expires_at=expires_at,
            bot_id="B0001",
            bot_user_id="UBOT",
            bot_scopes=["chat:write", "commands", "users:read"],
        )
    )
