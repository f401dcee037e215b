"""Blocks, text and the chart for idle GPUs: the digest section, `/gpu idle`, `/gpu owners`, owner DMs."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot import blocks
from bot.charts import new_figure, to_png
from bot.templates import render
from bot.text import escape
from reports.gpu.ids import Action, Block
from reports.gpu.service import GpuLine, IdleReport
from reports.gpu.waste import OwnerWaste, WeeklyWaste

if TYPE_CHECKING:  # only types here: the runs capability (and enforce, through the digest) load MLflow
    from reports.gpu.enforce import Remedy
    from reports.runs.queries import LastRun

TOP = 8
DAYS = 14
RESPONSES = {
    "in_use": "in use, says the owner",
    "releasing": "owner is releasing it",
    "snoozed": "snoozed by the owner",
    "stopped": "stopped by an admin",
}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _helpers(
    currency: str,
    users: Mapping[str, str] | None = None,
    runs: Mapping[str, LastRun] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    symbol = SYMBOLS.get(currency, "")

    def last_run(g: GpuLine) -> str:
        """The owner's latest MLflow run (reports/runs/queries.py), as evidence next to the idle hours."""
        run = (runs or {}).get(g.owner)
        if run is None or now is None:
            return ""
        if run.ended is None:
            return f"last run {run.link} running since {_ago(run.started, now)}"
        return f"last run {run.link} ended {_ago(run.ended, now)}"

    def money(amount: Decimal) -> str:
        return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"

    def owner(g: GpuLine) -> str:
        user = (users or {}).get(g.owner)
        if user:
            return f"<@{user}>"
        return escape(g.owner) if g.owner else "unowned"

    return {
        "money": money,
        "hours": lambda h: f"{h:,.1f}".removesuffix(".0"),
        "signed_h": lambda h: f"{h:+,.1f} GPU-h",
        "streak": _streak,
        "owner": owner,
        "last_run": last_run,
        "responses": RESPONSES,
    }


def _ago(when: datetime, now: datetime) -> str:
    hours = (now - when).total_seconds() / 3600
    if hours < 1:
        return "less than an hour ago"
    return f"{hours:.0f} h ago" if hours < 48 else f"{hours / 24:.0f} days ago"


def _streak(hours: float) -> str:
    return f"{hours / 24:.1f} days".replace(".0 days", " days") if hours >= 48 else f"{hours:.0f} h"


def section_blocks(
    r: IdleReport,
    users: Mapping[str, str] | None = None,
    runs: Mapping[str, LastRun] | None = None,
    now: datetime | None = None,
) -> blocks.Blocks:
    h = _helpers(r.currency, users, runs, now)
    out: blocks.Blocks = [blocks.section(render("reports.gpu", "section.md.j2", r=r, **h))]
    top = r.idle[:TOP]
    if top:
        lines = [render("reports.gpu", "gpu_line.md.j2", g=g, **h) for g in top]
        more = len(r.idle) - len(top)
        out.append(blocks.section("*Top idle GPUs*\n" + "\n".join(lines) + (f"\n… and {more} more" if more else "")))
    if r.held:
        lines = [render("reports.gpu", "gpu_line.md.j2", g=g, **h) for g in r.held[:TOP]]
        out.append(blocks.section("*Memory held, no compute*\n" + "\n".join(lines)))
    teams = team_lines(r, h)
    if teams:
        out.append(blocks.section("*Per team*, idle and memory-held GPU-hours\n" + "\n".join(teams)))
    notes = []
    if r.nodata:
        plural = "" if len(r.nodata) == 1 else "s"
        notes.append(f"No data for {len(r.nodata)} GPU{plural} (not counted as idle or busy)")
    notes += [
        f":warning: source *{escape(name)}* was unavailable: {escape(err or '')[:150]}"
        for name, err in r.unavailable.items()
    ]
    if notes:
        out.append(blocks.context(*notes[:10]))
    return out


def summary(r: IdleReport) -> str:
    h = _helpers(r.currency)
    return f"{h['hours'](r.idle_h)} idle GPU-hours ({h['money'](r.idle_cost)})"


@dataclass(frozen=True)
class ChartData:
    """What the chart draws, computed once so the text can say the same: GPU-hours per team per day."""

    title: str
    days: list[date]
    teams: dict[str, list[float]]  # team -> idle + held GPU-hours per day, largest 14-day total first


