"""What a running process shares: settings, database, clock, Slack clients, the outbox sender.

Scheduled jobs are pickled by APScheduler as an import path plus plain arguments, so they
find the process's Runtime here instead of receiving it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.outbox import ClientProvider, OutboxSender


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    clients: ClientProvider
    sender: OutboxSender


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no runtime installed: start through `ritualbot worker` or `ritualbot run-job`")
    return _current


def build_runtime(settings: Settings, *, clock: Clock | None = None, clients: ClientProvider | None = None,
                  database: Database | None = None) -> Runtime:
    """Everything a process needs, from settings; tests pass a frozen clock and the Slack double."""
    from bot.clock import SystemClock
    from bot.slack_client import SlackClients

    database = database or Database(settings.database_url)
    clock = clock or SystemClock()
    if clients is None:
        store = None
        if settings.oauth_enabled:
            from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

            from bot.schema import BOTS_TABLE, INSTALLATIONS_TABLE
            store = SQLAlchemyInstallationStore(client_id=settings.slack_client_id or "", engine=database.engine,
                                                bots_table_name=BOTS_TABLE,
                                                installations_table_name=INSTALLATIONS_TABLE)
        clients = SlackClients(settings, store)
    sender = OutboxSender(database, clients, clock)
    return Runtime(settings=settings, database=database, clock=clock, clients=clients, sender=sender)
