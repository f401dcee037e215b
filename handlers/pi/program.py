"""`/pi commit`, `/pi plan`, `/pi train`, `/pi history` and `/pi export`: the committed plan, the whole
train across channels, and a channel's PIs as a list and as Markdown."""

from __future__ import annotations

from bot.errors import UserError
from bot.text import decode, mrkdwn
from handlers.access import caller
from handlers.router import CommandRequest
from rituals.pi import history, service
from rituals.pi import plan as pi_plan
from rituals.pi import train as pi_train

EXPORT_LIMIT = 38_000  # Slack refuses longer replies


def commit(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel)
    who = caller(req.context, req.client, req.settings, req.user)
    objectives = service.objectives(req.db, pi.id)
    pi_plan.commit(req.db, pi, objectives, actor=req.user, now=req.clock.now(), is_admin=who.is_admin)
    req.reply(f"The plan of “{mrkdwn(pi.name)}” is committed and posted in the channel.")


def show_plan(req: CommandRequest) -> None:
    pi = service.require_pi(req.db, req.team, req.channel, state=None)
    req.reply(*pi_plan.plan_message(req.db, pi, service.objectives(req.db, pi.id, include_dropped=True)))


def train(req: CommandRequest) -> None:
    pi = pi_train.latest(req.db, req.team, req.channel)
    who = caller(req.context, req.client, req.settings, req.user)
    req.reply(*pi_train.message(pi_train.build(req.db, pi, lambda c: who.is_member(c) or who.is_admin())))


def past(req: CommandRequest) -> None:
    lines = [
        f"#{e.id} · *{mrkdwn(e.name)}* · {e.dates} · {e.state} · predictability {e.predictability}"
        for e in history.entries(req.db, req.team, req.channel)
    ]
    req.reply(
        "PIs in this channel (`/pi export <id>` for one as Markdown):\n" + "\n".join(lines)
        if lines
        else "No PIs in this channel yet. Start one with `/pi new`."
    )


def export(req: CommandRequest) -> None:
    if not req.args or not req.args[0].lstrip("#").isdigit():
        raise UserError("Use `/pi export <id>`; `/pi history` shows the ids.")
    pi = history.find(req.db, req.team, int(req.args[0].lstrip("#")))
    caller(req.context, req.client, req.settings, req.user).require_member(pi.channel_id, "export its PIs")
    markdown = history.export_markdown(req.db, pi)
    shown = mrkdwn(markdown)  # escaped once; the export's own mentions stay live
    if len(shown) > EXPORT_LIMIT:
        shown = mrkdwn(markdown, limit=EXPORT_LIMIT)
        shown += f"\n… and {len(markdown) - len(decode(shown)) + 1} more characters"
    req.reply("```\n" + shown + "\n```")
