"""Idle analysis: on a day's steps (`reports.gpu.states`), keep idle and held stretches of at least
the minimum window, sum them, and carry the run the day ends in to the next day.

Idle and held time count only in unbroken runs of one state at least the minimum window long; no
data breaks a run. A run that crosses midnight counts on both days once it is long enough, so a
short run at the end of a day can count later: `day_steps` then returns a `Retro` for the day
before. Processing days one after another with the carry gives exactly what processing the whole
history at once would, which is what lets the refresh fetch only the new day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from reports.gpu.sources import GpuSeries
from reports.gpu.states import HELD, IDLE, NODATA, Thresholds, from_readings

RUNS = re.compile(r"0+|1+|2+|3+")
WAITING = (IDLE, HELD)


class Carry(NamedTuple):  # named tuples: made for every unit and day, ~4x cheaper than frozen dataclasses
    """The run of one state a GPU's last processed day ended in (empty when it ended busy or without data)."""

    state: str = ""
    run: int = 0  # steps, capped at the window (only whether it reached the window matters)
    streak: int = 0  # counted idle/held steps ending at the end of the day
    before: int = 0  # counted idle/held steps ending where the run began, for when the run counts later


class DaySteps(NamedTuple):
    steps: int
    idle: int
    held: int
    nodata: int
    streak: int


class Retro(NamedTuple):
    """The day before ended in a run too short to count that this day made long enough."""

    state: str
    steps: int
    streak: int  # that day's streak, now including the run


def window_steps(th: Thresholds, step: int) -> int:
    return -(-th.min_idle_s // step)


def day_steps(states: str, carry: Carry, window: int) -> tuple[DaySteps, Carry, Retro | None]:
    """Count one day's idle and held steps given the day before's carry."""
    first = states[:1]
    if first and states.count(first) == len(states):  # one state all day: most of a fleet's days
        runs = [(first, 0, len(states))]
    else:
        runs = [(states[m.start()], *m.span()) for m in RUNS.finditer(states)]
    counted = [False] * len(runs)
    tally = {IDLE: 0, HELD: 0}
    retro = None
    for n, (state, start, end) in enumerate(runs):
        if state not in WAITING:
            continue
        joined = start == 0 and state == carry.state
        if end - start + (carry.run if joined else 0) >= window:
            counted[n] = True
            tally[state] += end - start
            if joined and carry.run < window:
                retro = Retro(state, carry.run, carry.before + carry.run)
    prior = retro.streak if retro else carry.streak
    streak = _streak_back(runs, counted, len(runs), prior)
    new_carry = Carry()
    if runs and runs[-1][0] in WAITING:
        state, start, end = runs[-1]
        joined = start == 0 and state == carry.state
        run = end - start + (carry.run if joined else 0)
        before = carry.before if joined else _streak_back(runs, counted, len(runs) - 1, prior)
        new_carry = Carry(state, min(run, window), streak if counted[-1] else 0, before)
    day = DaySteps(len(states), tally[IDLE], tally[HELD], states.count(NODATA), streak)
    return day, new_carry, retro


def _streak_back(runs: list[tuple[str, int, int]], counted: list[bool], upto: int, prior: int) -> int:
    """Counted idle/held steps ending where run `upto` begins; `prior` continues it past midnight."""
    total = 0
    for n in range(upto - 1, -1, -1):
        if not counted[n]:
            return total
        total += runs[n][2] - runs[n][1]
    return total + prior


# What follows serves sources that give readings per step (CloudWatch, NVML, the sample fleet) and the
# table-driven tests: the same analysis over a whole window of readings.


@dataclass(frozen=True)
class GpuDay:
    """One GPU on one local day, in hours; `streak_h` is the idle (or held) run ending at midnight."""

    day: date
    allocated_h: float
    idle_h: float
    held_h: float
    nodata_h: float
    streak_h: float


def day_starts(first: date, days: int, tz: str) -> list[int]:
    zone = ZoneInfo(tz)
    return [
        int(datetime.combine(first + timedelta(days=d), datetime.min.time(), zone).timestamp()) for d in range(days + 1)
    ]


def gpu_days(series: GpuSeries, first: date, days: int, step: int, th: Thresholds, tz: str = "UTC") -> list[GpuDay]:
    """Per local day from `first` for `days` days."""
    bounds = day_starts(first, days, tz)
    states = from_readings(series.util, series.mem, bounds[0], bounds[-1], step, th)
    return days_of(states, bounds, first, step, window_steps(th, step))


def days_of(states: str, bounds: list[int], first: date, step: int, window: int) -> list[GpuDay]:
    hours = step / 3600
    result: list[GpuDay] = []
    carry = Carry()
    for d in range(len(bounds) - 1):
        part = states[(bounds[d] - bounds[0]) // step : (bounds[d + 1] - bounds[0]) // step]
        counts, carry, retro = day_steps(part, carry, window)
        if retro and result:
            last = result[-1]
            more = retro.steps * hours
            result[-1] = GpuDay(
                last.day,
                last.allocated_h,
                last.idle_h + (more if retro.state == IDLE else 0),
                last.held_h + (more if retro.state == HELD else 0),
                last.nodata_h,
                retro.streak * hours,
            )
        result.append(
            GpuDay(
                day=first + timedelta(days=d),
                allocated_h=(counts.steps - counts.nodata) * hours,
                idle_h=counts.idle * hours,
                held_h=counts.held * hours,
                nodata_h=counts.nodata * hours,
                streak_h=counts.streak * hours,
            )
        )
    return result
