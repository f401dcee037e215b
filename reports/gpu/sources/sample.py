"""A bundled sample fleet for `ritualbot demo` and trying the report without metrics: a JSON file of
GPUs, each with a 24-character hourly pattern (b busy, i idle, h memory held, - no data) repeated
every day, and optionally `idle_days`: idle all day for that many days before the window ends.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from reports.gpu.sources import Fetched, FetchedSteps, GpuInfo, GpuSeries, SourceError, from_series
from reports.gpu.states import Thresholds

DEMO_FLEET = Path(__file__).resolve().parent.parent / "data" / "demo-fleet.json"
VALUES = {"b": (80.0, 30000.0), "i": (0.0, 0.0), "h": (0.0, 20000.0)}


class SampleSource:
    def __init__(self, name: str, path: str) -> None:
        self.name, self.path = name, Path(path)
        self.queries = 0

    def steps(self, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps:
        return from_series(self.fetch(start, end, step), start, end, step, th)

    def fetch(self, start: datetime, end: datetime, step: int) -> Fetched:
        try:
            fleet = json.loads(self.path.read_text())["gpus"]
        except (OSError, ValueError, KeyError) as exc:
            raise SourceError(f"{self.name}: cannot read the sample fleet {self.path} ({type(exc).__name__})") from None
        self.queries = 1
        return Fetched(series=[self._series(g, start, end, step) for g in fleet], queries=1)

    def _series(self, gpu: dict[str, Any], start: datetime, end: datetime, step: int) -> GpuSeries:
        info = GpuInfo(
            key=f"{self.name}:{gpu['host']}:{gpu['gpu']}",
            source=self.name,
            host=gpu["host"],
            gpu=str(gpu["gpu"]),
            model=gpu.get("model", ""),
            instance_id=gpu.get("instance_id", ""),
            instance_type=gpu.get("instance_type", ""),
            owner=gpu.get("owner", ""),
            team=gpu.get("team", ""),
        )
        pattern: str = gpu.get("pattern", "b" * 24)
        idle_from = end.timestamp() - 86400 * int(gpu.get("idle_days", 0))
        series = GpuSeries(info=info, util={}, mem={})
        assert series.mem is not None
        for t in range(int(start.timestamp()), int(end.timestamp()), step):
            kind = "i" if t >= idle_from else pattern[(t % 86400) // 3600]
            if kind in VALUES:
                series.util[t], series.mem[t] = VALUES[kind]
        return series
