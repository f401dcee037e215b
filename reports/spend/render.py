"""Spend as Slack blocks and text: the digest section, threshold alerts, /spend answers, the chart."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from bot import blocks
from bot.charts import new_figure, to_png
from bot.templates import render
from reports.spend import analysis, money
from reports.spend.service import TOTAL, BudgetLine, SpendReport

PKG = "reports.spend"
MAX_TEAMS = 10
CHART_DAYS = 30


def _helpers(currency: str) -> dict[str, Any]:
    return {
        "money": partial(money.fmt, currency=currency),
        "signed": partial(money.signed, currency=currency),
        "pct": money.percent,
    }


def summary(r: SpendReport) -> str:
    if r.empty:
        return "spend: no data yet"
    n = len(r.anomalies)
    return f"spend yesterday {money.fmt(r.yesterday.amount, r.currency)}, {n} anomal{'y' if n == 1 else 'ies'}"


def section_blocks(r: SpendReport) -> blocks.Blocks:
    h = _helpers(r.currency)
    if r.empty:
        body: blocks.Blocks = [blocks.section("*Cloud spend*\nNo cost data stored yet.")]
        return body + [blocks.context(n) for n in r.notes[:3]]
    body = [blocks.section(render(PKG, "section.md.j2", r=r, day=r.day, **h))]
    shown = sorted(r.teams, key=lambda t: (-t.spent, t.team))
    if shown:
        body.append(
            blocks.section(
                render(PKG, "teams.md.j2", lines=shown[:MAX_TEAMS], more=max(len(shown) - MAX_TEAMS, 0), **h)
            )
        )
    if r.team_movers or r.service_movers:
        body.append(
            blocks.section(
                render(PKG, "movers.md.j2", groups=[("Teams", r.team_movers), ("Services", r.service_movers)], **h)
            )
        )
    if r.anomalies:
        body.append(blocks.section(render(PKG, "anomalies.md.j2", anomalies=r.anomalies[:8], day=r.day, **h)))
    if r.stale_since:
        body.append(blocks.context(f"Latest stored cost data is for {r.stale_since:%d %b}."))
    body.extend(blocks.context(n) for n in r.notes[:3])
    return body


def alert_text(line: BudgetLine, key: str, currency: str, month_name: str) -> str:
    kind, _, level = key.partition(":")
    team_label = "The whole account" if line.team == TOTAL else line.team
    return render(
        PKG,
        "alert.md.j2",
        kind=kind,
        level=int(level),
        line=line,
        team_label=team_label,
        month_name=month_name,
        **_helpers(currency),
    )


def chart(r: SpendReport, budget_total: Decimal | None) -> bytes | None:
    """Daily spend for 30 days stacked by team, with the budget's even daily pace as a line."""
    if r.empty:
        return None
    days = [r.day - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    ranked = sorted(r.by_team, key=lambda t: -sum(r.by_team[t].values()))
    top, rest = ranked[:7], ranked[7:]
    fig, ax = new_figure(9, 4)
    bottom = [0.0] * len(days)
    stacks = [(t, r.by_team[t]) for t in top]
    if rest:
        stacks.append(
            ("other", {d: sum((r.by_team[t].get(d, analysis.ZERO) for t in rest), analysis.ZERO) for d in days})
        )
    for name, series in stacks:
        # floats only for drawing; every figure in text stays Decimal
        heights = [float(series.get(d, 0)) for d in days]
        ax.bar(range(len(days)), heights, bottom=bottom, label=name, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    if budget_total:
        pace = [float(analysis.budget_pace(budget_total, d)) for d in days]
        ax.plot(range(len(days)), pace, color="black", linestyle="--", linewidth=1.2, label="budget pace")
    ax.set_xticks(range(0, len(days), 5), [f"{d:%d %b}" for d in days[::5]])
    ax.set_ylabel(f"cost ({r.currency})")
    ax.set_title(f"Daily spend by team, {days[0]:%d %b} – {days[-1]:%d %b}")
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    return to_png(fig)


def command_blocks(r: SpendReport, team: str | None, period: str) -> tuple[str, blocks.Blocks]:
    """The ephemeral `/spend` answer for one team (or everyone) over a period."""
    h = _helpers(r.currency)
    if team:
        series = r.by_team.get(team, {})
        line = next((t for t in r.teams if t.team == team), None)
        spent = analysis.total(series, period_start(r, period), r.day)
        text = f"*{team}* spent {h['money'](spent)} {period_label(period)} (to {r.day:%d %b})."
        if line and line.budget:
            text += (
                f"\n{r.day:%B} budget {h['money'](line.budget)}: {h['money'](line.spent)} spent "
                f"({h['pct'](line.percent)}), month end {h['money'](line.forecast)} ({line.forecast_kind})."
            )
        return text, [blocks.section(text)]
    total = sum((analysis.total(s, period_start(r, period), r.day) for s in r.by_team.values()), analysis.ZERO)
    head = f"All teams spent {h['money'](total)} {period_label(period)} (to {r.day:%d %b})."
    return head, [blocks.section(head), *section_blocks(r)]


PERIODS = {"yesterday": 1, "week": 7, "7d": 7, "30d": 30, "month": 0, "mtd": 0}


def period_start(r: SpendReport, period: str) -> date:
    days = PERIODS[period]
    return analysis.month_start(r.day) if days == 0 else r.day - timedelta(days=days - 1)


def period_label(period: str) -> str:
    return {
        "yesterday": "yesterday",
        "week": "in the last 7 days",
        "7d": "in the last 7 days",
        "30d": "in the last 30 days",
    }.get(period, "this month")
