"""The digest's section protocol: reports contribute a Section for a channel and a day.

A provider is `fn(ctx: SectionContext) -> Section | None` listed in SECTION_PROVIDERS. One that
raises does not sink the digest: its section says the source was unavailable.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.blocks import Blocks, context, section
from bot.config import Settings

log = logging.getLogger(__name__)

SECTION_PROVIDERS = [
    "reports.digest.rituals_section:section",
    "reports.spend.section:section",
    "reports.gpu.section:section",
    "reports.runs.section:section",
]


@dataclass(frozen=True)
class SectionContext:
    session: Session
    settings: Settings
    now: datetime
    team_id: str
    channel_id: str
    day: date
    timezone: str


@dataclass(frozen=True)
class Chart:
    filename: str
    png: bytes
    title: str


@dataclass
class Section:
    key: str
    title: str
    blocks: Blocks
    summary: str
    charts: list[Chart] = field(default_factory=list)
    unavailable: bool = False


Provider = Callable[[SectionContext], "Section | None"]


def providers() -> list[tuple[str, Provider]]:
    found = []
    for path in SECTION_PROVIDERS:
        module, _, name = path.partition(":")
        found.append((path, getattr(importlib.import_module(module), name)))
    return found


def collect(ctx: SectionContext) -> list[Section]:
    sections: list[Section] = []
    for path, provider in providers():
        try:
            result = provider(ctx)
        except Exception as exc:  # noqa: BLE001 — one broken source must not sink the digest
            log.exception("digest section failed provider=%s channel=%s", path, ctx.channel_id)
            name = path.split(".")[1] if "." in path else path
            result = Section(key=name, title=name, summary=f"{name} unavailable",
                             blocks=[section(f"*{name}*"),
                                     context(f":warning: {name} was unavailable: {_reason(exc)}")],
                             unavailable=True)
        if result is not None:
            sections.append(result)
    return sections


def _reason(exc: Exception) -> str:
    text = str(exc).strip().split("\n")[0] or type(exc).__name__
    return text[:200]
