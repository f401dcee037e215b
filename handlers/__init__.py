"""Slack listeners, one package per capability, each declaring its `Capability`; this is the one
visible list of them. The shared plumbing sits beside the packages: `forms` (view state), `auth`
(the admin check), `router` (subcommands and their help), `fallback` (whatever no capability claims).

Order matters where it shows: `/ritual help` lists commands in this order.
"""

from __future__ import annotations

from bot.capabilities import Capabilities
from handlers import gpu, pi, retro, ritual, runs, spend, standup, tickets

CAPABILITIES = Capabilities(
    [
        ritual.CAPABILITY,
        spend.CAPABILITY,
        retro.CAPABILITY,
        tickets.CAPABILITY,
        pi.CAPABILITY,
        runs.CAPABILITY,
        standup.CAPABILITY,
        gpu.CAPABILITY,
    ]
)


def declared(attribute: str) -> list[str]:
    """Every command, shortcut or event the capabilities answer ("COMMANDS", "SHORTCUTS", "EVENTS")."""
    return CAPABILITIES.declared(attribute.lower())
