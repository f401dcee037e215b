"""Prometheus with dcgm-exporter or the jobstats GPU exporter: Prometheus does the crunching.

A fetch asks for the window's GPU series (the series API reads only the index), plans queries that
stay under `--query.max-samples` (sources/plan.py), and sends each as one packed range query
(sources/promql.py): a number per unit per hour holding the state of each 5-minute step. The
labels say which unit, node and workload each series is (sources/labels.py). Works the same
against anything that serves Prometheus's HTTP API: Thanos Query, Mimir or Cortex (give the URL
with its prefix, e.g. http://mimir/prometheus), or a Prometheus reading others through remote_read.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from reports.gpu.sources import FetchedSteps, GpuInfo, Segment, SourceError, Unit, promql
from reports.gpu.sources import labels as gpu_labels
from reports.gpu.sources import plan as planner
from reports.gpu.states import NODATA, Thresholds, unpack

log = logging.getLogger(__name__)
MAX_SAMPLES = 50_000_000  # Prometheus's default --query.max-samples
SHOWN = 10


class PrometheusSource:
    def __init__(
        self,
        name: str,
        url: str,
        *,
        timeout: float = 20.0,
        matchers: Mapping[str, str] | None = None,
        max_samples: int = MAX_SAMPLES,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name, self.url = name, url.rstrip("/")
        self.matchers = dict(matchers or {})
        self.max_samples = max_samples
        self._client = httpx.Client(base_url=self.url, timeout=timeout, headers=headers, transport=transport)
        self.queries = 0

    def steps(self, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps:
        self.queries = 0
        t0, t1 = int(start.timestamp()), int(end.timestamp())
        bucket = 3600 if step >= 300 else 12 * step
        first, last = t0 - t0 % bucket + bucket, -(-t1 // bucket) * bucket
        found = self._series(promql.UTIL_METRICS, t0, t1)
        if not found:
            raise SourceError(self._missing(t0, t1))
        pod_nodes = self._pod_nodes(found, t1)
        segments: dict[tuple[str, ...], tuple[GpuInfo, bytearray]] = {}
        n = (t1 - t0) // step
        plans = []
        for family in promql.FAMILIES:
            series = [s for s in found if s["__name__"] in family.util_metrics]
            if series:
                queries = planner.plan(series, first, last, bucket, step, self.max_samples)
                plans.append((family, queries, any("jobid" not in s for s in series)))
        del found  # the series' labels (10,000 GPUs: ~20 MB) are not needed once the queries are planned
        for family, queries, job_values in plans:
            for query in queries:
                for labels, values in self._packed(family, query, th, step, bucket).items():
                    info = gpu_labels.unit_info(self.name, dict(labels), pod_nodes)
                    key = (info.key, info.job, info.owner, *(f"{k}={v}" for k, v in sorted(info.labels.items())))
                    if key not in segments:
                        segments[key] = (info, bytearray(NODATA.encode() * n))
                    _write(segments[key][1], values, t0, step, bucket)
                if family is promql.JOBSTATS and job_values:
                    self._jobs_from_values(segments, query, t0, step, bucket)
        units: dict[str, Unit] = {}
        for info, steps in segments.values():
            units.setdefault(info.key, Unit(info.key, [])).segments.append(Segment(info, steps.decode()))
        return FetchedSteps(units=list(units.values()), queries=self.queries)

    def _packed(
        self, family: promql.Family, query: planner.Query, th: Thresholds, step: int, bucket: int
    ) -> dict[tuple[tuple[str, str], ...], dict[int, int]]:
        """Each series' packed buckets: utilisation (engine activity where there is some) plus memory."""
        util: dict[tuple[tuple[str, str], ...], dict[int, int]] = {}
        mem: dict[tuple[tuple[str, str], ...], dict[int, int]] = {}
        for metric, threshold, memory in promql.queries(family, th):
            expr = promql.packed(
                metric, threshold, memory=memory, matchers=self.matchers, shard=query.shard, step=step, bucket=bucket
            )
            for labels, values in self._query_range(expr, query.first, query.last, bucket):
                key = tuple(sorted(labels.items()))
                fresh = {int(ts): _int(raw) for ts, raw in values}
                found = (mem if memory else util).get(key)
                if found is None:
                    (mem if memory else util)[key] = fresh
                else:  # the first utilisation metric (engine activity) wins where it has a bucket
                    found.update({t: v for t, v in fresh.items() if t not in found})
        for key, points in util.items():
            held = mem.get(key)
            if held:
                for t in points:
                    points[t] += held.get(t, 0)
        return util

    def _jobs_from_values(
        self,
        segments: dict[tuple[str, ...], tuple[GpuInfo, bytearray]],
        query: planner.Query,
        t0: int,
        step: int,
        bucket: int,
    ) -> None:
        """Older jobstats: split each GPU's steps by the job and uid holding it, bucket by bucket."""
        held: dict[str, dict[int, dict[str, str]]] = {}
        for metric, field in zip(promql.JOB_VALUES, ("job", "uid"), strict=True):
            expr = promql.job_values(metric, self.matchers, query.shard, bucket)
            for labels, values in self._query_range(expr, query.first, query.last, bucket):
                for ts, value in values:
                    by_time = held.setdefault(labels.get("uuid", ""), {})
                    by_time.setdefault(int(float(ts)), {})[field] = str(int(float(value)))
        for key, (info, steps) in list(segments.items()):
            owners = held.get(info.uuid)
            if not owners or info.job:
                continue
            del segments[key]
            for t, who in sorted(owners.items()):
                job, uid = who.get("job", ""), who.get("uid", "")
                labels = {**info.labels, **({"uid": uid} if uid else {})}
                part_key = (*key, job, uid)
                if part_key not in segments:
                    part_info = dataclasses.replace(info, job=job, labels=labels)
                    segments[part_key] = (part_info, bytearray(NODATA.encode() * len(steps)))
                a, b = max(0, (t - bucket - t0) // step), max(0, (t - t0) // step)
                segments[part_key][1][a:b] = steps[a:b]
                steps[a:b] = NODATA.encode() * len(steps[a:b])
            if steps.strip(NODATA.encode()):
                segments[key] = (info, steps)

    def _series(self, metrics: Sequence[str], start: int, end: int) -> list[dict[str, str]]:
        params = [("match[]", promql.selector(m, self.matchers)) for m in metrics]
        return self._get("/api/v1/series", [*params, ("start", str(start)), ("end", str(end))])

    def _missing(self, start: int, end: int) -> str:
        where = promql.matchers_text(self.matchers) if self.matchers else "any series"
        params = [("start", str(start)), ("end", str(end))]
        if self.matchers:
            params.append(("match[]", promql.matchers_text(self.matchers)))
        names = self._get("/api/v1/label/__name__/values", params)
        gpu_like = [n for n in names if any(w in n.lower() for w in ("gpu", "dcgm", "nvidia"))]
        shown = (gpu_like or names)[:SHOWN]
        more = f" and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
        span = f"{_day(start)} to {_day(end - 1)}"
        found = f"it has {len(names)} metrics there: {', '.join(shown)}{more}" if names else "it has no metrics there"
        return (
            f"Prometheus answered, but has none of the GPU metrics I read ({', '.join(promql.UTIL_METRICS)}) "
            f"for {where} from {span}; {found}"
        )

    def _pod_nodes(self, found: list[dict[str, str]], end: int) -> dict[str, str]:
        """Exporter pods whose series name no node: ask kube-state-metrics where they ran."""
        pods = sorted({pod for s in found if (pod := gpu_labels.exporter_pod(s)) and gpu_labels.node_of(s) == pod})
        if not pods:
            return {}
        data = self._post(
            "/api/v1/query", [("query", promql.pod_nodes(pods, self.matchers, 86400)), ("time", str(end))]
        )
        return {r["metric"].get("pod", ""): r["metric"].get("node", "") for r in data.get("result", [])}

    def _query_range(self, query: str, start: int, end: int, step: int) -> list[tuple[dict[str, str], list[Any]]]:
        params = [("query", query), ("start", str(start)), ("end", str(end)), ("step", f"{step}s")]
        data = self._post("/api/v1/query_range", params)
        if data.get("resultType") != "matrix":
            raise SourceError(f"{self.name}: expected a matrix, got {data.get('resultType')!r}")
        return [(item.get("metric") or {}, item.get("values") or []) for item in data.get("result") or []]

    def _get(self, path: str, params: list[tuple[str, str]]) -> Any:
        return self._call("GET", path, params)

    def _post(self, path: str, params: list[tuple[str, str]]) -> Any:
        return self._call("POST", path, params)

    def _call(self, method: str, path: str, params: list[tuple[str, str]]) -> Any:
        self.queries += 1
        try:
            if method == "GET":
                response = self._client.get(path, params=tuple(params))
            else:
                response = self._client.post(path, data=dict(params))
        except httpx.HTTPError as exc:
            raise SourceError(f"{self.name}: cannot reach Prometheus at {self.url} ({type(exc).__name__})") from None
        body = _json(response)
        if response.status_code >= 400 and not body.get("error"):
            raise SourceError(f"{self.name}: Prometheus answered HTTP {response.status_code}")
        if body.get("status") != "success":
            raise SourceError(f"{self.name}: query failed: {body.get('errorType', '')} {body.get('error', '')}".strip())
        for warning in body.get("warnings") or []:
            log.warning("prometheus warning source=%s warning=%s", self.name, warning)
        return body.get("data") if body.get("data") is not None else []


def _write(steps: bytearray, packed: dict[int, int], t0: int, step: int, bucket: int) -> None:
    """Put a series' buckets, unpacked, at their place in one go; steps already read keep the busier state."""
    digits = bucket // step
    times = sorted(packed)
    if not times:
        return
    first = times[0]
    parts = []
    for n, t in enumerate(times):
        if n and t - times[n - 1] > bucket:  # buckets without a point: no data
            parts.append(NODATA * (digits * ((t - times[n - 1]) // bucket - 1)))
        parts.append(unpack(packed[t], digits))
    chars = "".join(parts).encode()
    start = (first - bucket - t0) // step
    a, b = max(start, 0), min(start + len(chars), len(steps))
    if a >= b:
        return
    chunk = chars[a - start : b - start]
    old = steps[a:b]
    steps[a:b] = chunk if not old.strip(NODATA.encode()) else bytes(map(max, old, chunk))


def _int(raw: str) -> int:
    """A packed value: Prometheus writes whole numbers without an exponent."""
    try:
        return int(raw)
    except ValueError:
        return int(float(raw))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _day(ts: int) -> str:
    return f"{datetime.fromtimestamp(ts, UTC):%d %b}"
