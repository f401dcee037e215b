"""What a capability is, and the one collection of them the wiring reads.

A capability (standups, retros, the channel digest ...) is declared once, by its handler package
(`handlers/<capability>/__init__.py`), as a `Capability`: its Slack listeners, the commands,
shortcuts and events it answers, its status lines, its scheduled jobs, its models, its digest
section, its CLI subcommand and its part of the demo. `handlers/__init__.py` lists them in
`CAPABILITIES`; the app, the worker, the CLI, alembic and the demo read only that list.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.blocks import Blocks
from bot.config import Settings
from bot.jobs import JobSpec, specs_in
from bot.workspaces import uninstalled_ids

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.demo_context import DemoContext
    from bot.runtime import Runtime


@dataclass(frozen=True)
class StatusLine:
    """One configured ritual or report of a channel, e.g. ('Daily digest', 'every day 09:00 UTC')."""

    title: str
    detail: str
    channel_id: str | None = None


@dataclass(frozen=True)
class DesiredJob:
    """A job the worker should have scheduled: APScheduler job id, registered job name, scope,
    and the APScheduler trigger (CronTrigger/DateTrigger, timezone-aware); `team_id`, the workspace
    it runs for, lets the wiring skip workspaces the app was uninstalled from."""

    id: str
    job: str
    scope: str
    trigger: Any
    team_id: str | None = None


@dataclass(frozen=True)
class SectionContext:
    """What a digest section provider is given: one channel, one day, the capabilities around it.

    `since` starts the digest's window (when the channel's last digest was sent; a day before `now`
    for the first one); `weekly` is the Monday digest, which compares the week with the one before."""

    session: Session
    settings: Settings
    now: datetime
    team_id: str
    channel_id: str
    day: date
    timezone: str
    capabilities: Capabilities
    since: datetime | None = None
    weekly: bool = False


@dataclass(frozen=True)
class Chart:
    filename: str
    png: bytes
    title: str
    alt_text: str = ""  # what the chart shows, for screen readers (Slack's alt_txt); the title when empty


@dataclass
class Section:
    key: str
    title: str
    blocks: Blocks
    summary: str
    charts: list[Chart] = field(default_factory=list)
    unavailable: bool = False
    attention: list[str] = field(default_factory=list)  # mrkdwn lines for the digest's "Needs attention"


@dataclass(frozen=True)
class WebRequest:
    """An HTTP request to a capability's own route on the web process (not Slack's): header names lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class WebResponse:
    status: int
    body: str


WebRoute = Callable[["Runtime", WebRequest], WebResponse]
SectionProvider = Callable[[SectionContext], "Section | None"]
StatusFunc = Callable[[Session, str, "str | None"], list[StatusLine]]


@dataclass(frozen=True)
class CliCommand:
    """A `ritualbot <name> ...` subcommand: `build` adds its arguments, `run` does it (exit code)."""

    name: str
    help: str
    build: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], int]


@dataclass(frozen=True)
class Capability:
    name: str
    register: Callable[[App], None] | None = None
    commands: Sequence[str] = ()
    shortcuts: Sequence[str] = ()
    events: Sequence[str] = ()
    help: Sequence[tuple[str, str]] = ()
    status: StatusFunc | None = None
    schedule: Callable[[Session], list[DesiredJob]] | None = None
    jobs: ModuleType | None = None
    models: ModuleType | None = None
    section: SectionProvider | None = None
    section_order: int = 100
    cli: CliCommand | None = None
    demo: Callable[[DemoContext], None] | None = None
    demo_order: int = 100
    routes: Mapping[str, WebRoute] = field(default_factory=dict)  # path -> handler, e.g. a webhook receiver


class Capabilities(Sequence[Capability]):
    """The capabilities in their visible order, and everything the wiring asks of all of them."""

    def __init__(self, items: Sequence[Capability]) -> None:
        names = [c.name for c in items]
        if len(set(names)) != len(names):
            raise ValueError(f"capability names must be unique: {names}")
        self._items = tuple(items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Capability]:
        return iter(self._items)

    def named(self, name: str) -> Capability:
        for capability in self._items:
            if capability.name == name:
                return capability
        raise KeyError(name)

    def register(self, app: App) -> None:
        for capability in self._items:
            if capability.register is not None:
                capability.register(app)

    def declared(self, attribute: str) -> list[str]:
        """Every command, shortcut or event the capabilities answer (`commands`, `shortcuts`, `events`)."""
        return [item for c in self._items for item in getattr(c, attribute)]

    def help_entries(self) -> list[tuple[str, str]]:
        return [entry for c in self._items for entry in c.help]

    def status_lines(self, session: Session, team_id: str, channel_id: str | None) -> dict[str, list[StatusLine]]:
        """Every capability's status for a channel (or the whole workspace when channel_id is None)."""
        return {c.name: c.status(session, team_id, channel_id) for c in self._items if c.status}

    def desired_jobs(self, session: Session) -> list[DesiredJob]:
        """Every capability's jobs, except those of workspaces the app was uninstalled from."""
        gone = uninstalled_ids(session)
        return [j for c in self._items if c.schedule for j in c.schedule(session) if j.team_id not in gone]

    def jobs(self) -> dict[str, JobSpec]:
        return {spec.name: spec for c in self._items if c.jobs for spec in specs_in(c.jobs)}

    def models(self) -> list[ModuleType]:
        return [c.models for c in self._items if c.models is not None]

    def sections(self) -> list[tuple[str, SectionProvider]]:
        ordered = sorted((c for c in self._items if c.section), key=lambda c: c.section_order)
        return [(c.name, c.section) for c in ordered if c.section]

    def routes(self) -> dict[str, WebRoute]:
        """Every capability's own web routes (POST only), by path."""
        return {path: fn for c in self._items for path, fn in c.routes.items()}

    def cli_commands(self) -> list[CliCommand]:
        return [c.cli for c in self._items if c.cli is not None]

    def demos(self) -> list[Callable[[DemoContext], None]]:
        ordered = sorted((c for c in self._items if c.demo), key=lambda c: c.demo_order)
        return [c.demo for c in ordered if c.demo]
