"""Prometheus with the NVIDIA DCGM exporter: a few fleet-wide `query_range` calls, not one per GPU.

Each query averages a DCGM gauge over one step and keeps only the labels that identify a GPU and
its workload, so a pod restart does not multiply the series. `DCGM_FI_PROF_GR_ENGINE_ACTIVE`
(a 0..1 ratio of time the graphics/compute engine was busy) is preferred over
`DCGM_FI_DEV_GPU_UTIL` for every GPU that exports it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx

from reports.gpu.sources import Fetched, GpuInfo, GpuSeries, SourceError

log = logging.getLogger(__name__)

BY = "Hostname, gpu, UUID, modelName, namespace, pod"
METRICS = {
    "engine": ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", 100.0),
    "util": ("DCGM_FI_DEV_GPU_UTIL", 1.0),
    "mem": ("DCGM_FI_DEV_FB_USED", 1.0),
}
MAX_POINTS = 10_000  # Prometheus refuses more than 11,000 points per series in one query


def query_for(metric: str, step: int) -> str:
    return f"max by ({BY}) (avg_over_time({metric}[{step}s]))"


class PrometheusSource:
    def __init__(
        self, name: str, url: str, *, timeout: float = 20.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.name, self.url = name, url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)
        self.queries = 0

    def fetch(self, start: datetime, end: datetime, step: int) -> Fetched:
        self.queries = 0
        found: dict[str, dict[str, dict[int, float]]] = {"engine": {}, "util": {}, "mem": {}}
        infos: dict[str, GpuInfo] = {}
        t0, t1 = int(start.timestamp()), int(end.timestamp())
        for kind, (metric, scale) in METRICS.items():
            for chunk_start in range(t0, t1, MAX_POINTS * step):
                chunk_end = min(t1, chunk_start + MAX_POINTS * step)
                for labels, values in self._query_range(query_for(metric, step), chunk_start + step, chunk_end, step):
                    info = _info(self.name, labels)
                    infos.setdefault(info.key, info)
                    if labels.get("pod"):  # the latest workload names the owner
                        infos[info.key] = info
                    # the point at t averages the step that ends at t
                    fresh = {int(ts) - step: float(raw) * scale for ts, raw in values}
                    points = found[kind].setdefault(info.key, {})
                    if points:  # several workloads on one GPU: the busiest counts
                        fresh = {t: max(v, points.get(t, v)) for t, v in fresh.items()}
                    points.update(fresh)
        series = []
        for key, info in infos.items():
            util = found["engine"].get(key) or found["util"].get(key, {})
            series.append(GpuSeries(info=info, util=util, mem=found["mem"].get(key)))
        return Fetched(series=series, queries=self.queries)

    def _query_range(self, query: str, start: int, end: int, step: int) -> list[tuple[dict[str, str], list[Any]]]:
        self.queries += 1
        params = {"query": query, "start": str(start), "end": str(end), "step": f"{step}s"}
        try:
            response = self._client.post("/api/v1/query_range", data=params)
        except httpx.HTTPError as exc:
            raise SourceError(f"{self.name}: cannot reach Prometheus at {self.url} ({type(exc).__name__})") from None
        body = _json(response)
        if response.status_code >= 500 or (response.status_code >= 400 and not body):
            raise SourceError(f"{self.name}: Prometheus answered HTTP {response.status_code}")
        if body.get("status") != "success":
            raise SourceError(f"{self.name}: query failed: {body.get('errorType', '')} {body.get('error', '')}".strip())
        data = body.get("data") or {}
        if data.get("resultType") != "matrix":
            raise SourceError(f"{self.name}: expected a matrix, got {data.get('resultType')!r}")
        for warning in body.get("warnings") or []:
            log.warning("prometheus warning source=%s warning=%s", self.name, warning)
        return [(item.get("metric") or {}, item.get("values") or []) for item in data.get("result") or []]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _info(source: str, labels: dict[str, str]) -> GpuInfo:
    host, gpu, uuid = labels.get("Hostname", ""), labels.get("gpu", ""), labels.get("UUID", "")
    key = f"{source}:{uuid}" if uuid else f"{source}:{host}:{gpu}"
    extra = {k: labels[k] for k in ("namespace", "pod") if labels.get(k)}
    return GpuInfo(
        key=key, source=source, host=host, gpu=gpu, model=labels.get("modelName", ""), uuid=uuid, labels=extra
    )
