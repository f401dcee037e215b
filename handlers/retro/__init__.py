"""Retrospectives' Slack side: `/retro`, its buttons and modals. The retro capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.retro import actions, commands, followups, phases, views
from handlers.retro import groups as retro_groups
from handlers.retro import health as retro_health
from handlers.retro.helpers import redact_logs
from rituals.retro import capability, demo, jobs, models


def register(app: App) -> None:
    redact_logs(app)
    commands.register(app)
    actions.register(app)
    views.register(app)
    followups.register(app)
    phases.register(app)
    retro_groups.register(app)
    retro_health.register(app)


CAPABILITY = Capability(
    name="retro",
    register=register,
    commands=[commands.ROUTER.command],
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    demo=demo.run,
    demo_order=40,
)
