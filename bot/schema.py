"""Every table the app owns, in one place: what alembic compares the database against.

Each capability that adds models lists its models module in MODEL_MODULES.
"""

from __future__ import annotations

import importlib

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData

from bot.db import Base

MODEL_MODULES = [
    "bot.models",
    "reports.digest.models",
    "reports.spend.models",
    "reports.gpu.models",
    "reports.runs.models",
    "rituals.retro.models",
    "rituals.standup.models",
    "rituals.pi.models",
    "rituals.tickets.models",
]

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"


def import_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


def slack_oauth_metadata() -> MetaData:
    """slack_sdk's installation and OAuth state tables, built by slack_sdk's own builders."""
    metadata = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    SQLAlchemyInstallationStore.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, OAUTH_STATES_TABLE)
    return metadata


def target_metadata() -> list[MetaData]:
    import_models()
    return [Base.metadata, slack_oauth_metadata()]
