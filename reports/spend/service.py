"""The spend report for a day: per currency, figures per team and in total, movers, anomalies, budget status.

Costs in different currencies are never added: each currency gets its own `SpendReport` (converted into
`spend.currency` only where ritualbot.yaml gives a rate), and `SpendOverview` holds them with the notes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.text import escape
from reports.spend import analysis, currency, store
from reports.spend.analysis import ZERO, Anomaly, Change, Series
from reports.spend.config import SpendConfig
from reports.spend.currency import Cost
from reports.spend.models import SpendDay
from reports.spend.money import fmt
from reports.spend.store import Budget

TOTAL = "*"
CHART_DAYS = 30
HISTORY_DAYS = 40  # 30-day anomaly window + walking back "since" + the 7-day baseline


@dataclass(frozen=True)
class BudgetLine:
    team: str
    spent: Decimal
    budget: Decimal | None
    origin: str
    forecast: Decimal | None
    forecast_kind: str  # "Cost Explorer", "projection" or "final"
    currency: str = ""

    @property
    def percent(self) -> Decimal | None:
        return self.spent / self.budget * 100 if self.budget else None


@dataclass
class SpendReport:
    """One currency's figures."""

    day: date
    month: str
    currency: str
    yesterday: Change
    month_line: BudgetLine
    teams: list[BudgetLine]
    team_movers: list[tuple[str, Change]]
    service_movers: list[tuple[str, Change]]
    gpu_share: Decimal | None
    anomalies: list[Anomaly]
    by_team: dict[str, Series] = field(default_factory=dict)
    yesterday_estimated: bool = False
    month_estimated: bool = False


@dataclass
class SpendOverview:
    """Every currency's report for a day, and what the reader must know about them."""

    day: date
    month: str
    reports: list[SpendReport]
    notes: list[str] = field(default_factory=list)
    thresholds: tuple[int, ...] = (50, 80, 100)
    stale_since: date | None = None

    @property
    def empty(self) -> bool:
        return not self.reports

    @property
    def teams(self) -> list[str]:
        return sorted({t for r in self.reports for t in r.by_team})


def build(session: Session, config: SpendConfig, team_id: str, day: date, now: datetime) -> SpendOverview:
    """The overview for `day` (normally yesterday in the channel's timezone), from stored history."""
    start = min(analysis.month_start(day), day - timedelta(days=HISTORY_DAYS))
    rows = store.history(session, config.source, start, day)
    state = store.state(session, config.source, now)
    budgets = store.budgets(session, config, team_id, f"{day:%Y-%m}", state.snapshot)
    return from_rows(
        rows,
        config,
        day,
        budgets=budgets,
        snapshot=state.snapshot,
        error=state.last_error,
        last_stored=store.last_day(session, config.source),
    )


def from_rows(
    rows: list[SpendDay],
    config: SpendConfig,
    day: date,
    *,
    budgets: dict[str, Budget],
    snapshot: dict[str, Any],
    error: str | None = None,
    last_stored: date | None = None,
) -> SpendOverview:
    costs, notes = currency.convert(rows, config)
    codes = currency.ordered((c.currency for c in costs), config)
    per_budget, budget_notes = currency.assign(budgets, codes, config)
    fresh = snapshot.get("day") == (day + timedelta(days=1)).isoformat()  # fetched the morning after `day`
    theirs = _their_anomalies(snapshot) if fresh else []  # Cost Explorer's: in the account's one currency
    reports = [
        _report(
            [c for c in costs if c.currency == code],
            code,
            config,
            day,
            per_budget[code],
            snapshot,
            fresh,
            theirs if n == 0 else [],
        )
        for n, code in enumerate(codes)
    ]
    if len(codes) > 1:
        notes.insert(0, f"Costs come in {' and '.join(codes)}: each currency is shown on its own, never added.")
    notes += budget_notes + _source_notes(config, snapshot, error)
    return SpendOverview(
        day=day,
        month=f"{day:%Y-%m}",
        reports=reports,
        notes=notes,
        thresholds=config.thresholds,
        stale_since=last_stored if last_stored and last_stored < day else None,
    )


