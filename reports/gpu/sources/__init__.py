"""What every GPU metric source returns: one utilisation series per GPU on a fixed step grid.

Timestamps are the UTC epoch second at which a step *starts*; a missing key means no data for
that step (never idle, never busy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


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


class Source(Protocol):
    name: str

    def fetch(self, start: datetime, end: datetime, step: int) -> Fetched: ...


def align(ts: float, step: int) -> int:
    return int(ts) - int(ts) % step
