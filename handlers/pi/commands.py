"""`/pi`: new PI, objectives, confidence vote, risks, status dashboard and close; registers the PI listeners."""

from __future__ import annotations

from typing import Any

from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from handlers.pi import actions as pi_actions
from handlers.pi import views as pi_views
from rituals.pi import calendar, closing, modals, render, service, votes

COMMANDS = ["/pi"]
HELP = [
    ("/pi new", "start a program increment (PI) for a team channel"),
    ("/pi objective", "add a PI objective (optionally a measurable ML hypothesis)"),
    ("/pi objectives", "list this PI's objectives to edit or drop them"),
    ("/pi vote", "post a fist-of-five confidence vote"),
    ("/pi risk", "record a risk with its ROAM state"),
    ("/pi status", "the PI dashboard: objectives, confidence, risk board"),
    ("/pi close", "close the PI: owners enter actual business value, then the predictability report"),
    ("/pi close now", "finish closing without the missing actual values (they count as 0)"),
]


def register(app: Any) -> None:
    app.command("/pi")(handle_pi_command)
    pi_actions.register(app)
    pi_views.register(app)


def handle_pi_command(ack: Any, command: dict[str, Any], db: Session, clock: Clock, settings: Settings,
                      client: WebClient) -> None:
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    now = clock.now()
    if sub == "help":
        ack(response_type="ephemeral", text="\n".join(f"`{usage}` — {what}" for usage, what in HELP))
    elif sub == "new":
        tz = (client.users_info(user=user).get("user") or {}).get("tz") or settings.timezone
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modals.new_pi(channel, tz))
    elif sub == "objective":
        pi = service.require_pi(db, team, channel)
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modals.objective(pi, None, user))
    elif sub == "risk":
        pi = service.require_pi(db, team, channel, state=None)
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modals.risk(pi, user))
    elif sub == "objectives":
        pi = service.require_pi(db, team, channel, state=None)
        text, blocks = pi_actions.objective_list(db, pi)
        ack(response_type="ephemeral", text=text, blocks=blocks)
    elif sub == "vote":
        pi = service.require_pi(db, team, channel)
        votes.start(db, pi, facilitator=user, now=now)
        ack(response_type="ephemeral", text="Confidence vote posted. Close it with its *Close vote* button.")
    elif sub == "status":
        pi = service.require_pi(db, team, channel, state=None)
        text, blocks = render.dashboard(pi, service.objectives(db, pi.id), service.risks(db, pi.id),
                                        votes.last_average(db, pi.id), calendar.current_week(pi, now),
                                        calendar.total_weeks(pi))
        ack(response_type="ephemeral", text=text, blocks=blocks)
    elif sub == "close":
        pi = service.require_pi(db, team, channel, state=None)
        if len(words) > 1 and words[1].lower() == "now":
            figure = closing.close_now(db, pi, actor=user, now=now)
            ack(response_type="ephemeral", text=f"“{pi.name}” is closed with predictability {figure.label}; "
                "objectives without an actual value count as 0.")
            return
        waiting = closing.start_close(db, pi, actor=user, now=now)
        who = ", ".join(f"<@{u}>" for u in waiting)
        ack(response_type="ephemeral", text=f"Closing “{pi.name}”: waiting for actual business value from {who}."
            if waiting else f"“{pi.name}” is closed; the report is in the channel.")
    else:
        raise UserError(f"I don't know `/pi {words[0][:40]}`. Try `/pi help`.")
