"""The hypothesis verdict and the trend sparkline, table-driven with hand-computed expectations."""

from __future__ import annotations

import pytest

from rituals.pi.tracking_render import sparkline
from rituals.pi.verdict import Window, judge, projected

DAY = 86_400_000
# a PI of 100 days from t=0; the deadline is day 100, the kill deadline day 28
PI = dict(start_ms=0, deadline_ms=100 * DAY, kill_ms=28 * DAY)


@pytest.mark.parametrize(
    ("measured", "points", "now_day", "kill", "expected"),
    [
        (0.86, [(DAY, 0.86)], 5, None, "met"),  # the best run reached >= 0.85
        (0.85, [(DAY, 0.85)], 5, None, "met"),  # >= includes the threshold
        (None, [], 10, None, "on_track"),  # nothing yet, 10 % of the time gone
        (None, [], 60, None, "at_risk"),  # nothing yet, past half-time
        (0.80, [(DAY, 0.80)], 30, None, "on_track"),  # one value: time rule, 30 % gone
        # two values: 0.70 at day 10, 0.75 at day 20 -> slope 0.005/day -> 0.75 + 80 * 0.005 = 1.15 at day 100
        (0.75, [(10 * DAY, 0.70), (20 * DAY, 0.75)], 21, None, "on_track"),
        # flat 0.80, 0.80 -> 0.80 at day 100 < 0.85
        (0.80, [(10 * DAY, 0.80), (20 * DAY, 0.80)], 21, None, "at_risk"),
        (0.79, [(10 * DAY, 0.79)], 29, 0.80, "killed"),  # kill deadline (day 28) passed below 0.80
        (0.81, [(10 * DAY, 0.81)], 29, 0.80, "on_track"),  # reached the kill threshold: keep going
        (0.79, [(10 * DAY, 0.79)], 27, 0.80, "on_track"),  # before the kill deadline
        (0.84, [(10 * DAY, 0.84)], 100, None, "at_risk"),  # the deadline passed unmet
        # values before the PI started do not count: falling 0.9 -> 0.5 before day 0 would project at risk
        (0.50, [(-10 * DAY, 0.9), (-5 * DAY, 0.5)], 5, None, "on_track"),
    ],
)
def test_judge_against_val_auc_at_least_0_85(measured, points, now_day, kill, expected):
    window = Window(now_ms=now_day * DAY, **PI)
    assert (
        judge(comparator=">=", threshold=0.85, measured=measured, points=points, window=window, kill_threshold=kill)
        == expected
    )


def test_lower_is_better_targets_and_kill_thresholds():
    window = Window(now_ms=29 * DAY, **PI)
    assert judge(comparator="<=", threshold=0.30, measured=0.29, points=[], window=window) == "met"
    assert (
        judge(comparator="<", threshold=0.30, measured=0.30, points=[], window=window, kill_threshold=0.35)
        == "on_track"
    )
    assert (
        judge(comparator="<", threshold=0.30, measured=0.40, points=[], window=window, kill_threshold=0.35) == "killed"
    )


def test_projection_is_the_least_squares_line():
    # (0, 1), (1, 3), (2, 5): slope 2, intercept 1 -> 9 at t=4
    assert projected([(0, 1.0), (1, 3.0), (2, 5.0)], 4) == pytest.approx(9.0)
    assert projected([(5, 1.0), (5, 2.0)], 9) is None, "one distinct time is no line"


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], ""), ([0.8, 0.8], "▄▄"), ([0.79, 0.82, 0.874], "▁▃█"), ([1.0, 0.0], "█▁")],
)
def test_sparkline(values, expected):
    assert sparkline(values) == expected