def _report(
    costs: list[Cost],
    code: str,
    config: SpendConfig,
    day: date,
    budgets: dict[str, Budget],
    snapshot: dict[str, Any],
    fresh: bool,
    theirs: list[Anomaly],
) -> SpendReport:
    by_team: dict[str, Series] = defaultdict(lambda: defaultdict(Decimal))
    by_service: dict[str, Series] = defaultdict(lambda: defaultdict(Decimal))
    all_days: Series = defaultdict(Decimal)
    gpu: Series = defaultdict(Decimal)
    estimated: set[date] = set()
    for c in costs:
        by_team[c.team][c.day] += c.amount
        by_service[c.service][c.day] += c.amount
        all_days[c.day] += c.amount
        if c.gpu:
            gpu[c.day] += c.amount
        if c.estimated:
            estimated.add(c.day)
    forecasts = {t: f for t, f in (snapshot.get("forecasts", {}) if fresh else {}).items() if f.endswith(f" {code}")}
    lines = [
        _budget_line(t, by_team.get(t, {}), day, budgets.get(t), forecasts.get(t), code)
        for t in sorted(set(by_team) | {t for t in budgets if t != TOTAL})
    ]
    own = analysis.detect(dict(by_team), day, min_abs=config.min_anomaly)
    yesterday_total = all_days.get(day, ZERO)
    return SpendReport(
        day=day,
        month=f"{day:%Y-%m}",
        currency=code,
        yesterday=analysis.change(all_days, day),
        month_line=_budget_line(TOTAL, all_days, day, budgets.get(TOTAL), forecasts.get(TOTAL), code),
        teams=lines,
        team_movers=analysis.movers(dict(by_team), day),
        service_movers=analysis.movers(dict(by_service), day),
        gpu_share=(gpu.get(day, ZERO) / yesterday_total * 100) if yesterday_total else None,
        anomalies=own + theirs,
        by_team={k: dict(v) for k, v in by_team.items()},
        yesterday_estimated=day in estimated,
        month_estimated=any(analysis.month_start(day) <= d <= day for d in estimated),
    )


def _their_anomalies(snapshot: dict[str, Any]) -> list[Anomaly]:
    """Cost Explorer's own anomaly detection (its amounts are in the account's currency, USD)."""
    return [
        Anomaly(
            group=a["group"],
            amount=_dec(a.get("actual")),
            normal=_dec(a.get("expected")),
            above=_dec(a.get("impact")),
            since=date.fromisoformat(a["since"]),
            source="Cost Explorer",
        )
        for a in snapshot.get("anomalies", [])
        if a.get("since")
    ]


def _source_notes(config: SpendConfig, snapshot: dict[str, Any], error: str | None) -> list[str]:
    notes = []
    rejected = snapshot.get("rejected") or []
    if rejected:
        files = "; ".join(f"{escape(r['file'])} ({escape(r['reason'])})" for r in rejected[:5])
        more = f"; and {len(rejected) - 5} more" if len(rejected) > 5 else ""
        many = f"{len(rejected)} export files were" if len(rejected) > 1 else "1 export file was"
        notes.append(f":warning: {many} skipped, their costs are missing: {files}{more}.")
    scoped = snapshot.get("scoped_budgets") or []
    if scoped:
        shown = ", ".join(
            f"{escape(b['name'])} {fmt(Decimal(b['amount']), b['unit'])} ({escape(b['scope'])})" for b in scoped
        )
        notes.append(f"AWS Budgets not compared here: {shown}.")
    if error:
        notes.append(f":warning: {config.source.replace('_', ' ')} is unavailable: {error}")
    return notes


def _budget_line(
    team: str, series: Series, day: date, budget: Budget | None, forecast: str | None, code: str
) -> BudgetLine:
    spent = analysis.month_to_date(series, day)
    if day.day == analysis.days_in_month(day):
        value, kind = spent, "final"
    elif forecast:
        # Cost Explorer forecasts the rest of the month (from today): add what is already spent
        value, kind = spent + Decimal(forecast.split()[0]), "Cost Explorer"
    else:
        value, kind = analysis.project_month_end(series, day), "projection"
    amount, origin = (budget.amount, budget.origin) if budget else (None, "")
    return BudgetLine(team, spent, amount, origin, value, kind, code)


def _dec(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except ArithmeticError:
        return ZERO


def threshold_keys(line: BudgetLine, thresholds: tuple[int, ...]) -> list[str]:
    if line.budget is None:
        return []
    return analysis.crossed(line.spent, line.forecast, line.budget, thresholds)
