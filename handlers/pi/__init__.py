"""PI check-ins' Slack side: `/pi`, its buttons and modals. The PI capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.pi import actions, commands, views
from rituals.pi import capability, demo, jobs, models, tracking


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
    section=tracking.section,
    section_order=45,
    demo=demo.run,
    demo_order=310,  # after the runs demo: its MLflow experiment carries the PI's hypothesis
)
