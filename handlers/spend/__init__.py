"""Cloud spend's Slack side: `/spend`. The spend capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.spend import commands
from reports.spend import capability, jobs, models, section


def register(app: App) -> None:
    commands.register(app)


CAPABILITY = Capability(
    name="spend",
    register=register,
    commands=[commands.ROUTER.command],
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    section=section.section,
    section_order=20,
    demo=capability.demo,
    demo_order=200,
)
