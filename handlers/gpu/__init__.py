"""Idle GPUs' Slack side: `/gpu` and the buttons on owner DMs. The GPU capability is declared here."""

from __future__ import annotations

from bot.capabilities import Capability
from handlers.gpu import commands
from reports.gpu import capability, jobs, models, section

CAPABILITY = Capability(
    name="gpu", register=commands.register, commands=commands.COMMANDS, help=commands.HELP,
    status=capability.status, schedule=capability.schedule, jobs=jobs, models=models, section=section.section,
    section_order=30, demo=capability.demo, demo_order=210)
