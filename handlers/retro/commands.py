"""`/retro`: start a retro, list templates, history, export, abandon and resume."""

from __future__ import annotations

from slack_bolt import App

from bot.deferred import SLACK, Later
from bot.errors import UserError
from bot.text import decode, escape, link, mrkdwn
from handlers.access import Caller, caller
from handlers.retro.phases import handover_command
from handlers.router import CommandRequest, Router, Sub
from rituals.retro import boards, health, health_step, history, phases, render, service
from rituals.retro import evidence as retro_evidence

EXPORT_LIMIT = 39_000
NEVER = lambda: False  # noqa: E731 - the starter facilitates: no admin check needed


def register(app: App) -> None:
    app.command(ROUTER.command)(ROUTER.handle)


def _member(req: CommandRequest, doing: str) -> Caller:
    """The caller, refused unless a member of the command's channel (or an admin)."""
    who = caller(req.context, req.client, req.settings, req.user)
    who.require_member(req.channel, doing)
    return who


def start(req: CommandRequest) -> None:
    _member(req, "start a retro there")
    config = req.settings.section("retro")
    args, timing = phases.start_options(req.args)  # collect=2h vote=1d discuss=45m cap=2 then=nudge
    key = args[0] if args and boards.slug(args[0]) in boards.available(config) else None
    title = " ".join(args[1:] if key else args) or f"Retro {req.clock.now():%Y-%m-%d}"
    retro = service.start_retro(
        req.db,
        team_id=req.team,
        channel_id=req.channel,
        facilitator=req.user,
        board=boards.find(config, key),
        title=title,
        now=req.clock.now(),
    )
    health_step.start(req.db, retro, config, req.clock.now())  # if the template includes the health check
    if timing != phases.Timing():
        now = req.clock.now()
        phases.configure(req.db, retro.id, timing, team_id=req.team, actor=req.user, is_admin=NEVER, now=now)
    req.reply(
        f"Retro “{mrkdwn(retro.title)}” started: you facilitate. Use the buttons on its message to move between phases."
    )


def evidence(req: CommandRequest) -> None:
    who = _member(req, "seed its retro")
    retro = retro_evidence.running(req.db, req.team, req.channel)
    found = retro_evidence.drafts(
        req.db, retro, settings=req.settings, capabilities=req.capabilities, actor=req.user,
        is_admin=who.is_admin, now=req.clock.now(),
    )  # fmt: skip
    if not found:
        req.reply("No evidence for this period: no spend anomaly, long-idle GPU, failed run or old blocker.")
        return
    req.reply(*render.evidence_offer(retro, found))


def templates(req: CommandRequest) -> None:
    config = req.settings.section("retro")
    lines = [
        f"`{escape(b.key)}` — {escape(b.name)}: {escape(', '.join(c.label for c in b.columns))}"
        + (" + team health check" if health.enabled(config, b.key) else "")
        for b in boards.available(config).values()
    ]
    req.reply("Retro templates (`/retro start <key> [title]`):\n" + "\n".join(lines))


def past(req: CommandRequest) -> None:
    _member(req, "see its retros")
    lines = [
        f"#{e.id} · {link(e.link, e.title) if e.link else mrkdwn(e.title)} · {e.started:%Y-%m-%d} · {e.phase}"
        f" · {e.actions} action item{'' if e.actions == 1 else 's'}"
        for e in history.entries(req.db, req.team, req.channel)
    ]
    req.reply(
        "Retros in this channel:\n" + "\n".join(lines)
        if lines
        else "No retros in this channel yet. Start one with `/retro start`."
    )


def export(req: CommandRequest) -> None:
    if not req.args or not req.args[0].lstrip("#").isdigit():
        raise UserError("Use `/retro export <id>`; `/retro history` shows the ids.")
    retro = history.find(req.db, req.team, int(req.args[0].lstrip("#")))
    caller(req.context, req.client, req.settings, req.user).require_member(retro.channel_id, "export its retros")
    markdown = history.export_markdown(req.db, retro)
    shown = mrkdwn(markdown)  # escaped once; the export's own mentions stay live
    if len(shown) > EXPORT_LIMIT:  # Slack refuses longer replies; say so rather than fail
        shown = mrkdwn(markdown, limit=EXPORT_LIMIT)
        shown += f"\n… and {len(markdown) - len(decode(shown)) + 1} more characters"
    req.reply("```\n" + shown + "\n```")


def abandon(req: CommandRequest) -> None:
    who = _member(req, "abandon its retro")
    retro = service.abandon(
        req.db,
        req.team,
        req.channel,
        actor=req.user,
        is_admin=who.is_admin,
        now=req.clock.now(),
    )
    req.reply(f"Retro “{mrkdwn(retro.title)}” is put aside: `/retro resume` brings it back.")


def resume(req: CommandRequest) -> None:
    who = _member(req, "resume its retro")
    retro = service.resume(
        req.db,
        req.team,
        req.channel,
        actor=req.user,
        is_admin=who.is_admin,
        now=req.clock.now(),
    )
    req.reply(f"Retro “{mrkdwn(retro.title)}” is back on.")


ROUTER = Router(
    "/retro",
    [
        Sub(
            "start",
            "start [template] [title] [vote=2h discuss=1h cap=2 then=nudge]",
            "start a retrospective in this channel (you facilitate); optional deadlines, per-item vote cap",
            start,
        ),
        Sub("evidence", "evidence", "draft items from the period's spend, idle GPUs, failed runs, blockers", evidence),
        Sub("templates", "templates", "list the retro templates (built-in and your team's)", templates),
        Sub("history", "history", "past retros of this channel, with links", past),
        Sub("export", "export <id>", "a retro as Markdown", export),
        Sub("abandon", "abandon | resume", "put the running retro aside, or bring it back", abandon),
        Sub("resume", "resume", "bring an abandoned retro back", resume, listed=False),
        Sub("handover", "handover @person", "hand facilitation of the running retro to a member", handover_command),
    ],
    later=Later(SLACK, "Checking with Slack…"),  # membership and admin checks (handlers.access)
)
