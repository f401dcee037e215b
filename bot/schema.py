"""Every table the app owns, in one place: what alembic compares the database against.

A capability that adds models names its models module in its `Capability(models=...)`.
"""

from __future__ import annotations

from types import ModuleType

from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData

from bot import handoff as _handoff_models
from bot import models as _foundation_models
from bot import request_guard as _request_guard_models
from bot import workspaces as _workspace_models
from bot.db import Base
from bot.installations import BOTS_TABLE, INSTALLATIONS_TABLE, EncryptedInstallationStore
from handlers import CAPABILITIES

OAUTH_STATES_TABLE = "slack_oauth_states"


def slack_oauth_metadata() -> MetaData:
    """slack_sdk's installation and OAuth state tables, built by slack_sdk's own builders (the token
    columns widened for their encrypted values: bot.installations)."""
    metadata = MetaData()
    EncryptedInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    EncryptedInstallationStore.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES_TABLE)
    return metadata


def model_modules() -> list[ModuleType]:
    """The modules whose tables live in Base.metadata: the foundation's and every capability's."""
    return [_foundation_models, _workspace_models, _request_guard_models, _handoff_models, *CAPABILITIES.models()]


def target_metadata() -> list[MetaData]:
    """What alembic compares against: Base.metadata (filled by model_modules()) and slack_sdk's tables."""
    return [Base.metadata, slack_oauth_metadata()]
