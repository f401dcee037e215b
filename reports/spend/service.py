"""The spend report for a day: figures per team and in total, movers, anomalies, budget status."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from reports.spend import analysis, store
from reports.spend.analysis import ZERO, Anomaly, Change, Series
from reports.spend.config import SpendConfig
from reports.spend.models import SpendDay

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
    forecast_kind: str  # "Cost Explorer" or "projection"

    @property
    def percent(self) -> Decimal | None:
        return self.spent / self.budget * 100 if self.budget else None


@dataclass
class SpendReport:
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
    notes: list[str] = field(default_factory=list)
    empty: bool = False
    stale_since: date | None = None


def build(session: Session, config: SpendConfig, team_id: str, day: date, now: datetime) -> SpendReport:
    """The report for `day` (normally yesterday in the channel's timezone), from stored history."""
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
    budgets: dict[str, tuple[Decimal, str]],
    snapshot: dict,
    error: str | None = None,
    last_stored: date | None = None,
) -> SpendReport:
    by_team: dict[str, Series] = defaultdict(lambda: defaultdict(Decimal))
    by_service: dict[str, Series] = defaultdict(lambda: defaultdict(Decimal))
    all_days: Series = defaultdict(Decimal)
    gpu: Series = defaultdict(Decimal)
    currencies: Counter[str] = Counter()
    for r in rows:
        currencies[r.currency] += 1
    currency = currencies.most_common(1)[0][0] if currencies else "?"
    for r in rows:
        if r.currency != currency:
            continue
        amount = Decimal(r.amount)
        by_team[r.team][r.day] += amount
        by_service[r.service][r.day] += amount
        all_days[r.day] += amount
        if r.gpu:
            gpu[r.day] += amount
    notes = []
    if len(currencies) > 1:
        others = ", ".join(sorted(c for c in currencies if c != currency))
        notes.append(f"Costs billed in {others} are left out of these {currency} figures.")
    if error:
        notes.append(f":warning: {config.source.replace('_', ' ')} is unavailable: {error}")
    month = f"{day:%Y-%m}"
    fresh = snapshot.get("day") == (day + timedelta(days=1)).isoformat()  # fetched the morning after `day`
    forecasts = snapshot.get("forecasts", {}) if fresh else {}
    lines = [
        _budget_line(t, by_team.get(t, {}), day, budgets.get(t), forecasts.get(t))
        for t in sorted(set(by_team) | {t for t in budgets if t != TOTAL})
    ]
    month_line = _budget_line(TOTAL, all_days, day, budgets.get(TOTAL), forecasts.get(TOTAL))
    own = analysis.detect(dict(by_team), day, min_abs=config.min_anomaly)
    theirs = (
        [
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
        if fresh
        else []
    )
    yesterday_total = all_days.get(day, ZERO)
    share = (gpu.get(day, ZERO) / yesterday_total * 100) if yesterday_total else None
    return SpendReport(
        day=day,
        month=month,
        currency=currency,
        yesterday=analysis.change(all_days, day),
        month_line=month_line,
        teams=lines,
        team_movers=analysis.movers(dict(by_team), day),
        service_movers=analysis.movers(dict(by_service), day),
        gpu_share=share,
        anomalies=own + theirs,
        by_team={k: dict(v) for k, v in by_team.items()},
        notes=notes,
        empty=not rows,
        stale_since=last_stored if last_stored and last_stored < day else None,
    )


def _budget_line(
    team: str, series: Series, day: date, budget: tuple[Decimal, str] | None, forecast: str | None
) -> BudgetLine:
    spent = analysis.month_to_date(series, day)
    if day.day == analysis.days_in_month(day):
        value, kind = spent, "final"
    elif forecast:
        # Cost Explorer forecasts the rest of the month (from today): add what is already spent
        value, kind = spent + Decimal(forecast.split()[0]), "Cost Explorer"
    else:
        value, kind = analysis.project_month_end(series, day), "projection"
    amount, origin = budget if budget else (None, "")
    return BudgetLine(team=team, spent=spent, budget=amount, origin=origin, forecast=value, forecast_kind=kind)


def _dec(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else ZERO
    except ArithmeticError:
        return ZERO


def threshold_keys(line: BudgetLine, thresholds: tuple[int, ...]) -> list[str]:
    if line.budget is None:
        return []
    return analysis.crossed(line.spent, line.forecast, line.budget, thresholds)
