"""The capabilities ritualbot has, in one visible list, and what each contributes.

A capability (standups, retros, the channel digest ...) is one package that exposes a
`CAPABILITY` object. The wiring asks it for: status lines (`/ritual status`, App Home), the jobs
it wants scheduled (the worker keeps APScheduler in sync with them), and its part of the demo.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from bot.demo import DemoContext

CAPABILITY_MODULES = [
    "reports.digest.capability",
    "reports.spend.capability",
    "reports.gpu.capability",
    "reports.runs.capability",
    "rituals.retro.capability",
    "rituals.standup.capability",
    "rituals.pi.capability",
    "rituals.tickets.capability",
]


@dataclass(frozen=True)
class StatusLine:
    """One configured ritual or report of a channel, e.g. ('Daily digest', 'every day 09:00 UTC')."""

    title: str
    detail: str
    channel_id: str | None = None


@dataclass(frozen=True)
class DesiredJob:
    """A job the worker should have scheduled: APScheduler job id, registered job name, scope,
    and the APScheduler trigger (CronTrigger/DateTrigger, timezone-aware)."""

    id: str
    job: str
    scope: str
    trigger: Any


@dataclass(frozen=True)
class Capability:
    name: str
    status: Callable[[Session, str, str | None], list[StatusLine]] | None = None
    schedule: Callable[[Session], list[DesiredJob]] | None = None
    demo: Callable[[DemoContext], None] | None = None
    demo_order: int = 100


def load() -> list[Capability]:
    return [importlib.import_module(m).CAPABILITY for m in CAPABILITY_MODULES]


def status_lines(session: Session, team_id: str, channel_id: str | None) -> dict[str, list[StatusLine]]:
    """Every capability's status for a channel (or the whole workspace when channel_id is None)."""
    return {c.name: c.status(session, team_id, channel_id) for c in load() if c.status}


def desired_jobs(session: Session) -> list[DesiredJob]:
    return [j for c in load() if c.schedule for j in c.schedule(session)]