def chart_data(r: IdleReport) -> ChartData:
    days = [r.day - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    found = {t for d in r.daily.values() for t, hours in d.items() if hours > 0}
    series = {t: [round(r.daily.get(d, {}).get(t, 0.0), 6) for d in days] for t in found}
    order = sorted(series, key=lambda t: (-series[t][-1], -sum(series[t]), t))
    title = f"Idle and memory-held GPU-hours per day by team, {days[0]:%d %b} – {days[-1]:%d %b}"
    return ChartData(title=title, days=days, teams={t: series[t] for t in order})


def team_lines(r: IdleReport, h: dict[str, Any]) -> list[str]:
    """One line per team in the chart: yesterday's idle + held GPU-hours and cost, and the 14 days' sum."""
    lines = []
    for team, values in chart_data(r).teams.items():
        total = r.teams.get(team)
        parts = []
        if total and total.idle_h:
            parts.append(f"{h['hours'](total.idle_h)} idle")
        if total and total.held_h:
            parts.append(f"{h['hours'](total.held_h)} held")
        detail = f" ({', '.join([*parts, h['money'](total.cost)])})" if total else ""
        window = f"{h['hours'](sum(values))} in {DAYS} days"
        lines.append(f"• *{escape(team)}* {h['hours'](values[-1])} GPU-h{detail} · {window}")
    return lines


def chart_alt_text(r: IdleReport) -> str:
    """The chart in words: what it plots, and each team's GPU-hours over the window and on the last day."""
    data = chart_data(r)
    teams = "; ".join(
        f"{team} {sum(v):.1f} in all, {v[-1]:.1f} on {data.days[-1]:%d %b}" for team, v in data.teams.items()
    )
    return f"Stacked bar chart: {data.title}. {teams or 'No idle GPU-hours'}."


def chart(r: IdleReport) -> bytes | None:
    """Idle and memory-held GPU-hours for 14 days, stacked by team: the numbers of `team_lines`."""
    if r.empty:
        return None
    data = chart_data(r)
    fig, ax = new_figure(9, 4)
    bottom = [0.0] * len(data.days)
    for team, heights in data.teams.items():
        ax.bar(range(len(data.days)), heights, bottom=bottom, label=team, width=0.8)
        bottom = [b + v for b, v in zip(bottom, heights, strict=True)]
    ax.set_xticks(range(0, len(data.days), 2), [f"{d:%d %b}" for d in data.days[::2]])
    ax.set_ylabel("GPU-hours, idle and memory-held")
    ax.set_title(data.title)
    if data.teams:
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
        f"• *{escape(label)}* — {('<@' + user + '>') if user else escape(owner or 'unowned')} · {escape(team)}"
        for label, owner, team, user in rows
    ]
    text = f"GPU owners: {len(rows)} GPUs"
    return text, [
        blocks.section("*GPU owners* (from tags, labels and ritualbot.yaml)"),
        *[blocks.section("\n".join(lines[n : n + 30])) for n in range(0, len(lines), 30)],
    ]


def dm_blocks(
    g: GpuLine,
    currency: str,
    *,
    can_stop: bool,
    free: Remedy | None = None,
    runs: Mapping[str, LastRun] | None = None,
    now: datetime | None = None,
) -> tuple[str, blocks.Blocks]:
    """The owner's DM, with their latest MLflow run; an admin owner also gets Stop (EC2) and the remedy."""
    h = _helpers(currency, None, runs, now)
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
    if free:
        buttons.append(free_button(g, free))
    return text, [blocks.section(text), blocks.actions(*buttons, block_id=Block.ANSWER)]


def free_button(g: GpuLine, free: Remedy) -> dict[str, Any]:
    confirm = blocks.confirm_dialog(
        f"{free.button}?",
        f"{escape(free.note)}This runs `{shlex.join(free.argv)}` to free {escape(g.label)}.",
        ok=free.button[:30],
    )
    return blocks.button(free.button, Action.FREE, g.key, style="danger", confirm=confirm)


def lead_text(g: GpuLine, currency: str, warn_hours: int) -> str:
    return render("reports.gpu", "lead.md.j2", g=g, warn_hours=warn_hours, **_helpers(currency))


def lead_blocks(g: GpuLine, currency: str, warn_hours: int, free: Remedy | None) -> tuple[str, blocks.Blocks | None]:
    """The lead's reminder; with the `gpu.enforce` remedy's button when the lead is an admin."""
    text = lead_text(g, currency, warn_hours)
    if not free:
        return text, None
    return text, [blocks.section(text), blocks.actions(free_button(g, free), block_id=Block.FREE)]


def waste_dm(o: OwnerWaste, w: WeeklyWaste) -> str:
    return render("reports.gpu", "waste_dm.md.j2", o=o, w=w, **_helpers(w.currency))


def waste_lead(w: WeeklyWaste, notified: set[str], users: Mapping[str, str]) -> str:
    """The lead's summary: every owner with waste, most first (the first 30), and whom I DMed."""
    h = _helpers(w.currency, users)

    def who(name: str) -> str:
        user = users.get(name)
        return f"<@{user}>" if user else (escape(name) if name else "unowned")

    shown = w.owners[:30]
    more = len(w.owners) - len(shown)
    text = render("reports.gpu", "waste_lead.md.j2", w=w, shown=shown, more=more, notified=notified, **h, who=who)
    return text.rstrip()
