"""Spend as Slack blocks and text: the digest section, threshold alerts, /spend answers, the chart.

Each currency is rendered on its own; amounts in two currencies are listed side by side ("€1.98 and $20.52"),
never added."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from bot import blocks
from bot.charts import new_figure, to_png
from bot.templates import render
from bot.text import escape
from reports.spend import analysis, money
from reports.spend.service import TOTAL, BudgetLine, SpendOverview, SpendReport

PKG = "reports.spend"
MAX_TEAMS = 10
MAX_NOTES = 5
CHART_DAYS = 30


def _helpers(currency: str, thresholds: tuple[int, ...]) -> dict[str, Any]:
    return {
        "money": partial(money.fmt, currency=currency),
        "signed": partial(money.signed, currency=currency),
        "pct": money.percent,
        "bpct": partial(money.budget_percent, thresholds=thresholds),
    }


def _side_by_side(amounts: list[tuple[Decimal, str]]) -> str:
    return " and ".join(money.fmt(a, c) for a, c in amounts)


def summary(o: SpendOverview) -> str:
    if o.empty:
        return "spend: no data yet"
    n = sum(len(r.anomalies) for r in o.reports)
    yesterday = _side_by_side([(r.yesterday.amount, r.currency) for r in o.reports])
    return f"spend yesterday {yesterday}, {n} anomal{'y' if n == 1 else 'ies'}"


def section_blocks(o: SpendOverview) -> blocks.Blocks:
    if o.empty:
        body: blocks.Blocks = [blocks.section("*Cloud spend*\nNo cost data stored yet.")]
        return body + [blocks.context(n) for n in o.notes[:MAX_NOTES]]
    body = []
    for r in o.reports:
        body += _currency_blocks(r, o.thresholds, multi=len(o.reports) > 1)
    if o.stale_since:
        body.append(blocks.context(f"Latest stored cost data is for {o.stale_since:%d %b}."))
    body.extend(blocks.context(n) for n in o.notes[:MAX_NOTES])
    return body


def _currency_blocks(r: SpendReport, thresholds: tuple[int, ...], *, multi: bool) -> blocks.Blocks:
    h = _helpers(r.currency, thresholds)
    body = [blocks.section(render(PKG, "section.md.j2", r=r, day=r.day, multi=multi, **h))]
    shown = sorted(r.teams, key=lambda t: (-t.spent, t.team))
    if shown:
        more = max(len(shown) - MAX_TEAMS, 0)
        body.append(blocks.section(render(PKG, "teams.md.j2", lines=shown[:MAX_TEAMS], more=more, **h)))
    if r.team_movers or r.service_movers:
        groups = [("Teams", r.team_movers), ("Services", r.service_movers)]
        body.append(blocks.section(render(PKG, "movers.md.j2", groups=groups, **h)))
    if r.anomalies:
        body.append(blocks.section(render(PKG, "anomalies.md.j2", anomalies=r.anomalies[:8], day=r.day, **h)))
    return body


def alert_text(line: BudgetLine, key: str, month_name: str, thresholds: tuple[int, ...]) -> str:
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
        **_helpers(line.currency, thresholds),
    )


def chart(r: SpendReport, budget_total: Decimal | None, *, multi: bool = False) -> bytes | None:
    """Daily spend for 30 days stacked by team, with the budget's even daily pace as a line; one currency."""
    if not r.by_team:
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
    ax.set_title(f"Daily spend by team{f' in {r.currency}' if multi else ''}, {days[0]:%d %b} – {days[-1]:%d %b}")
    ax.legend(fontsize=7, loc="upper left", ncols=2)
    return to_png(fig)


def command_blocks(o: SpendOverview, team: str | None, period: str) -> tuple[str, blocks.Blocks]:
    """The ephemeral `/spend` answer for one team (or everyone) over a period, each currency on its own."""
    start, label = period_start(o.day, period), period_label(period)
    if team:
        spent = [(analysis.total(r.by_team[team], start, r.day), r.currency) for r in o.reports if team in r.by_team]
        text = f"*{escape(team)}* spent {_side_by_side(spent)} {label} (to {o.day:%d %b})."
        for r in o.reports:
            line = next((t for t in r.teams if t.team == team), None)
            if line and line.budget:
                h = _helpers(r.currency, o.thresholds)
                text += (
                    f"\n{o.day:%B} budget {h['money'](line.budget)}: {h['money'](line.spent)} spent "
                    f"({h['bpct'](line.percent)}), month end {h['money'](line.forecast)} ({line.forecast_kind})."
                )
        text += "".join(f"\n{n}" for n in o.notes[:MAX_NOTES])
        return text, [blocks.section(text)]
    totals = [
        (sum((analysis.total(s, start, r.day) for s in r.by_team.values()), analysis.ZERO), r.currency)
        for r in o.reports
    ]
    head = f"All teams spent {_side_by_side(totals)} {label} (to {o.day:%d %b})."
    return head, [blocks.section(head), *section_blocks(o)]


PERIODS = {"yesterday": 1, "week": 7, "7d": 7, "30d": 30, "month": 0, "mtd": 0}


def period_start(day: date, period: str) -> date:
    days = PERIODS[period]
    return analysis.month_start(day) if days == 0 else day - timedelta(days=days - 1)


def period_label(period: str) -> str:
    return {
        "yesterday": "yesterday",
        "week": "in the last 7 days",
        "7d": "in the last 7 days",
        "30d": "in the last 30 days",
    }.get(period, "this month")
