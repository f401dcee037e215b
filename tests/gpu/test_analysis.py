"""Idle analysis on small hand-made series: each row is a pattern of 5-minute steps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reports.gpu import pricing
from reports.gpu.analysis import Carry, Retro, day_steps, gpu_days
from reports.gpu.sources import GpuInfo, GpuSeries
from reports.gpu.states import NODATA, Thresholds, classify

DAY = date(2026, 11, 22)
T0 = int(datetime(2026, 11, 22, tzinfo=UTC).timestamp())
STEP = 300
TH = Thresholds(util_pct=5, memory_mib=1024, min_idle_s=3600)


def series(pattern: str, mem: float | None = None) -> GpuSeries:
    """pattern: one char per 5 min from midnight, repeated to fill the day: i idle, b busy, - no data."""
    full = (pattern * (288 // len(pattern) + 1))[:288]
    util = {T0 + n * STEP: (1.0 if c == "i" else 80.0) for n, c in enumerate(full) if c != "-"}
    return GpuSeries(GpuInfo("k", "test", "h", "0"), util=util, mem=None if mem is None else {t: mem for t in util})


@pytest.mark.parametrize(
    ("pattern", "mem", "idle", "held", "nodata", "streak"),
    [
        ("b", None, 0, 0, 0, 0),  # busy all day
        ("i", None, 24, 0, 0, 24),  # idle all day
        ("bbb" + "i" * 21, None, 21, 0, 0, 1.75),  # 15 min blip every 2 h: 1 h 45 stretches count
        ("b" * 15 + "i" * 9, None, 0, 0, 0, 0),  # 45-minute idle gaps are below the 60-minute window
        ("b" * 12 + "i" * 12, None, 12, 0, 0, 1),  # exactly 60 minutes counts
        ("i", 20000.0, 0, 24, 0, 24),  # memory held, no compute: its own category
        ("i", 100.0, 24, 0, 0, 24),  # a little memory is still idle
        # 2-hour cycle: 30 min idle, 30 min no data, 60 min idle. The 60 min joins the next cycle's 30 min
        # (90 min, counts); the day's first 30 min stand alone and drop: 12 x 1.5 h - 0.5 h = 17.5 h.
        ("i" * 6 + "-" * 6 + "i" * 12, None, 17.5, 0, 6, 1),
    ],
)
def test_idle_hours_for_one_day(pattern, mem, idle, held, nodata, streak):
    [day] = gpu_days(series(pattern, mem), DAY, 1, STEP, TH)
    assert (day.idle_h, day.held_h, day.nodata_h, day.streak_h) == pytest.approx((idle, held, nodata, streak))
    assert day.allocated_h == pytest.approx(24 - nodata)


def test_no_data_is_neither_idle_nor_busy():
    assert classify(None, 20000.0, TH) == NODATA


def test_an_idle_night_across_midnight_counts_on_both_days():
    util = {T0 - 3600 + n * STEP: 0.0 for n in range(24)}  # 23:00 to 01:00, 2 hours idle
    first, second = gpu_days(GpuSeries(GpuInfo("k", "t", "h", "0"), util=util), date(2026, 11, 21), 2, STEP, TH)
    assert (first.idle_h, second.idle_h) == (1.0, 1.0)
    assert first.streak_h == 1.0


def test_day_boundaries_follow_the_channel_timezone():
    util = {T0 + n * STEP: 0.0 for n in range(288)}  # idle 22 Nov 00:00-24:00 UTC
    [day] = gpu_days(GpuSeries(GpuInfo("k", "t", "h", "0"), util=util), DAY, 1, STEP, TH, "Europe/Berlin")
    assert (day.idle_h, day.nodata_h) == (23.0, 1.0)  # Berlin's 22 Nov starts at 23:00 UTC on the 21st


@pytest.mark.parametrize(
    ("model", "itype", "overrides", "price"),
    [
        ("NVIDIA A100-SXM4-80GB", "", {}, Decimal("4.10")),
        ("Tesla T4", "g4dn.12xlarge", {}, Decimal("0.978")),
        ("NVIDIA A100-SXM4-80GB", "", {"A100": Decimal("3")}, Decimal("3")),
        ("", "p3.8xlarge", {"p3.8xlarge": Decimal("8")}, Decimal("2")),
        ("Mystery GPU", "", {}, None),
    ],
)
def test_price_per_gpu_hour(model, itype, overrides, price):
    assert pricing.price_per_gpu_hour(model, itype, overrides) == price


@pytest.mark.parametrize(
    ("states", "carry", "day", "new_carry", "retro"),
    [
        # window 3 steps; 1 idle, 2 held, 3 busy, 0 no data
        ("11133311", Carry(), (3, 0, 0, 0), Carry("1", 2, 0, 0), None),  # ends in a run too short to count yet
        ("10000000", Carry("1", 2, 0, 0), (1, 0, 7, 0), Carry(), Retro("1", 2, 2)),  # ... which now counts
        ("22222222", Carry("2", 3, 5, 2), (0, 8, 0, 13), Carry("2", 3, 13, 2), None),  # a held week goes on
        ("11222333", Carry("1", 1, 0, 4), (2, 3, 0, 0), Carry(), Retro("1", 1, 5)),
        ("11122222", Carry("1", 1, 0, 4), (3, 5, 0, 13), Carry("2", 3, 13, 8), Retro("1", 1, 5)),
        ("22111111", Carry("1", 2, 0, 0), (6, 0, 0, 6), Carry("1", 3, 6, 0), None),  # held does not join idle
    ],
)
def test_a_day_with_the_run_carried_from_the_day_before(states, carry, day, new_carry, retro):
    counts, carried, late = day_steps(states, carry, 3)
    assert (counts.idle, counts.held, counts.nodata, counts.streak) == day
    assert (carried, late) == (new_carry, retro)
