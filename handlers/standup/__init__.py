"""Standups' Slack side: `/standup` (commands), the DM and digest buttons (actions), the setup and
answer modals (views) and answers typed in the bot's DM (events). The standup capability is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.standup import actions, commands, events, views
from rituals.standup import capability, demo, jobs, models


def register(app: App) -> None:
    app.command(commands.ROUTER.command)(commands.ROUTER.handle)
    actions.register(app)
    views.register(app)
    events.register(app)


CAPABILITY = Capability(
    name="standup",
    register=register,
    commands=[commands.ROUTER.command],
    events=events.EVENTS,
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    demo=demo.run,
    demo_order=20,
)
