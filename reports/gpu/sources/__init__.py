"""What every GPU metric source returns: for each unit (a GPU, or a MIG instance of one), its steps
(`reports.gpu.states`) from the window's start, as one segment per workload that held it.

Sources that read raw readings (CloudWatch, NVML, the sample fleet) give `GpuSeries` first: one
utilisation series per GPU, keyed by the UTC epoch second at which a step *starts*; a missing key
means no data for that step (never idle, never busy). `from_series` turns them into units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from reports.gpu.states import Thresholds, from_readings, merge


class SourceError(Exception):
    """A source could not answer (connection refused, 5xx, bad query): the digest names it."""


@dataclass(frozen=True)
class GpuInfo:
    key: str
    source: str
    host: str
    gpu: str
    model: str = ""
    uuid: str = ""
    instance_id: str = ""
    instance_type: str = ""
    owner: str = ""
    team: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    launched_at: datetime | None = None
    unit: str = ""  # a MIG instance: "mig<GPU_I_ID>"
    profile: str = ""  # its MIG profile, e.g. "1g.10gb"
    share: float = 1.0  # of the whole GPU's price and GPU-hours
    job: str = ""  # the Slurm job holding it


@dataclass
class Segment:
    """The steps of one workload (a pod, a Slurm job, or nobody) on a unit; other steps are no data."""

    info: GpuInfo
    states: str


@dataclass
class Unit:
    key: str
    segments: list[Segment]

    @property
    def states(self) -> str:
        out = ""
        for segment in self.segments:
            out = merge(out, segment.states)
        return out


@dataclass
class GpuSeries:
    info: GpuInfo
    util: dict[int, float] = field(default_factory=dict)
    mem: dict[int, float] | None = None
    processes: dict[int, int] | None = None


@dataclass
class Fetched:
    series: list[GpuSeries]
    queries: int


@dataclass
class FetchedSteps:
    units: list[Unit]
    queries: int


class Source(Protocol):
    name: str
    queries: int

    def steps(self, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps: ...


def from_series(fetched: Fetched, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps:
    t0, t1 = int(start.timestamp()), int(end.timestamp())
    units = [
        Unit(s.info.key, [Segment(s.info, from_readings(s.util, s.mem, t0, t1, step, th))]) for s in fetched.series
    ]
    return FetchedSteps(units=units, queries=fetched.queries)


def align(ts: float, step: int) -> int:
    return int(ts) - int(ts) % step
