"""Keeping daily costs in our database: sync from a source once a day, budgets, stored history.

Every stored key has the currency in it: rows that differ only by currency stay two rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.errors import UserError
from reports.spend import sync_state
from reports.spend.config import SpendConfig
from reports.spend.models import SpendBudget, SpendDay, SpendSourceState
from reports.spend.sources import CostRow, Extras, Rejected, SourceError
from reports.spend.sources.cost_explorer import CostExplorerSource
from reports.spend.sources.focus import FocusSource

log = logging.getLogger(__name__)


class Source(Protocol):
    name: str
    rejected: list[Rejected]  # files the last fetch left out, and why

    def fetch(self, start: date, end: date) -> list[CostRow]: ...

    def extras(self, today: date, teams: list[str]) -> Extras: ...


def build_source(config: SpendConfig) -> Source:
    if config.source == "cost_explorer":
        return CostExplorerSource(config)
    # imported only when chosen: sqlglot, which renders their SQL, takes ~0.5 s to import
    if config.engine.engine == "athena":
        from reports.spend.sources.athena import AthenaSource

        return AthenaSource(config)
    if config.engine.engine == "bigquery":
        from reports.spend.sources.bigquery import BigQuerySource

        return BigQuerySource(config)
    return FocusSource(config)


def state(session: Session, source: str, now: datetime) -> SpendSourceState:
    row = session.scalar(select(SpendSourceState).where(SpendSourceState.source == source))
    if row is None:
        row = SpendSourceState(source=source, snapshot={}, updated_at=now)
        session.add(row)
        session.flush()
    return row


def last_day(session: Session, source: str) -> date | None:
    return session.scalar(select(func.max(SpendDay.day)).where(SpendDay.source == source))


def fetch_window(last: date | None, yesterday: date, config: SpendConfig) -> tuple[date, date]:
    """New days plus the last `refresh_days` stored ones (their costs still settle)."""
    if last is None:
        return yesterday - timedelta(days=config.backfill_days - 1), yesterday
    return min(last - timedelta(days=max(config.refresh_days - 1, 0)), yesterday), yesterday


def sync(session: Session, source: Source, config: SpendConfig, now: datetime) -> SpendSourceState:
    """Fetch what we lack, once per UTC day; a failing source leaves the stored days and its error."""
    today = now.date()
    row = state(session, source.name, now)
    if row.synced_on == today:
        return row
    start, end = fetch_window(last_day(session, source.name), today - timedelta(days=1), config)
    try:
        rows = _fetch_and_store(session, source, start, end, now)
        extras = source.extras(today, teams(session, source.name, today - timedelta(days=40)))
    except SourceError as exc:
        log.warning("spend sync failed source=%s start=%s end=%s error=%s", source.name, start, end, exc)
        row.last_error, row.updated_at = str(exc)[:500], now
        return row
    rejected = list(getattr(source, "rejected", []))
    row.synced_on, row.last_success_at, row.last_error, row.updated_at = today, now, None, now
    row.snapshot = {
        "day": today.isoformat(),
        "forecasts": extras.forecasts,
        "anomalies": extras.anomalies,
        "budgets": extras.budgets,
        "scoped_budgets": extras.scoped_budgets,
        "rejected": [{"file": r.file, "reason": r.reason} for r in rejected],
    }
    log.info(
        "spend synced source=%s start=%s end=%s rows=%d rejected=%d", source.name, start, end, len(rows), len(rejected)
    )
    return row


def _fetch_and_store(session: Session, source: Source, start: date, end: date, now: datetime) -> list[CostRow]:
    """Store [start, end]; a source that tells what changed (FOCUS exports) replaces only the billing periods
    whose files changed since the last sync, and keeps its per-object state for the next one."""
    changes = getattr(source, "changes", None)
    if changes is None:
        rows = source.fetch(start, end)
        with session.begin_nested():
            replace_days(session, source.name, start, end, rows, now)
        return rows
    found = changes(start, end, sync_state.load(session, source.name))
    with session.begin_nested():
        for period in found.periods:
            replace_days(session, source.name, period.first, period.last, period.rows, now)
        sync_state.save(session, source.name, found, now)
    return list(found.rows)


def replace_days(session: Session, source: str, start: date, end: date, rows: Iterable[CostRow], now: datetime) -> None:
    """Replace [start, end] with `rows`, summed per (day, team, service, gpu, currency): never across currencies."""
    session.execute(delete(SpendDay).where(SpendDay.source == source, SpendDay.day >= start, SpendDay.day <= end))
    merged: dict[tuple[date, str, str, bool, str], tuple[Decimal, bool]] = {}
    for r in rows:
        key = (r.day, r.team[:128], r.service[:128], r.gpu, r.currency[:8])
        amount, estimated = merged.get(key, (Decimal(0), False))
        merged[key] = (amount + r.amount, estimated or r.estimated)
    session.add_all(
        SpendDay(source=source, day=d, team=t, service=s, gpu=g, currency=c, amount=a, estimated=e, fetched_at=now)
        for (d, t, s, g, c), (a, e) in merged.items()
    )
    session.flush()


def history(session: Session, source: str, start: date, end: date) -> list[SpendDay]:
    return list(
        session.scalars(select(SpendDay).where(SpendDay.source == source, SpendDay.day >= start, SpendDay.day <= end))
    )


def teams(session: Session, source: str, since: date) -> list[str]:
    return _distinct(session, SpendDay.team, source, since)


def currencies(session: Session, source: str, since: date) -> list[str]:
    """The currencies of the costs stored since a day, alphabetical."""
    return _distinct(session, SpendDay.currency, source, since)


def _distinct(session: Session, column: Any, source: str, since: date) -> list[str]:
    query = select(column).where(SpendDay.source == source, SpendDay.day >= since).distinct().order_by(column)
    return list(session.scalars(query))


def set_budget(
    session: Session,
    *,
    team_id: str,
    team: str,
    amount: str,
    month: str,
    user_id: str,
    now: datetime,
    currency: str | None = None,
) -> SpendBudget:
    try:
        value = Decimal(amount.replace(",", "").replace("_", ""))
    except ArithmeticError:
        raise UserError(f"`{amount[:40]}` is not an amount: use e.g. `/spend budget ml-research 12000`.") from None
    if not value.is_finite() or value <= 0:
        raise UserError("A budget must be a positive amount, e.g. `/spend budget ml-research 12000`.")
    row = session.scalar(
        select(SpendBudget).where(SpendBudget.team_id == team_id, SpendBudget.team == team, SpendBudget.month == month)
    )
    if row is None:
        row = SpendBudget(team_id=team_id, team=team, month=month, amount=value, set_by=user_id, updated_at=now)
        session.add(row)
    row.amount, row.currency, row.set_by, row.updated_at = value, currency, user_id, now
    session.flush()
    return row


@dataclass(frozen=True)
class Budget:
    amount: Decimal
    origin: str
    currency: str | None  # None: the reporting currency (spend.currency, or the costs' only currency)


def budgets(
    session: Session, config: SpendConfig, team_id: str, month: str, snapshot: dict[str, Any]
) -> dict[str, Budget]:
    """Each team's budget for a month: /spend budget, then ritualbot.yaml, then AWS Budgets; '*' is the account."""
    found: dict[str, Budget] = {}
    for team, (amount, unit) in (snapshot.get("budgets") or {}).items():
        found[team] = Budget(Decimal(amount), "from AWS Budgets", unit or None)
    for (team, when), amount in sorted(config.budgets.items(), key=lambda kv: kv[0][1]):
        if when in ("", month):
            found[team] = Budget(amount, "from ritualbot.yaml", config.currency)
    rows = session.scalars(
        select(SpendBudget)
        .where(SpendBudget.team_id == team_id, SpendBudget.month.in_(["", month]))
        .order_by(SpendBudget.month)
    )
    for row in rows:
        found[row.team] = Budget(Decimal(row.amount), f"set by <@{row.set_by}>", row.currency or config.currency)
    return found
