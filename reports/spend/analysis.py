"""Spend arithmetic on daily series: changes, month-to-date, projection, movers, anomalies, thresholds.

Pure functions on `{day: Decimal}` series, so each has a small table-driven test.

Anomaly method (robust z-score): for each group, take the trailing `window` days before the day
(missing days count as 0), their median m and median absolute deviation MAD. The day is anomalous
when it is at least `min_abs` above m and its robust z = 0.6745 * (x - m) / MAD exceeds `z_limit`
(3.5, after Iglewicz and Hoaglin). A flat history (MAD = 0) makes any rise of `min_abs` or more an
anomaly. "Since" walks back over consecutive anomalous days against the same baseline.

Month-end projection (sources without a forecast, e.g. FOCUS exports): month-to-date plus the mean
of the last 7 days (up to and including the day) times the days left in the month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

Series = dict[date, Decimal]
ZERO = Decimal("0")
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def total(series: Series, start: date, end: date) -> Decimal:
    """Sum over [start, end] inclusive."""
    return sum((v for d, v in series.items() if start <= d <= end), ZERO)


def trailing_mean(series: Series, day: date, days: int = 7) -> Decimal:
    """Mean of the `days` days before `day` (not including it); missing days are 0."""
    return total(series, day - timedelta(days=days), day - timedelta(days=1)) / days


def month_start(day: date) -> date:
    return day.replace(day=1)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def month_to_date(series: Series, day: date) -> Decimal:
    return total(series, month_start(day), day)


def project_month_end(series: Series, day: date) -> Decimal:
    """Month-to-date + mean of the last 7 days (including `day`) x days left after `day`."""
    left = days_in_month(day) - day.day
    recent = total(series, day - timedelta(days=6), day) / 7
    return month_to_date(series, day) + recent * left


def budget_pace(budget: Decimal, day: date) -> Decimal:
    """The even daily spend that lands exactly on the budget."""
    return budget / days_in_month(day)


@dataclass(frozen=True)
class Change:
    amount: Decimal
    baseline: Decimal
    delta: Decimal
    percent: Decimal | None


def change(series: Series, day: date, days: int = 7) -> Change:
    """The day's spend against the trailing `days`-day average before it."""
    amount = series.get(day, ZERO)
    base = trailing_mean(series, day, days)
    percent = ((amount - base) / base * 100) if base else None
    return Change(amount, base, amount - base, percent)


def movers(groups: dict[str, Series], day: date, limit: int = 3) -> list[tuple[str, Change]]:
    """Groups whose spend moved most (absolute change vs their 7-day average), biggest first."""
    found = [(name, change(series, day)) for name, series in groups.items()]
    found = [(n, c) for n, c in found if c.delta != 0]
    found.sort(key=lambda item: (-abs(item[1].delta), item[0]))
    return found[:limit]


@dataclass(frozen=True)
class Anomaly:
    group: str
    amount: Decimal
    normal: Decimal
    above: Decimal
    since: date
    source: str = "robust z-score"


def _is_anomalous(x: Decimal, history: list[Decimal], min_abs: Decimal, z_limit: Decimal) -> tuple[bool, Decimal]:
    m = median(history)
    if x - m < min_abs:
        return False, m
    mad = median([abs(v - m) for v in history])
    if mad == 0:
        return True, m
    return Decimal("0.6745") * (x - m) / mad > z_limit, m


def detect(
    groups: dict[str, Series],
    day: date,
    *,
    min_abs: Decimal = Decimal("100"),
    window: int = 30,
    z_limit: Decimal = Decimal("3.5"),
) -> list[Anomaly]:
    """Groups whose spend on `day` is far above their trailing-`window` normal (see module docstring)."""
    found = []
    for name, series in groups.items():
        history = [series.get(day - timedelta(days=n), ZERO) for n in range(1, window + 1)]
        x = series.get(day, ZERO)
        hit, normal = _is_anomalous(x, history, min_abs, z_limit)
        if not hit:
            continue
        since = day
        while True:
            before = since - timedelta(days=1)
            if not _is_anomalous(series.get(before, ZERO), history, min_abs, z_limit)[0]:
                break
            since = before
        found.append(Anomaly(group=name, amount=x, normal=normal, above=x - normal, since=since))
    found.sort(key=lambda a: (-a.above, a.group))
    return found


def crossed(spent: Decimal, forecast: Decimal | None, budget: Decimal, thresholds: tuple[int, ...]) -> list[str]:
    """Threshold keys reached: 'actual:50' ... for spend, 'forecast:100' when the forecast exceeds budget."""
    if budget <= 0:
        return []
    keys = [f"actual:{t}" for t in thresholds if spent * 100 >= budget * t]
    if forecast is not None and forecast > budget:
        keys.append("forecast:100")
    return keys
