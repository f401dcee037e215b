"""Stage tickets' Slack side: `/ticket`, the filing modal, the message shortcut and the :ticket:
reaction. The tickets capability is declared here."""

from __future__ import annotations

from bot.capabilities import Capability
from handlers.tickets import commands
from rituals.tickets import capability, models

CAPABILITY = Capability(
    name="tickets", register=commands.register, commands=commands.COMMANDS, shortcuts=commands.SHORTCUTS,
    events=commands.EVENTS, help=commands.HELP, status=capability.status, models=models, demo=capability.demo,
    demo_order=60)
