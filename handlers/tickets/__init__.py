"""Stage tickets' Slack side: `/ticket`, the filing modal, the message shortcut and the :ticket:
reaction. The tickets capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.tickets import actions, commands, events, views, webhooks
from rituals.tickets import capability, jobs, models
from rituals.tickets.ids import Shortcut


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)


CAPABILITY = Capability(
    name="tickets",
    register=register,
    commands=[commands.ROUTER.command],
    shortcuts=[Shortcut.FILE_FROM_MESSAGE],
    events=events.EVENTS,
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    routes=webhooks.ROUTES,
    demo=capability.demo,
    demo_order=60,
)
