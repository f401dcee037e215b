"""Finished MLflow runs' Slack side: `/runs` and the Promote buttons. The runs capability, with its
`ritualbot runs index` CLI, is declared here."""

from __future__ import annotations

import argparse

from bot.capabilities import Capability, CliCommand
from bot.config import Settings
from handlers.runs import commands
from reports.runs import capability, jobs, models, section
from reports.runs.source import index_tracking_store


def _build_cli(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="runs_command", required=True, metavar="ACTION",
                                    parser_class=type(parser))
    index = actions.add_parser("index", help="add ritualbot's index on runs(experiment_id, end_time) to the MLflow "
                               "tracking database, so a poll does not grow with history")
    index.add_argument("--store", help="the tracking database URI (default: MLFLOW_TRACKING_URI)")


def _run_cli(args: argparse.Namespace, settings: Settings) -> int:
    print(index_tracking_store(settings, args.store))
    return 0


CAPABILITY = Capability(
    name="runs", register=commands.register, commands=commands.COMMANDS, help=commands.HELP,
    status=capability.status, schedule=capability.schedule, jobs=jobs, models=models, section=section.section,
    section_order=40, cli=CliCommand("runs", "MLflow runs commands", _build_cli, _run_cli),
    demo=capability.demo, demo_order=300)
