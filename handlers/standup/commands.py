"""`/standup`: setup, edit, pause/resume, delete, answer early, skip, away, report."""

from __future__ import annotations

from bot.errors import UserError
from bot.slack_client import SlackDirectory
from bot.text import mrkdwn
from handlers.auth import admin_check
from handlers.router import CommandRequest, Router, Sub
from rituals.standup import calendar, daily, modals, render, service, stats
from rituals.standup.models import Standup


def _timezone(req: CommandRequest) -> str:
    person = SlackDirectory(req.client).person(req.user)
    return person.tz if person else "UTC"


def _managed(req: CommandRequest) -> Standup:
    """The standup the command names, if the caller may change it."""
    standup = service.for_channel(req.db, req.team, req.channel, req.rest or None)
    service.check_manager(standup, req.user, admin_check(req.client, req.settings, req.user))
    return standup


def setup(req: CommandRequest) -> None:
    timezone = _timezone(req)
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=modals.setup(req.channel, timezone))


def edit(req: CommandRequest) -> None:
    standup = _managed(req)
    members = [] if standup.everyone else [m.user_id for m in service.members(req.db, standup.id)]
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=modals.setup(req.channel, standup.timezone, standup, members))


def pause_or_resume(req: CommandRequest) -> None:
    standup = service.set_paused(req.db, _managed(req), req.sub.lower() == "pause")
    state = "paused: nobody is asked until `/standup resume`" if standup.paused else "running again"
    req.reply(f"“{mrkdwn(standup.name)}” is {state}.")


def delete(req: CommandRequest) -> None:
    text, blocks = render.delete_prompt(_managed(req))
    req.reply(text, blocks)


def answer(req: CommandRequest) -> None:
    standup, entry = daily.answer_target(req.db, req.team, req.channel, req.user, req.clock.now())
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=modals.answer(standup, entry))


def skip(req: CommandRequest) -> None:
    skipped = daily.skip_today(req.db, req.team, req.channel, req.user, req.clock.now())
    names = ", ".join(f"“{mrkdwn(s.name)}”" for s in skipped)
    req.reply(f"Skipped today's {names}: you are shown as away, not missing.")


def away(req: CommandRequest) -> None:
    if len(req.args) != 2:
        raise UserError("Use `/standup away <from> <to>`, e.g. `/standup away 2026-12-20 2027-01-03`.")
    start, end = calendar.parse_date(req.args[0]), calendar.parse_date(req.args[1])
    daily.away(req.db, req.team, req.user, start, end, req.clock.now(), _timezone(req))
    req.reply(f"Away from {start} to {end}: you won't be asked, and digests show you as away.")


def report(req: CommandRequest) -> None:
    standup = service.for_channel(req.db, req.team, req.channel)
    now = req.clock.now()
    result = stats.report(req.db, standup, req.rest or "week", now)
    stats.publish(req.db, standup, result, now)
    req.reply(f"Posting the {result.period} report of “{mrkdwn(standup.name)}” in this channel.")


ROUTER = Router(
    "/standup",
    [
        Sub("setup", "setup", "set up an async standup in this channel (opens a form)", setup),
        Sub(
            "edit",
            "edit | pause | resume | delete [name]",
            "change, pause, resume or delete this channel's standup",
            edit,
        ),
        Sub("pause", "pause [name]", "pause this channel's standup", pause_or_resume, listed=False),
        Sub("resume", "resume [name]", "resume this channel's standup", pause_or_resume, listed=False),
        Sub("delete", "delete [name]", "delete this channel's standup", delete, listed=False),
        Sub("answer", "answer", "answer today's standup now (or tomorrow's, once today's is done)", answer),
        Sub("skip", "skip", "skip today's standup", skip),
        Sub("away", "away <from> <to>", "away from YYYY-MM-DD to YYYY-MM-DD: not asked, shown as away", away),
        Sub("report", "report [week|month]", "participation, streaks, blockers and answer times, with a chart", report),
    ],
)
