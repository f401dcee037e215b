"""A hypothesis' verdict from its measured values (pure functions, table-tested).

- met: the measured value (the champion's when the target names a model alias, else the best run's)
  satisfies the target;
- kill criterion hit: the kill deadline passed and the measured value does not reach the kill threshold;
- on track: a straight line fitted through the PI's values (least squares over end time) reaches the
  target by its deadline; with fewer than two values, while less than half the time to the deadline
  has passed;
- at risk: otherwise, and always once the deadline passed unmet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NAMES = {
    "met": "met",
    "on_track": "on track",
    "at_risk": "at risk",
    "killed": "kill criterion hit",
    "unknown": "not measured yet",
}
ICONS = {
    "met": ":white_check_mark:",
    "on_track": ":large_green_circle:",
    "at_risk": ":large_yellow_circle:",
    "killed": ":octagonal_sign:",
    "unknown": ":white_circle:",
}
COMPARATORS = (">=", ">", "<=", "<")


def meets(value: float, comparator: str, threshold: float) -> bool:
    if comparator == ">=":
        return value >= threshold
    if comparator == ">":
        return value > threshold
    if comparator == "<=":
        return value <= threshold
    if comparator == "<":
        return value < threshold
    raise ValueError(f"unknown comparator {comparator!r}")


def lower_is_better(comparator: str) -> bool:
    return comparator in ("<=", "<")


@dataclass(frozen=True)
class Window:
    """Milliseconds since the epoch: the PI's start, the target's deadline, the kill deadline, now."""

    start_ms: int
    deadline_ms: int
    now_ms: int
    kill_ms: int | None = None


def projected(points: Sequence[tuple[int, float]], at_ms: int) -> float | None:
    """The least-squares line through (end time, value), read at `at_ms`; None below two distinct times."""
    if len({t for t, _ in points}) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / sum((t - mean_t) ** 2 for t, _ in points)
    return mean_v + slope * (at_ms - mean_t)


def judge(
    *,
    comparator: str,
    threshold: float,
    measured: float | None,
    points: Sequence[tuple[int, float]],
    window: Window,
    kill_threshold: float | None = None,
) -> str:
    if measured is not None and meets(measured, comparator, threshold):
        return "met"
    if kill_threshold is not None and window.kill_ms is not None and window.now_ms >= window.kill_ms:
        if measured is None or not meets(measured, comparator, kill_threshold):
            return "killed"
    if window.now_ms >= window.deadline_ms:
        return "at_risk"
    in_pi = [(t, v) for t, v in points if t >= window.start_ms]
    line = projected(in_pi, window.deadline_ms)
    if line is not None:
        return "on_track" if meets(line, comparator, threshold) else "at_risk"
    span = max(1, window.deadline_ms - window.start_ms)
    return "on_track" if (window.now_ms - window.start_ms) / span < 0.5 else "at_risk"
