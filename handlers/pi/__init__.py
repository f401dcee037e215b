"""PI check-ins' Slack side: `/pi`, its buttons and modals. The PI capability is declared here."""

from __future__ import annotations

from bot.capabilities import Capability
from handlers.pi import commands
from rituals.pi import capability, demo, jobs, models

CAPABILITY = Capability(
    name="pi", register=commands.register, commands=commands.COMMANDS, help=commands.HELP,
    status=capability.status, schedule=capability.schedule, jobs=jobs, models=models, demo=demo.run, demo_order=50)
