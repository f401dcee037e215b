"""Retrospectives' Slack side: `/retro`, its buttons and modals. The retro capability is declared here."""

from __future__ import annotations

from bot.capabilities import Capability
from handlers.retro import commands
from rituals.retro import capability, demo, jobs, models

CAPABILITY = Capability(
    name="retro", register=commands.register, commands=commands.COMMANDS, help=commands.HELP,
    status=capability.status, schedule=capability.schedule, jobs=jobs, models=models, demo=demo.run, demo_order=40)
