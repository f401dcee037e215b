"""`/standup`: setup, edit, pause/resume, delete, answer early, skip, away, report."""

from __future__ import annotations

from typing import Any

from bot.deferred import SLACK, Later
from bot.errors import UserError
from bot.slack_client import SlackDirectory
from bot.text import mrkdwn
from handlers.auth import admin_check
from handlers.loading import open_loading
from handlers.router import CommandRequest, Router, Sub
from rituals.standup import absence, calendar, daily, history, modals, render, service, stats
from rituals.standup.models import Standup


def _timezone(req: CommandRequest) -> str:
    person = SlackDirectory(req.client).person(req.user)
    return person.tz if person else "UTC"


def _managed(req: CommandRequest) -> Standup:
    """The standup the command names, if the caller may change it."""
    standup = service.for_channel(req.db, req.team, req.channel, req.rest or None, sub=req.sub.lower())
    service.check_manager(standup, req.user, admin_check(req.client, req.settings, req.user))
    return standup


def setup(req: CommandRequest) -> None:
    """The form needs the caller's timezone from Slack: it opens at once, loading, and shows the form after."""
    open_loading(
        req.client,
        req.trigger_id,
        "Set up a standup",
        lambda: modals.setup(req.channel, _timezone(req)),
        later=_OPENING,
        settings=req.settings,
        opened=req.ack,  # a deferred request answers (and returns) at its ack: the modal is the answer
    )


def edit(req: CommandRequest) -> None:
    """Its creator gets the form at once; anyone else only after Slack says whether they are an admin,
    so their modal opens loading and shows the form, or why they may not change it."""
    standup = service.for_channel(req.db, req.team, req.channel, req.rest or None, sub=req.sub.lower())

    def form() -> dict[str, Any]:
        service.check_manager(standup, req.user, admin_check(req.client, req.settings, req.user))
        members = [] if standup.everyone else [m.user_id for m in service.members(req.db, standup.id)]
        return modals.setup(req.channel, standup.timezone, standup, members)

    if req.user == standup.created_by:  # no lookup to wait for
        req.client.views_open(trigger_id=req.trigger_id, view=form())
        req.ack()
        return
    open_loading(
        req.client, req.trigger_id, "Edit standup", form, later=_OPENING, settings=req.settings, opened=req.ack
    )


def pause_or_resume(req: CommandRequest) -> None:
    standup = service.set_paused(req.db, _managed(req), req.sub.lower() == "pause")
    state = "paused: nobody is asked until `/standup resume`" if standup.paused else "running again"
    req.reply(f"“{mrkdwn(standup.name)}” is {state}.")


def delete(req: CommandRequest) -> None:
    text, blocks = render.delete_prompt(_managed(req))
    req.reply(text, blocks)


def answer(req: CommandRequest) -> None:
    standup, entry = daily.answer_target(req.db, req.team, req.channel, req.user, req.clock.now(), req.rest or None)
    req.client.views_open(trigger_id=req.trigger_id, view=modals.answer(standup, entry))
    req.ack()


def skip(req: CommandRequest) -> None:
    skipped = daily.skip_today(req.db, req.team, req.channel, req.user, req.clock.now(), req.rest or None)
    names = ", ".join(f"“{mrkdwn(s.name)}”" for s in skipped)
    req.reply(f"Skipped today's {names}: you are shown as away, not missing.")


def away(req: CommandRequest) -> None:
    if [a.lower() for a in req.args] == ["list"]:
        req.reply(absence.describe(absence.periods(req.db, req.team, req.user, req.clock.now())))
        return
    if len(req.args) != 2:
        raise UserError(
            "Use `/standup away <from> <to>`, e.g. `/standup away 2026-12-20 2027-01-03`, or `/standup away list`."
        )
    start, end = calendar.parse_date(req.args[0]), calendar.parse_date(req.args[1])
    daily.away(req.db, req.team, req.user, start, end, req.clock.now(), _timezone(req))
    req.reply(f"Away from {start} to {end}: you won't be asked, and digests show you as away.")


def show_history(req: CommandRequest) -> None:
    query = history.parse(req.args, req.user)
    req.reply(history.describe(history.entries(req.db, req.team, req.channel, query, req.clock.now()), query))


def export(req: CommandRequest) -> None:
    query = history.parse(req.args, None)
    days = history.export(req.db, req.team, req.channel, query, req.clock.now())
    req.reply(f"Uploading {render.plural(days, 'standup answer')} ({history.span(query.period)}) here as a CSV file.")


def back(req: CommandRequest) -> None:
    reopened = absence.back(req.db, req.team, req.user, req.clock.now())
    again = f" Today's {render.plural(reopened, 'standup')} asks you again." if reopened else ""
    req.reply(f"Welcome back: your absence ends today.{again}")


def report(req: CommandRequest) -> None:
    """`report [week|month] [name] [private]`: every standup of the channel unless one is named;
    `private` answers only the caller, without posting in the channel."""
    words = list(req.args)
    private = bool(words) and words[-1].lower() == "private"
    words = words[:-1] if private else words
    period = words.pop(0).lower() if words and words[0].lower() in stats.PERIODS else "week"
    if words and words[0].lower() in ("year", "day", "quarter", "all"):
        raise UserError(
            "Use `/standup report week` or `/standup report month`, and a standup's name if the channel has several."
        )
    now = req.clock.now()
    standups = service.named(req.db, req.team, req.channel, " ".join(words) or None)
    results = [(standup, stats.report(req.db, standup, period, now, chart=not private)) for standup in standups]
    if private:
        req.reply("\n\n".join(stats.text(standup, result) for standup, result in results))
        return
    for standup, result in results:
        stats.publish(req.db, standup, result, now)
    names = ", ".join(f"“{mrkdwn(standup.name)}”" for standup, _ in results)
    req.reply(f"Posting the {period} report of {names} in this channel.")


_ADMIN = Later(SLACK, "Checking with Slack that you may change this standup…")
_OPENING = Later(SLACK, "Opening the standup form…")

ROUTER = Router(
    "/standup",
    [
        Sub(
            "setup",
            "setup",
            "set up an async standup in this channel (opens a form)",
            setup,
            later=_OPENING,
        ),
        Sub(
            "edit",
            "edit | pause | resume | delete [name]",
            "change, pause, resume or delete this channel's standup",
            edit,
            later=_OPENING,
        ),
        Sub("pause", "pause [name]", "pause this channel's standup", pause_or_resume, listed=False, later=_ADMIN),
        Sub("resume", "resume [name]", "resume this channel's standup", pause_or_resume, listed=False, later=_ADMIN),
        Sub("delete", "delete [name]", "delete this channel's standup", delete, listed=False, later=_ADMIN),
        Sub("answer", "answer [name]", "answer today's standup now (or tomorrow's, once today's is done)", answer),
        Sub("skip", "skip [name]", "skip today's standup", skip),
        Sub(
            "away",
            "away <from> <to> | away list",
            "away from YYYY-MM-DD to YYYY-MM-DD: not asked, shown as away (list: your absences)",
            away,
            later=Later(SLACK, "Looking up your timezone in Slack…"),
        ),
        Sub("back", "back", "end your current absence early", back),
        Sub(
            "history",
            "history [@user] [week|month|quarter|all] [name]",
            "someone's answers (yours by default), deleted standups included",
            show_history,
        ),
        Sub("export", "export [week|month|quarter|all] [name]", "every answer as a CSV file in this channel", export),
        Sub(
            "report",
            "report [week|month] [name] [private]",
            "participation, streaks, blockers and answer times, with a chart (private: only to you)",
            report,
        ),
    ],
)
