"""Blocks, text and the chart for idle GPUs: the digest section, `/gpu idle`, `/gpu owners`, owner DMs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bot import blocks
from bot.charts import new_figure, to_png
from bot.templates import render
from reports.gpu.ids import Action, Block
from reports.gpu.service import GpuLine, IdleReport

TOP = 8
RESPONSES = {
    "in_use": "in use, says the owner",
    "releasing": "owner is releasing it",
    "snoozed": "snoozed by the owner",
    "stopped": "stopped by an admin",
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _helpers(currency: str, users: Mapping[str, str] | None = None) -> dict[str, Any]:
    symbol = SYMBOLS.get(currency, "")

    def money(amount: Decimal) -> str:
        return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"

    def owner(g: GpuLine) -> str:
        user = (users or {}).get(g.owner)
        if user:
            return f"<@{user}>"
        return blocks.escape(g.owner) if g.owner else "unowned"

    return {
        "money": money,
        "hours": lambda h: f"{h:,.1f}".removesuffix(".0"),
        "signed_h": lambda h: f"{h:+,.1f} GPU-h",
        "streak": _streak,
        "owner": owner,
        "responses": RESPONSES,
    }


def _streak(hours: float) -> str:
    return f"{hours / 24:.1f} days".replace(".0 days", " days") if hours >= 48 else f"{hours:.0f} h"


def section_blocks(r: IdleReport, users: Mapping[str, str] | None = None) -> blocks.Blocks:
    h = _helpers(r.currency, users)
    out: blocks.Blocks = [blocks.section(render("reports.gpu", "section.md.j2", r=r, **h))]
    top = r.idle[:TOP]
    if top:
        lines = [render("reports.gpu", "gpu_line.md.j2", g=g, **h) for g in top]
        more = len(r.idle) - len(top)
        out.append(blocks.section("*Top idle GPUs*\n" + "\n".join(lines) + (f"\n… and {more} more" if more else "")))
    if r.held:
        lines = [render("reports.gpu", "gpu_line.md.j2", g=g, **h) for g in r.held[:TOP]]
        out.append(blocks.section("*Memory held, no compute*\n" + "\n".join(lines)))
    if r.teams:
        out.append(
            blocks.section(
                "*Per team*\n"
                + "\n".join(
                    f"• *{blocks.escape(team)}* {h['hours'](hours)} GPU-h ({h['money'](cost)})"
                    for team, (hours, cost) in r.teams.items()
                )
            )
        )
    notes = []
    if r.nodata:
        plural = "" if len(r.nodata) == 1 else "s"
        notes.append(f"No data for {len(r.nodata)} GPU{plural} (not counted as idle or busy)")
    notes += [
        f":warning: source *{blocks.escape(name)}* was unavailable: {blocks.escape(err or '')[:150]}"
        for name, err in r.unavailable.items()
    ]
    if notes:
        out.append(blocks.context(*notes[:10]))
    return out


def summary(r: IdleReport) -> str:
    h = _helpers(r.currency)
    return f"{h['hours'](r.idle_h)} idle GPU-hours ({h['money'](r.idle_cost)})"


def chart(r: IdleReport) -> bytes | None:
    """Idle (and held) GPU-hours per day for 14 days, stacked by team."""
    if r.empty:
        return None
    days = [r.day - timedelta(days=n) for n in range(13, -1, -1)]
    teams = sorted({t for d in r.daily.values() for t in d}, key=lambda t: -sum(d.get(t, 0) for d in r.daily.values()))
    fig, ax = new_figure(9, 4)
    bottom = [0.0] * len(days)
    for team in teams:
        heights = [r.daily.get(d, {}).get(team, 0.0) for d in days]
        ax.bar(range(len(days)), heights, bottom=bottom, label=team, width=0.8)
        bottom = [b + v for b, v in zip(bottom, heights, strict=True)]
    ax.set_xticks(range(0, len(days), 2), [f"{d:%d %b}" for d in days[::2]])
    ax.set_ylabel("idle GPU-hours")
    ax.set_title(f"Idle GPU-hours per day by team, {days[0]:%d %b} – {days[-1]:%d %b}")
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    return to_png(fig)


def command_blocks(r: IdleReport, team: str | None, users: Mapping[str, str]) -> tuple[str, blocks.Blocks]:
    body = section_blocks(r, users)
    title = f"Idle GPUs{' for ' + team if team else ''}: {summary(r)} on {r.day:%a %d %b}"
    return title, body


def owners_blocks(rows: list[tuple[str, str, str, str | None]]) -> tuple[str, blocks.Blocks]:
    """rows: (gpu label, owner, team, Slack user id or None)."""
    if not rows:
        return "No GPUs are known yet.", [blocks.section("No GPUs are known yet: they arrive with the next refresh.")]
    lines = [
        f"• *{blocks.escape(label)}* — {('<@' + user + '>') if user else blocks.escape(owner or 'unowned')}"
        f" · {blocks.escape(team)}"
        for label, owner, team, user in rows
    ]
    text = f"GPU owners: {len(rows)} GPUs"
    return text, [
        blocks.section("*GPU owners* (from tags, labels and ritualbot.yaml)"),
        *[blocks.section("\n".join(lines[n : n + 30])) for n in range(0, len(lines), 30)],
    ]


def dm_blocks(g: GpuLine, currency: str, *, can_stop: bool) -> tuple[str, blocks.Blocks]:
    h = _helpers(currency)
    text = render("reports.gpu", "dm.md.j2", g=g, **h)
    buttons = [
        blocks.button("In use", Action.IN_USE, g.key, style="primary"),
        blocks.button("I'll release it", Action.RELEASE, g.key),
        blocks.button("Snooze 3 days", Action.SNOOZE, g.key),
    ]
    if can_stop and g.instance_id:
        confirm = blocks.confirm_dialog(
            "Stop the instance?", f"This stops EC2 instance {g.instance_id} and every GPU on it.", ok="Stop it"
        )
        buttons.append(blocks.button("Stop instance", Action.STOP, g.key, style="danger", confirm=confirm))
    return text, [blocks.section(text), blocks.actions(*buttons, block_id=Block.ANSWER)]


def lead_text(g: GpuLine, currency: str, warn_hours: int) -> str:
    return render("reports.gpu", "lead.md.j2", g=g, warn_hours=warn_hours, **_helpers(currency))
