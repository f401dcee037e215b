"""Builds a process's Runtime: settings, database, clock, Slack clients, the outbox sender and the
capabilities (`handlers.CAPABILITIES`). The top of the import graph: nothing below imports it."""

from __future__ import annotations

from slack_sdk.oauth.token_rotation.rotator import TokenRotator

from bot.capabilities import Capabilities
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.installations import build_installation_store
from bot.runtime import Runtime
from bot.sender import ClientProvider, OutboxSender
from bot.slack_client import SlackClients, build_client
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
        if settings.oauth_enabled:
            rotator = TokenRotator(
                client_id=settings.slack_client_id or "",
                client_secret=settings.slack_client_secret or "",
                client=build_client(None, settings.slack_api_url),
            )
            clients = SlackClients(settings, build_installation_store(settings, database.engine), rotator=rotator)
        else:
            clients = SlackClients(settings)
    sender = OutboxSender(database, clients, clock, settings=settings.delivery)
    return Runtime(
        settings=settings,
        database=database,
        clock=clock,
        clients=clients,
        sender=sender,
        capabilities=capabilities if capabilities is not None else CAPABILITIES,
    )
