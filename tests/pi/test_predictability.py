"""Predictability against hand calculations: committed planned BV is the denominator, every objective's
actual BV the numerator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rituals.pi.predictability import ObjectiveValue as O
from rituals.pi.predictability import band, measure

CASES = [
    # (objectives, planned, actual, percent) — computed by hand in the comment
    ([O(10, 8, True), O(5, 5, True)], 15, 13, Decimal("86.7")),  # 13/15 = 0.8666…
    ([O(10, 10, True), O(4, 3, False)], 10, 13, Decimal("130.0")),  # stretch counts in actual only
    ([O(8, 0, True), O(6, 6, False)], 8, 6, Decimal("75.0")),  # 6/8
    ([O(7, 7, True), O(9, 2, True, dropped=True)], 7, 7, Decimal("100.0")),  # dropped: out of both sums
    ([O(3, None, True), O(3, 3, True)], 6, 3, Decimal("50.0")),  # no actual entered counts as 0
    ([O(5, 5, False)], 0, 5, None),  # nothing committed: undefined
    ([O(3, 2, True)] * 3, 9, 6, Decimal("66.7")),  # 6/9 = 0.6666…
]


@pytest.mark.parametrize(("objectives", "planned", "actual", "percent"), CASES)
def test_predictability_matches_the_hand_calculation(objectives, planned, actual, percent):
    result = measure(objectives)
    assert (result.planned, result.actual, result.percent) == (planned, actual, percent)


@pytest.mark.parametrize(
    ("percent", "reading"),
    [
        (Decimal("79.9"), "below the 80–100% band"),
        (Decimal("80.0"), "within the 80–100% band"),
        (Decimal("100.0"), "within the 80–100% band"),
        (Decimal("100.1"), "above 100% (stretch objectives delivered)"),
        (None, "undefined"),
    ],
)
def test_band_reading(percent, reading):
    assert band(percent) == reading
