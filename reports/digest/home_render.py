"""App Home's blocks: the person's own page first (each item with the button that acts on it), then the
team's (spend against budget for a lead), then what the workspace has configured."""

from __future__ import annotations

from collections.abc import Sequence

from bot import blocks as b
from bot.text import escape, mrkdwn
from reports.digest.home import Home
from reports.spend import money
from rituals.pi.ids import Action as PiAction
from rituals.pi.render import status_label
from rituals.standup.ids import Action as StandupAction

OUTSIDER = (
    "Nothing of yours here yet: no standup asks you, and no retro action, ticket, PI objective or GPU "
    "is yours. Join a channel's standup, or start one with `/standup` (and `/ritual help` for every command)."
)
SHOWN = 8  # items per group; the rest as "… and N more"


def personal(home: Home) -> b.Blocks:
    if not home.member:
        return [b.section(f"*Your page*\n{OUTSIDER}")]
    out: b.Blocks = []
    out += _standups(home)
    out += _blockers(home)
    if home.actions:
        lines = [
            f"• {mrkdwn(a.text)}" + (f" — due {a.due_on:%a %d %b}" if a.due_on else "") for a in home.actions[:SHOWN]
        ]
        out.append(b.section("*My retro actions*\n" + "\n".join(lines + _more(home.actions))))
    if home.tickets:
        lines = [
            f"• *{escape(stage)}* ({len(items)}): "
            + ", ".join(f"`{escape(i.key)}` {mrkdwn(i.summary)}" for i in items[:3])
            for stage, items in home.tickets.items()
        ]
        out.append(b.section("*My tickets by stage*\n" + "\n".join(lines)))
    if home.runs:
        lines = [
            f"• *{escape(r.experiment)}*: {r.finished} finished"
            + (f", {r.failed} failed or killed" if r.failed else "")
            for r in home.runs
        ]
        out.append(b.section("*My runs this week* (experiments you watch)\n" + "\n".join(lines)))
    if home.gpus:
        lines = [
            f"• *{escape(g.label)}* — {g.idle_h:.0f} h idle, {money.fmt(g.cost, g.currency)}" for g in home.gpus[:SHOWN]
        ]
        out.append(b.section("*My idle GPUs* (latest day)\n" + "\n".join(lines + _more(home.gpus))))
    out += _objectives(home)
    return out


def team(home: Home) -> b.Blocks:
    if not home.budgets:
        return []
    lines = []
    for line, cur in home.budgets[:SHOWN]:
        pct = f" ({line.percent:.0f}%)" if line.percent is not None else ""
        over = " :warning: over" if line.budget is not None and line.spent > line.budget else ""
        budget = money.fmt(line.budget, cur) if line.budget is not None else "no budget"
        lines.append(f"• *{escape(line.team)}* {money.fmt(line.spent, cur)} of {budget}{pct}{over}")
    return [b.section("*Team spend vs budget* (month to date)\n" + "\n".join(lines))]


def _standups(home: Home) -> b.Blocks:
    out: b.Blocks = []
    for s in home.standups:
        shown = {"asked": "asked, not answered yet", "reminded": "asked, not answered yet"}.get(s.status, s.status)
        text = f"*My standup today* · *{mrkdwn(s.name)}* in <#{s.channel_id}> — {escape(shown)}"
        button = None
        if s.entry_id is not None and s.status in ("asked", "reminded", "partial"):
            button = b.button("Answer standup", StandupAction.OPEN_ANSWER, str(s.entry_id), style="primary")
        out.append(b.section(text, accessory=button))
    return out


def _blockers(home: Home) -> b.Blocks:
    out: b.Blocks = []
    for blocker in home.blockers[:SHOWN]:
        button = b.button("Cleared", StandupAction.CLEAR_BLOCKER, f"{blocker.id}:{blocker.raised_on.isoformat()}")
        text = f"*My blocker* since {blocker.raised_on:%a %d %b}: {mrkdwn(blocker.text)}"
        out.append(b.section(text, accessory=button))
    return out


def _objectives(home: Home) -> b.Blocks:
    out: b.Blocks = []
    for o, pi in home.objectives[:SHOWN]:
        verdict = status_label(o.status, o.progress if o.status else None) if o.status else "no update yet"
        text = f"*My PI objective* ({mrkdwn(pi)}): {mrkdwn(o.title)} — {escape(verdict)}"
        out.append(b.section(text, accessory=b.button("Update", PiAction.CHECKIN_OPEN, str(o.id))))
    return out


def _more(items: Sequence[object]) -> list[str]:
    return [f"… and {len(items) - SHOWN} more"] if len(items) > SHOWN else []
