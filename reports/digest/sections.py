"""Collecting the digest's sections: each capability may contribute one (`Capability.section`).

A provider is `fn(ctx: SectionContext) -> Section | None`. One that raises does not sink the
digest: its section says the source was unavailable.
"""

from __future__ import annotations

import logging

from bot.blocks import context, section
from bot.capabilities import Section, SectionContext

log = logging.getLogger(__name__)


def collect(ctx: SectionContext) -> list[Section]:
    sections: list[Section] = []
    for name, provider in ctx.capabilities.sections():
        try:
            result = provider(ctx)
        except Exception as exc:  # noqa: BLE001 — one broken source must not sink the digest
            log.exception("digest section failed capability=%s channel=%s", name, ctx.channel_id)
            result = Section(
                key=name,
                title=name,
                summary=f"{name} unavailable",
                blocks=[section(f"*{name}*"), context(f":warning: {name} was unavailable: {_reason(exc)}")],
                unavailable=True,
            )
        if result is not None:
            sections.append(result)
    return sections


def _reason(exc: Exception) -> str:
    text = str(exc).strip().split("\n")[0] or type(exc).__name__
    return text[:200]
