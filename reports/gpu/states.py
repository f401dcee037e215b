"""A GPU's time as one character per step, and the thresholds that decide each step's state.

`0` no data, `1` idle, `2` memory held with no compute (a forgotten notebook pinning the GPU),
`3` busy. The order is the order of activity, so `merge` (the larger character per step) keeps the
busiest reading when several series describe one GPU (two pods in one day, a job change).
A string of steps costs one byte per step: 10,000 GPUs x a day of 5-minute steps is 2.9 MB.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NODATA, IDLE, HELD, BUSY = "0", "1", "2", "3"
# Prometheus packs a bucket's steps as base-6 digits (see sources/promql.py), utilisation and memory
# in separate queries whose sums add up digit by digit: utilisation 0 no data, 2 low, 4 busy, plus
# memory 1 when in use. 0 and 1 no data, 2 idle, 3 held, 4 and 5 busy.
DIGITS = (NODATA, NODATA, IDLE, HELD, BUSY, BUSY)
BASE = 6
_PART = 6  # decode six digits at a time through a table of 6**6 strings
_SEEN: dict[int, str] = {}  # most hours of a fleet are one of a few values (idle all hour, busy all hour)
_SEEN_TEXT: dict[str, str] = {}  # the same, by the value's text in Prometheus's answer (no number parsed)
_TABLE: list[str] = []


@dataclass(frozen=True)
class Thresholds:
    util_pct: float = 5.0
    memory_mib: float = 1024.0
    min_idle_s: int = 3600


def classify(util: float | None, mem: float | None, th: Thresholds) -> str:
    if util is None:
        return NODATA
    if util >= th.util_pct:
        return BUSY
    return HELD if mem is not None and mem >= th.memory_mib else IDLE


def from_readings(
    util: Mapping[int, float], mem: Mapping[int, float] | None, start: int, end: int, step: int, th: Thresholds
) -> str:
    """The steps from `start` to `end` of a source that gives readings per step start."""
    memory = mem or {}
    return "".join(classify(util.get(t), memory.get(t), th) for t in range(start, end, step))


def merge(a: str, b: str) -> str:
    """Per step, the busier of two readings of the same steps."""
    if not a:
        return b
    return bytes(map(max, a.encode(), b.encode())).decode()


def unpack(n: int, digits: int) -> str:
    """A bucket's packed value (first step in the lowest digit) as `digits` (at most 12) states."""
    found = _SEEN.get(n)
    if found is None:
        if not _TABLE:
            _TABLE.extend("".join(reversed(p)) for p in itertools.product(DIGITS, repeat=_PART))
        size = BASE**_PART
        found = _TABLE[n % size] + _TABLE[(n // size) % size]
        if len(_SEEN) < 100_000:
            _SEEN[n] = found
    return found[:digits]


def write_points(steps: bytearray, points: Sequence[Sequence[Any]], t0: int, step: int, bucket: int) -> None:
    """Put a series' packed points (Prometheus's `[time, "value"]` pairs, in time order), unpacked, at
    their place in one go; buckets without a point are no data, steps already read keep the busier state."""
    if not points:
        return
    digits = bucket // step
    first, last = int(points[0][0]), int(points[-1][0])
    seen = _SEEN_TEXT.get
    if (last - first) // bucket + 1 == len(points):  # no gaps (times only ever increase)
        chars = "".join([seen(raw) or _unpack_text(raw, digits) for _, raw in points]).encode()
    else:
        parts, before = [], first - bucket
        for ts, raw in points:
            t = int(ts)
            if t - before > bucket:
                parts.append(NODATA * (digits * ((t - before) // bucket - 1)))
            parts.append(seen(raw) or _unpack_text(raw, digits))
            before = t
        chars = "".join(parts).encode()
    start = (first - bucket - t0) // step
    a, b = max(start, 0), min(start + len(chars), len(steps))
    if a >= b:
        return
    chunk = chars[a - start : b - start]
    old = steps[a:b]
    steps[a:b] = chunk if not old.strip(NODATA.encode()) else bytes(map(max, old, chunk))


def _unpack_text(raw: str, digits: int) -> str:
    """A packed value as Prometheus writes it: a whole number, or with an exponent or a fraction."""
    try:
        n = int(raw)
    except ValueError:
        n = int(float(raw))
    found = unpack(n, digits)
    if digits == 2 * _PART and len(_SEEN_TEXT) < 100_000:  # the cache holds whole hours only
        _SEEN_TEXT[raw] = found
    return found
