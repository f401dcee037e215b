"""Finished MLflow runs' Slack side: `/runs` and the Promote buttons. The runs capability, with its
`ritualbot runs index` CLI and MLflow's webhook route on the web process, is declared here."""

from __future__ import annotations

from slack_bolt import App

from bot.capabilities import Capability
from handlers.runs import actions, cli, commands, webhook
from reports.runs import capability, jobs, models, section


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)


CAPABILITY = Capability(
    name="runs",
    register=register,
    commands=[commands.ROUTER.command],
    help=commands.ROUTER.help(),
    status=capability.status,
    schedule=capability.schedule,
    jobs=jobs,
    models=models,
    section=section.section,
    section_order=40,
    cli=cli.CLI,
    demo=capability.demo,
    demo_order=300,
    routes={webhook.PATH: webhook.receive},
)
