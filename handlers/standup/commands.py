"""`/standup`: setup, edit, pause/resume, delete, answer early, skip, away, report; registers the
standup listeners (modals, buttons, DM answers)."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import blocks as b
from bot.clock import Clock
from bot.errors import UserError
from handlers.standup import interactive as standup_interactive
from handlers.standup.interactive import admin_check
from rituals.standup import calendar, daily, modals, people, service

COMMANDS = ["/standup"]
EVENTS = ["message.im"]
DELETE = "standup.delete"
HELP = [
    ("/standup setup", "set up an async standup in this channel (opens a form)"),
    ("/standup edit | pause | resume | delete [name]", "change, pause, resume or delete this channel's standup"),
    ("/standup answer", "answer today's standup now (or tomorrow's, once today's is done)"),
    ("/standup skip", "skip today's standup"),
    ("/standup away <from> <to>", "away from YYYY-MM-DD to YYYY-MM-DD: not asked, shown as away"),
    ("/standup report [week|month]", "participation, streaks, blockers and answer times, with a chart"),
]


def register(app: Any) -> None:
    app.command("/standup")(handle_standup_command)
    standup_interactive.register(app)


def handle_standup_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, client: WebClient,
                           settings: Any) -> None:
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    rest = " ".join(words[1:]) or None
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    now = clock.now()
    if sub == "help":
        ack(response_type="ephemeral", text="\n".join(f"`{usage}` — {what}" for usage, what in HELP))
    elif sub == "setup":
        person = people.lookup(client, user)
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modals.setup(channel, person.tz if person else "UTC"))
    elif sub == "edit":
        standup = service.for_channel(db, team, channel, rest)
        service.check_manager(standup, user, admin_check(client, settings, user))
        members = [m.user_id for m in service.members(db, standup.id)]
        ack()
        client.views_open(trigger_id=command["trigger_id"],
                          view=modals.setup(channel, standup.timezone, standup, [] if standup.everyone else members))
    elif sub in ("pause", "resume"):
        standup = service.for_channel(db, team, channel, rest)
        service.check_manager(standup, user, admin_check(client, settings, user))
        standup = service.set_paused(db, standup, sub == "pause")
        state = "paused: nobody is asked until `/standup resume`" if standup.paused else "running again"
        ack(response_type="ephemeral", text=f"“{standup.name}” is {state}.")
    elif sub == "delete":
        standup = service.for_channel(db, team, channel, rest)
        service.check_manager(standup, user, admin_check(client, settings, user))
        confirm = b.confirm_dialog("Delete standup?", f"“{standup.name}” and all its answers will be deleted.",
                                   ok="Delete")
        ack(response_type="ephemeral", text=f"Delete “{standup.name}”?", blocks=[
            b.section(f"Delete *{b.escape(standup.name)}* with all its answers and history?"),
            b.actions(b.button("Delete standup", DELETE, str(standup.id), style="danger", confirm=confirm))])
    elif sub == "answer":
        standup, entry = daily.answer_target(db, team, channel, user, now)
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modals.answer(standup, entry))
    elif sub == "skip":
        names = ", ".join(f"“{s.name}”" for s in daily.skip_today(db, team, channel, user, now))
        ack(response_type="ephemeral", text=f"Skipped today's {names}: you are shown as away, not missing.")
    elif sub == "away":
        if len(words) != 3:
            raise UserError("Use `/standup away <from> <to>`, e.g. `/standup away 2026-12-20 2027-01-03`.")
        start, end = calendar.parse_date(words[1]), calendar.parse_date(words[2])
        person = people.lookup(client, user)
        daily.away(db, team, user, start, end, now, person.tz if person else "UTC")
        ack(response_type="ephemeral", text=f"Away from {start} to {end}: you won't be asked, and digests show "
                                            "you as away.")
    elif sub == "report":
        standup_interactive.report(ack, db, clock, team, channel, rest)
    else:
        raise UserError(f"I don't know `/standup {words[0][:40]}`. Try `/standup help`.")
