"""Money as text: Decimal in the data's currency, two decimals, thousands separators; percentages."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from reports.spend.analysis import cents

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def fmt(amount: Decimal, currency: str) -> str:
    """`fmt(Decimal('12345.6'), 'USD')` -> '$12,345.60'; unknown currencies keep their code."""
    value = cents(amount)
    sign = "-" if value < 0 else ""
    number = f"{abs(value):,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def signed(amount: Decimal, currency: str) -> str:
    return ("+" if amount >= 0 else "") + fmt(amount, currency)


def percent(value: Decimal | None, *, sign: bool = False) -> str:
    if value is None:
        return "n/a"
    whole = value.quantize(Decimal("1"))
    return f"{'+' if sign and whole >= 0 else ''}{whole:,}%"


def budget_percent(value: Decimal | None, thresholds: Iterable[int]) -> str:
    """A budget's use in whole percent, unless rounding would put it on the other side of a threshold than it
    is: then one decimal, rounded down, so "79.8%" stands beside "past the 50% threshold", never "80%"."""
    if value is None:
        return "n/a"
    whole = value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if any((whole >= t) != (value >= t) for t in thresholds):
        return f"{value.quantize(Decimal('0.1'), rounding=ROUND_DOWN):,}%"
    return f"{whole:,}%"
