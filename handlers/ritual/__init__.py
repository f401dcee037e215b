"""`/ritual` (help, status, the digest switch: commands) and App Home (events), both rendered by
`overview`, and the app's own lifecycle in a workspace (uninstalled, tokens revoked: lifecycle). The
channel digest capability (what needs attention first, then one line per report; the configuration
list lives in App Home and `/ritual status`) is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.ritual import commands, events, lifecycle
from reports.digest import capability, jobs, models


def register(app: App) -> None:
    app.command(commands.ROUTER.command)(commands.ROUTER.handle)
    events.register(app)
    lifecycle.register(app)


CAPABILITY = Capability(
    name="digest",
    register=register,
    commands=[commands.ROUTER.command],
    events=events.EVENTS + lifecycle.EVENTS,
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    demo_order=1000,
)
