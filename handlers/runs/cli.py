"""`ritualbot runs index`: add ritualbot's index to the MLflow tracking database."""

from __future__ import annotations

import argparse

from bot.capabilities import CliCommand
from bot.config import Settings
from reports.runs.source import index_tracking_store


def _build(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="runs_command", required=True, metavar="ACTION", parser_class=type(parser))
    index = actions.add_parser(
        "index",
        help="add ritualbot's index on runs(experiment_id, status, end_time) to the MLflow "
        "tracking database, so a poll does not grow with history",
    )
    index.add_argument("--store", help="the tracking database URI (default: MLFLOW_TRACKING_URI)")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    print(index_tracking_store(settings, args.store))
    return 0


CLI = CliCommand("runs", "MLflow runs commands", _build, _run)
