"""`/ritual` (help, status, the digest switch) and App Home. The channel digest capability, whose
first section lists what the channel has running, is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.ritual import commands, home
from reports.digest import capability, jobs, models, rituals_section


def register(app: App) -> None:
    commands.register(app)
    home.register(app)


CAPABILITY = Capability(
    name="digest", register=register, commands=commands.COMMANDS, events=home.EVENTS, help=commands.HELP,
    status=capability.status, schedule=capability.schedule, jobs=jobs, models=models,
    section=rituals_section.section, section_order=0, demo_order=1000)
