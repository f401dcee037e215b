"""NVML on a single GPU box: `sample()` records utilisation, memory and compute processes into
gpu_samples (the `gpu.sample` job, from cron or the worker); `StoredNvmlSource` reads them back.

Only this source sees the processes holding a GPU, so it can name the forgotten notebook that
pins memory without computing. `nvml` is the nvidia-ml-py module (`pip install ritualbot[gpu]`);
tests pass a fake object with the same functions.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.gpu.models import GpuSample
from reports.gpu.sources import Fetched, FetchedSteps, GpuInfo, GpuSeries, SourceError, align, from_series
from reports.gpu.states import Thresholds

MIB = 1024 * 1024


def load_nvml() -> Any:
    # Imported here, not at the top: nvidia-ml-py is the optional `gpu` extra, needed only on the GPU
    # box that runs `gpu.sample`; everything else (StoredNvmlSource, the digest) works without it.
    try:
        import pynvml
    except ImportError:
        raise SourceError("nvml: nvidia-ml-py is not installed (pip install 'ritualbot[gpu]')") from None
    return pynvml


def sample(session: Session, nvml: Any, now: datetime, host: str | None = None) -> list[GpuSample]:
    """One reading per local GPU."""
    host = host or socket.gethostname()
    nvml.nvmlInit()
    try:
        rows = []
        for index in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            procs = [
                {"pid": p.pid, "used_mib": round((p.usedGpuMemory or 0) / MIB, 1)}
                for p in nvml.nvmlDeviceGetComputeRunningProcesses(handle)
            ]
            row = GpuSample(
                host=host,
                gpu_index=index,
                uuid=_text(nvml.nvmlDeviceGetUUID(handle)),
                model=_text(nvml.nvmlDeviceGetName(handle)),
                at=now,
                util=float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu),
                mem_used_mib=nvml.nvmlDeviceGetMemoryInfo(handle).used / MIB,
                processes=procs,
            )
            session.add(row)
            rows.append(row)
        return rows
    finally:
        nvml.nvmlShutdown()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class StoredNvmlSource:
    def __init__(self, name: str, session: Session) -> None:
        self.name, self.session = name, session
        self.queries = 0

    def steps(self, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps:
        return from_series(self.fetch(start, end, step), start, end, step, th)

    def fetch(self, start: datetime, end: datetime, step: int) -> Fetched:
        self.queries = 1
        rows = self.session.scalars(
            select(GpuSample).where(GpuSample.at >= start, GpuSample.at < end).order_by(GpuSample.at)
        )
        found: dict[str, GpuSeries] = {}
        for row in rows:
            key = f"{self.name}:{row.uuid or row.host + ':' + str(row.gpu_index)}"
            series = found.get(key)
            if series is None:
                info = GpuInfo(
                    key=key, source=self.name, host=row.host, gpu=str(row.gpu_index), model=row.model, uuid=row.uuid
                )
                series = found[key] = GpuSeries(info=info, util={}, mem={}, processes={})
            t = align(row.at.timestamp(), step)
            assert series.mem is not None and series.processes is not None
            # Several readings in a step: the busiest one decides, so a short burst is not idle.
            series.util[t] = max(series.util.get(t, 0.0), row.util)
            series.mem[t] = max(series.mem.get(t, 0.0), row.mem_used_mib)
            series.processes[t] = max(series.processes.get(t, 0), len(row.processes))
        return Fetched(series=list(found.values()), queries=1)
