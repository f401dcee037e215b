"""Idle GPUs' Slack side: `/gpu` and the buttons on owner DMs. The GPU capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.gpu import actions, commands
from reports.gpu import capability, jobs, models, section


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)


CAPABILITY = Capability(
    name="gpu",
    register=register,
    commands=[commands.ROUTER.command],
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    section=section.section,
    section_order=30,
    demo=capability.demo,
    demo_order=210,
)
