"""PI check-ins' Slack side: `/pi`, its buttons and modals. The PI capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.pi import actions, commands, views
from rituals.pi import capability, demo, jobs, models


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)


CAPABILITY = Capability(
    name="pi",
    register=register,
    commands=[commands.ROUTER.command],
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    demo=demo.run,
    demo_order=50,
)
