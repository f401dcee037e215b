"""`ritualbot`: serve, worker, db upgrade, run-job, demo. Errors end in one line and a non-zero exit."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from bot import jobs
from bot.app import create_app
from bot.config import load_settings
from bot.demo import run_demo
from bot.errors import ConfigError, UserError
from bot.runtime import Runtime, install
from bot.scheduler import kernel_jobs
from bot.web import serve
from bot.wiring import build_runtime
from bot.worker import run_worker
from handlers import CAPABILITIES

log = logging.getLogger("ritualbot")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ritualbot",
        description="Standups, retros, PI check-ins, stage tickets and cost reports for data-science teams, in Slack.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("serve", help="run the web process (Slack HTTP endpoint on $PORT, or Socket Mode)")
    sub.add_parser("worker", help="run the scheduler and the outbox sender")
    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION", parser_class=_Parser)
    db_sub.add_parser("upgrade", help="migrate the database to the latest schema")
    db_sub.add_parser("current", help="print the database's schema revision")
    run_job = sub.add_parser("run-job", help="run one scheduled job now (once per period)")
    run_job.add_argument("name", help="job name, e.g. digest.post (`ritualbot run-job --list` lists them)", nargs="?")
    run_job.add_argument("--scope", default="", help="what the job runs for, e.g. T123:C456 for a channel")
    run_job.add_argument("--period", help="the period to claim (default: the current one)")
    run_job.add_argument("--list", action="store_true", help="list the registered jobs")
    for extra in CAPABILITIES.cli_commands():
        extra.build(sub.add_parser(extra.name, help=extra.help))
    demo = sub.add_parser("demo", help="simulate a day of every job on embedded defaults; no Slack needed")
    demo.add_argument("--out", default="demo-output", help="folder for the Block Kit JSON (default: demo-output)")
    demo.add_argument("--quiet", action="store_true", help="write the JSON but print only the summary")
    demo.add_argument("--html", action="store_true", help="also write DIR/index.html: the day as Slack would show it")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (ConfigError, UserError) as exc:
        print(f"ritualbot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    settings = load_settings()
    level = settings.log_level if args.command != "demo" or "LOG_LEVEL" in settings.env else "WARNING"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "demo":
        return run_demo(out_dir=args.out, quiet=args.quiet, html=args.html)
    for extra in CAPABILITIES.cli_commands():
        if args.command == extra.name:
            return extra.run(args, settings)
    rt = build_runtime(settings)
    if args.command == "db":
        if args.db_command == "upgrade":
            rt.database.upgrade()
            print(f"database at revision {rt.database.current_revision()}")
        else:
            print(rt.database.current_revision() or "none (not migrated)")
        return 0
    rt.database.ensure_migrated(auto_migrate=settings.auto_migrate)
    if args.command == "serve":
        settings.require_http_mode()
        serve(create_app(settings, runtime=rt), rt)
        return 0
    if args.command == "worker":
        run_worker(rt)
        return 0
    return _run_job(args, rt)


def _run_job(args: argparse.Namespace, rt: Runtime) -> int:
    registry = {**rt.capabilities.jobs(), **kernel_jobs()}
    if args.list or not args.name:
        for spec in sorted(registry.values(), key=lambda s: s.name):
            print(f"{spec.name:24} {spec.description}")
        return 0
    install(rt)
    outcome = jobs.run(args.name, args.scope, args.period, rt)
    where = f"scope={outcome.scope or '-'} period={outcome.period}"
    beat = f"last heartbeat {outcome.last_heartbeat:%Y-%m-%d %H:%M:%S}Z" if outcome.last_heartbeat else ""
    if outcome.state == "running":
        print(f"{outcome.job} is running for {where} (owner {outcome.holder}, {beat}); not started twice")
        return 0
    if outcome.state == "dead":
        print(f"{outcome.job} died twice for {where} (last owner {outcome.holder}, {beat}); not retried again")
        return 1
    if not outcome.ran:
        print(f"{outcome.job} already ran for {where}; pass --period to run another period")
        return 0
    report = rt.sender.deliver_due()
    took = f" (took over a dead claim of {outcome.holder}, {beat})" if outcome.took_over else ""
    print(
        f"{outcome.job} ran for {where}{took}: {report.sent} sent, {report.deferred} deferred, {report.failed} failed"
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
