"""Standups' Slack side: `/standup`, the setup and answer modals, DM buttons and DM answers. The
standup capability is declared here."""

from __future__ import annotations

from bot.capabilities import Capability
from handlers.standup import commands
from rituals.standup import capability, demo, jobs, models

CAPABILITY = Capability(
    name="standup", register=commands.register, commands=commands.COMMANDS, events=commands.EVENTS,
    help=commands.HELP, status=capability.status, schedule=capability.schedule, jobs=jobs, models=models,
    demo=demo.run, demo_order=20)
