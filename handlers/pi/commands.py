"""`/pi`: new PI, objectives, confidence vote, risks, status dashboard and close."""

from __future__ import annotations

from slack_bolt import App

from bot.deferred import SLACK, Later
from bot.text import mrkdwn
from handlers.access import caller
from handlers.pi.program import commit, export, past, show_plan, train
from handlers.router import CommandRequest, Router, Sub
from rituals.pi import calendar, closing, hypotheses, modals, projects, render, service, votes


def new(req: CommandRequest) -> None:
    tz = req.settings.timezone  # the team's timezone (RITUALBOT_TIMEZONE), whoever in the team starts the PI
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=modals.new_pi(req.channel, tz))


def objective(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel)
    req.ack()
    req.client.views_open(
        trigger_id=req.trigger_id,
        view=modals.objective(pi, None, req.user, hypotheses.catalog(req.db), projects.choices(req.db, pi.team_id)),
    )


def risk(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel, state=None)
    req.ack()
    req.client.views_open(trigger_id=req.trigger_id, view=modals.risk(pi, req.user))


def objectives(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel, state=None)
    req.reply(*render.objective_list(pi, service.objectives(req.db, pi.id)))


def vote(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel)
    caller(req.context, req.client, req.settings, req.user).require_member(pi.channel_id, "start a confidence vote")
    votes.start(req.db, pi, facilitator=req.user, now=req.clock.now())
    req.reply("Confidence vote posted. Close it with its *Close vote* button.")


def status(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel, state=None)
    req.reply(
        *render.dashboard(
            pi,
            service.objectives(req.db, pi.id),
            service.risks(req.db, pi.id),
            votes.last_average(req.db, pi.id),
            calendar.current_week(pi, req.clock.now()),
            calendar.total_weeks(pi),
        )
    )


def close(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel, state=None)
    closer = caller(req.context, req.client, req.settings, req.user)
    closer.require_member(pi.channel_id, "close its PI")
    if req.args and req.args[0].lower() == "now":
        figure = closing.close_now(req.db, pi, actor=req.user, is_admin=closer.is_admin, now=req.clock.now())
        req.reply(
            f"“{mrkdwn(pi.name)}” is closed with predictability {figure.label}; "
            "objectives without an actual value count as 0."
        )
        return
    waiting = closing.start_close(req.db, pi, actor=req.user, is_admin=closer.is_admin, now=req.clock.now())
    who = ", ".join(f"<@{u}>" for u in waiting)
    req.reply(
        f"Closing “{mrkdwn(pi.name)}”: waiting for actual business value from {who}."
        if waiting
        else f"“{mrkdwn(pi.name)}” is closed; the report is in the channel."
    )


ROUTER = Router(
    "/pi",
    [
        Sub("new", "new", "start a program increment (PI) for a team channel", new),
        Sub("objective", "objective", "add a PI objective (optionally a measurable ML hypothesis)", objective),
        Sub("objectives", "objectives", "list this PI's objectives to edit or drop them", objectives),
        Sub("vote", "vote", "post a fist-of-five confidence vote", vote),
        Sub("risk", "risk", "record a risk with its ROAM state", risk),
        Sub("status", "status", "the PI dashboard: objectives, confidence, risk board", status),
        Sub("commit", "commit", "commit the plan when planning ends: predictability is measured against it", commit),
        Sub("plan", "plan", "the committed plan and every change made to it since", show_plan),
        Sub(
            "train", "train", "the whole train: every channel running this PI, confidence, risks, predictability", train
        ),
        Sub("history", "history", "this channel's PIs with their predictability", past),
        Sub("export", "export <id>", "a PI as Markdown: plan, changes, check-ins, confidence, risks", export),
        Sub(
            "close", "close", "close the PI: owners enter actual business value, then the predictability report", close
        ),
    ],
    extra_help=[("/pi close now", "finish closing without the missing actual values (they count as 0)")],
    later=Later(SLACK, "Checking with Slack…"),  # membership checks (handlers.access), your timezone for `new`
)


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)
