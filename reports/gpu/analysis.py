"""Idle analysis: classify each step, keep idle stretches >= the minimum window, sum per GPU per day.

A step is `nodata` without a utilisation sample, `busy` at or above the utilisation threshold,
`held` when utilisation is low but memory is in use (a forgotten notebook pinning the GPU),
otherwise `idle`. Idle and held time count only
in unbroken stretches of at least the minimum window; a gap in the data breaks a stretch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from reports.gpu.sources import GpuSeries

IDLE, HELD, BUSY, NODATA = "idle", "held", "busy", "nodata"


@dataclass(frozen=True)
class Thresholds:
    util_pct: float = 5.0
    memory_mib: float = 1024.0
    min_idle_s: int = 3600


@dataclass(frozen=True)
class GpuDay:
    """One GPU on one local day, in hours; `streak_h` is the idle (or held) run ending at midnight."""

    day: date
    allocated_h: float
    idle_h: float
    held_h: float
    nodata_h: float
    streak_h: float

    @property
    def idle_share(self) -> float:
        return self.idle_h / self.allocated_h if self.allocated_h else 0.0


def classify(series: GpuSeries, t: int, th: Thresholds) -> str:
    util = series.util.get(t)
    if util is None:
        return NODATA
    if util >= th.util_pct:
        return BUSY
    mem = series.mem.get(t) if series.mem is not None else None
    if mem is not None and mem >= th.memory_mib:
        return HELD
    return IDLE


def _states(series: GpuSeries, grid: range, th: Thresholds) -> list[str]:
    """`classify` for a whole grid, written out because it runs for every step of every GPU."""
    util, mem = series.util.get, (series.mem or {}).get
    limit, mem_limit = th.util_pct, th.memory_mib
    out = []
    for t in grid:
        u = util(t)
        if u is None:
            out.append(NODATA)
        elif u >= limit:
            out.append(BUSY)
        else:
            m = mem(t)
            out.append(HELD if m is not None and m >= mem_limit else IDLE)
    return out


def counted(states: list[str], step: int, th: Thresholds) -> list[str]:
    """Mark idle/held steps in stretches shorter than the window as `short` (not counted)."""
    out = list(states)
    n, i = len(states), 0
    while i < n:
        j = i
        while j < n and states[j] == states[i]:
            j += 1
        if states[i] in (IDLE, HELD) and (j - i) * step < th.min_idle_s:
            out[i:j] = ["short"] * (j - i)
        i = j
    return out


def day_starts(first: date, days: int, tz: str) -> list[int]:
    zone = ZoneInfo(tz)
    return [
        int(datetime.combine(first + timedelta(days=d), datetime.min.time(), zone).timestamp()) for d in range(days + 1)
    ]


def gpu_days(series: GpuSeries, first: date, days: int, step: int, th: Thresholds, tz: str = "UTC") -> list[GpuDay]:
    """Per local day from `first` for `days` days. Stretches are found over the whole window,
    so an idle night that spans midnight counts on both days."""
    bounds = day_starts(first, days, tz)
    states = counted(_states(series, range(bounds[0], bounds[-1], step), th), step, th)
    hours = step / 3600
    result, streak = [], 0
    for d in range(days):
        part = states[(bounds[d] - bounds[0]) // step : (bounds[d + 1] - bounds[0]) // step]
        tally = {s: part.count(s) for s in (IDLE, HELD, NODATA)}
        run = next((n for n, s in enumerate(reversed(part)) if s not in (IDLE, HELD)), len(part))
        streak = streak + run if run == len(part) else run
        steps = len(part)
        result.append(
            GpuDay(
                day=first + timedelta(days=d),
                allocated_h=(steps - tally[NODATA]) * hours,
                idle_h=tally[IDLE] * hours,
                held_h=tally[HELD] * hours,
                nodata_h=tally[NODATA] * hours,
                streak_h=streak * hours,
            )
        )
    return result
