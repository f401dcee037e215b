"""Builds a process's Runtime: settings, database, clock, Slack clients, the outbox sender and the
capabilities (`handlers.CAPABILITIES`). The top of the import graph: nothing below imports it."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.capabilities import Capabilities
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.runtime import Runtime
from bot.schema import BOTS_TABLE, INSTALLATIONS_TABLE
from bot.sender import ClientProvider, OutboxSender
from bot.slack_client import SlackClients
from handlers import CAPABILITIES


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    clients: ClientProvider | None = None,
    database: Database | None = None,
    capabilities: Capabilities | None = None,
) -> Runtime:
    """Everything a process needs, from settings; tests pass a frozen clock and the Slack double."""
    database = database or Database(settings.database_url)
    clock = clock or SystemClock()
    if clients is None:
        store = None
        if settings.oauth_enabled:
            store = SQLAlchemyInstallationStore(
                client_id=settings.slack_client_id or "",
                engine=database.engine,
                bots_table_name=BOTS_TABLE,
                installations_table_name=INSTALLATIONS_TABLE,
            )
        clients = SlackClients(settings, store)
    sender = OutboxSender(database, clients, clock)
    return Runtime(
        settings=settings,
        database=database,
        clock=clock,
        clients=clients,
        sender=sender,
        capabilities=capabilities if capabilities is not None else CAPABILITIES,
    )
