"""Slack listeners: parse the request, ack, call the domain, render, respond. Nothing else.

Each module exposes `register(app)` and declares what it listens to (COMMANDS, SHORTCUTS,
EVENTS, HELP) so /ritual help and the manifest test read one source of truth.
"""

from __future__ import annotations

from types import ModuleType

from handlers import gpu, home, pi, retro, ritual, runs, spend, standup, tickets

HANDLER_MODULES: list[ModuleType] = [ritual, home, spend, retro, tickets, pi, runs, standup, gpu]


def declared(attribute: str) -> list[str]:
    """Everything the handler modules declare under COMMANDS, SHORTCUTS or EVENTS."""
    return [item for module in HANDLER_MODULES for item in getattr(module, attribute, [])]


def help_entries() -> list[tuple[str, str]]:
    return [entry for module in HANDLER_MODULES for entry in getattr(module, "HELP", [])]
