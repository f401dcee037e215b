"""Currencies kept apart: stored costs grouped per currency, converted only with a configured rate table,
budgets matched to the currency they are in. Two currencies are never added."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from bot.text import escape
from reports.spend.config import SpendConfig
from reports.spend.store import Budget


class StoredCost(Protocol):
    day: date
    team: str
    service: str
    gpu: bool
    amount: Decimal
    currency: str
    estimated: bool


@dataclass(frozen=True)
class Cost:
    day: date
    team: str
    service: str
    gpu: bool
    amount: Decimal
    currency: str
    estimated: bool = False


def convert(rows: Iterable[StoredCost], config: SpendConfig) -> tuple[list[Cost], list[str]]:
    """Rows in a currency with a configured rate become `spend.currency`; the notes say which and at what rate."""
    target, rates = config.currency, config.rates
    out, used = [], set()
    for r in rows:
        amount, currency = Decimal(r.amount), r.currency
        if target and currency != target and currency in rates:
            amount, currency = amount * rates[currency], target
            used.add(r.currency)
        out.append(Cost(r.day, r.team, r.service, r.gpu, amount, currency, bool(r.estimated)))
    notes = [
        f"{code} converted to {target} at 1 {code} = {rates[code]} {target} (spend.rates in ritualbot.yaml)."
        for code in sorted(used)
    ]
    return out, notes


def ordered(currencies: Iterable[str], config: SpendConfig) -> list[str]:
    """The configured currency first, then the others alphabetically."""
    found = set(currencies)
    return sorted(found, key=lambda c: (c != config.currency, c))


def assign(
    budgets: Mapping[str, Budget], currencies: list[str], config: SpendConfig
) -> tuple[dict[str, dict[str, Budget]], list[str]]:
    """Budgets per currency. A budget without a currency is in `spend.currency`, or in the costs' only currency;
    while costs come in several and none is configured, it is compared with nothing and a note says so."""
    default = config.currency or (currencies[0] if len(currencies) == 1 else None)
    per: dict[str, dict[str, Budget]] = {c: {} for c in currencies}
    unplaced, elsewhere = [], set()
    for team, budget in budgets.items():
        currency = budget.currency or default
        if currency is None:
            unplaced.append(team)
        elif currency in per:
            per[currency][team] = budget
        else:
            elsewhere.add(currency)
    notes: list[str] = []
    if not currencies:  # no costs yet: nothing to compare budgets with
        return per, notes
    if unplaced:
        names = ", ".join("the whole account" if t == "*" else escape(t) for t in sorted(unplaced))
        example = next((t for t in sorted(unplaced) if t != "*"), "ml-research")
        notes.append(
            f"Budgets without a currency ({names}) are not compared while costs come in {_and(currencies)}: "
            f"set spend.currency in ritualbot.yaml or give each budget one (`/spend budget {escape(example)} 3000 "
            f"{currencies[0]}`)."
        )
    if elsewhere:
        notes.append(f"Budgets in {_and(sorted(elsewhere))} have no costs in that currency to compare with.")
    return per, notes


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
