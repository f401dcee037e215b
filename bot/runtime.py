"""What a running process shares: settings, database, clock, Slack clients, the outbox sender.

Built by `bot.wiring.build_runtime`. Scheduled jobs are pickled by APScheduler as an import path
plus plain arguments, so they find the process's Runtime here instead of receiving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.directory import Directory
from bot.sender import ClientProvider, OutboxSender
from bot.slack_client import SlackDirectory

if TYPE_CHECKING:
    from bot.capabilities import Capabilities


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    clients: ClientProvider
    sender: OutboxSender
    capabilities: Capabilities

    def directory(self, team_id: str | None) -> Directory:
        """What Slack says about people and channels of a workspace (the domain's port to Slack)."""
        return SlackDirectory(self.clients.for_team(team_id))


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no runtime installed: start through `ritualbot worker` or `ritualbot run-job`")
    return _current
