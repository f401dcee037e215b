"""What a capability's demo hook gets (`Capability.demo`): the demo team, its clock and folders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot.clock import FrozenClock
from bot.offline_slack import OfflineUser
from bot.runtime import Runtime

TEAM_ID = "TDEMO"
CHANNEL_ID = "CDEMO"
DEMO_USERS = [
    OfflineUser("UADA", "ada", "Europe/Berlin", "ada@example.com"),
    OfflineUser("UGRACE", "grace", "America/Los_Angeles", "grace@example.com"),
    OfflineUser("URAVI", "ravi", "Asia/Kolkata", "ravi@example.com"),
]


@dataclass
class DemoContext:
    """What a capability's demo hook gets: the runtime with a frozen clock, the demo team, folders."""

    runtime: Runtime
    clock: FrozenClock
    day: date
    out_dir: Path
    users: list[OfflineUser] = field(default_factory=lambda: list(DEMO_USERS))
    team_id: str = TEAM_ID
    channel_id: str = CHANNEL_ID

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.runtime.database.session() as s:
            yield s

    def at(self, hour: int, minute: int = 0, *, days: int = 0) -> datetime:
        """Move the demo clock to a UTC time on the demo day (or `days` around it)."""
        when = datetime.combine(self.day + timedelta(days=days), time(hour, minute), tzinfo=UTC)
        self.clock.set(when)
        return when

    def deliver(self) -> None:
        self.runtime.sender.deliver_due()
