"""Spend arithmetic against hand-computed figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from reports.spend import analysis, money

NOV = [date(2026, 11, d) for d in range(1, 31)]


def flat(value: str, days: list[date]) -> dict[date, D]:
    return {d: D(value) for d in days}


def test_change_against_trailing_seven_day_average():
    series = {**flat("100", NOV[:21]), date(2026, 11, 22): D("700")}
    c = analysis.change(series, date(2026, 11, 22))
    # 7 days before 22 Nov are 15..21 Nov at 100 each
    assert (c.amount, c.baseline, c.delta, c.percent) == (D("700"), D("100"), D("600"), D("600"))


def test_change_without_history_has_no_percentage():
    c = analysis.change({date(2026, 11, 1): D("5")}, date(2026, 11, 1))
    assert c.percent is None and c.delta == D("5")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 22), D("2800")),  # 21 x 100 + 700
        (date(2026, 11, 1), D("100")),
        (date(2026, 12, 1), D("0")),  # a new month starts from zero
    ],
)
def test_month_to_date(day, expected):
    series = {**flat("100", NOV[:21]), date(2026, 11, 22): D("700")}
    assert analysis.month_to_date(series, day) == expected


def test_projection_adds_last_seven_days_mean_times_days_left():
    series = {**flat("100", NOV[:21]), date(2026, 11, 22): D("700")}
    # 2800 + (6 x 100 + 700) / 7 x 8 days left (23..30 Nov) = 2800 + 1485.714...
    assert analysis.cents(analysis.project_month_end(series, date(2026, 11, 22))) == D("4285.71")
    # on the last day of the month the projection is what was spent
    assert analysis.project_month_end(flat("10", NOV), date(2026, 11, 30)) == D("300")


@pytest.mark.parametrize(
    ("history", "today", "min_abs", "expected"),
    [
        # flat history (MAD 0): any rise of min_abs or more is an anomaly
        ("100", "700", "100", (D("100"), D("600"))),
        ("100", "150", "100", None),  # +50 is below the minimum $ change
        # noisy history 90/110 alternating: median 100, MAD 10; z = 0.6745 x 200 / 10 = 13.5 > 3.5
        ("noisy", "300", "100", (D("100"), D("200"))),
        # z = 0.6745 x 140 / 10 = 9.4 > 3.5 but +140 counts only when min_abs allows it
        ("noisy", "240", "150", None),
    ],
)
def test_robust_zscore_anomalies(history, today, min_abs, expected):
    day = date(2026, 11, 22)
    past = [day - timedelta(days=n) for n in range(1, 31)]
    if history == "noisy":
        series = {d: D("90") if n % 2 else D("110") for n, d in enumerate(past)}
    else:
        series = flat(history, past)
    series[day] = D(today)
    found = analysis.detect({"vision": series}, day, min_abs=D(min_abs))
    if expected is None:
        assert found == []
    else:
        assert [(a.group, a.normal, a.above, a.since) for a in found] == [("vision", *expected, day)]


def test_anomaly_since_walks_back_over_consecutive_high_days():
    day = date(2026, 11, 22)
    series = {day - timedelta(days=n): D("100") for n in range(3, 40)}
    series.update({day - timedelta(days=2): D("600"), day - timedelta(days=1): D("650"), day: D("700")})
    [found] = analysis.detect({"vision": series}, day)
    assert found.since == date(2026, 11, 20)
    assert found.normal == D("100")  # 28 x 100 and 2 high days: the median stays 100


@pytest.mark.parametrize(
    ("spent", "forecast", "budget", "expected"),
    [
        ("2800", "4285.71", "3000", ["actual:50", "actual:80", "forecast:100"]),
        ("1100", "1500", "2000", ["actual:50"]),
        ("1000", "2000", "2000", ["actual:50"]),  # exactly on budget is not over it
        ("3000", "3000", "3000", ["actual:50", "actual:80", "actual:100"]),
        ("10", None, "0", []),  # no budget, no alerts
    ],
)
def test_thresholds_crossed(spent, forecast, budget, expected):
    fc = D(forecast) if forecast else None
    assert analysis.crossed(D(spent), fc, D(budget), (50, 80, 100)) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("1234567.891", "USD", "$1,234,567.89"),
        ("2800", "EUR", "€2,800.00"),
        ("-12.5", "GBP", "-£12.50"),
        ("1000", "CHF", "1,000.00 CHF"),
    ],
)
def test_money_keeps_the_data_currency_with_thousands_separators(amount, currency, text):
    assert money.fmt(D(amount), currency) == text
