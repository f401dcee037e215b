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
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from reports.gpu.sources import FetchedSteps, GpuInfo, Segment, SourceError, Unit, promql, stream
from reports.gpu.sources import labels as gpu_labels
from reports.gpu.sources import plan as planner
from reports.gpu.states import NODATA, Thresholds, write_points

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
        recording_rules: bool = False,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name, self.url = name, url.rstrip("/")
        self.matchers = dict(matchers or {})
        self.max_samples = max_samples
        self.recording_rules = recording_rules
        self._client = httpx.Client(base_url=self.url, timeout=timeout, headers=headers, transport=transport)
        self.queries = 0

    def steps(self, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps:
        self.queries = 0
        t0, t1 = int(start.timestamp()), int(end.timestamp())
        bucket = 3600 if step >= 300 else 12 * step
        first, last = t0 - t0 % bucket + bucket, -(-t1 // bucket) * bucket
        families, found = self._families(t0, t1, step)
        if not found:
            raise SourceError(self._missing(t0, t1))
        pod_nodes = self._pod_nodes(found, t1)
        segments: dict[tuple[str, ...], tuple[GpuInfo, bytearray]] = {}
        n = (t1 - t0) // step
        plans = []
        for family in families:
            series = [s for s in found if s["__name__"] in family.util_metrics]
            if series:
                queries = planner.plan(series, first, last, bucket, step, self.max_samples)
                plans.append((family, queries, any(_old_jobstats(s, family) for s in series)))
        del found  # the series' labels (10,000 GPUs: ~20 MB) are not needed once the queries are planned
        seen: dict[tuple[tuple[str, str], ...], tuple[GpuInfo, tuple[str, ...]]] = {}
        for family, queries, job_values in plans:
            for query in queries:
                expr = promql.combined(
                    family, th, matchers=self.matchers, shard=query.shard, step=step, bucket=bucket
                )  # one answer: each series' utilisation and memory digits already added per bucket
                for found_labels, values in self._query_range(expr, query.first, query.last, bucket):
                    labels = tuple(sorted(found_labels.items()))
                    known = seen.get(labels)  # a series is read once per chunk: name it once per fetch
                    if known is None:
                        info = gpu_labels.unit_info(self.name, found_labels, pod_nodes)
                        labelled = (f"{k}={v}" for k, v in sorted(info.labels.items()))
                        known = seen[labels] = (info, (info.key, info.job, info.owner, *labelled))
                    info, key = known
                    if key not in segments:
                        segments[key] = (info, bytearray(NODATA.encode() * n))
                    write_points(segments[key][1], values, t0, step, bucket)
                if job_values:
                    self._jobs_from_values(segments, query, t0, step, bucket)
        seen.clear()  # the answers' label sets (~17 MB at 10,000 GPUs): the units keep what they need
        units: dict[str, Unit] = {}
        while segments:  # one copy of the steps at a time: 10,000 GPUs x 14 days is 40 MB
            info, steps = segments.pop(next(iter(segments)))
            if not steps.strip(NODATA.encode()):  # memory in use but no utilisation sample: nothing to tell
                continue
            units.setdefault(info.key, Unit(info.key, [])).segments.append(Segment(info, steps.decode()))
        return FetchedSteps(units=list(units.values()), queries=self.queries)

    def _families(self, t0: int, t1: int, step: int) -> tuple[Sequence[promql.Family], list[dict[str, str]]]:
        """The recorded series when configured and there (5-minute steps only), else the exporters' metrics."""
        if self.recording_rules and step == promql.RULES_STEP:
            found = self._series(promql.RECORDED.util_metrics, t0, t1)
            if found:
                return (promql.RECORDED,), found
            log.warning("gpu source=%s has no recorded series (ritualbot-gpu.rules.yml): using subqueries", self.name)
        return promql.FAMILIES, self._series(promql.UTIL_METRICS, t0, t1)

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

    def _query_range(self, query: str, start: int, end: int, step: int) -> Iterator[stream.Series]:
        """The answer's series one at a time (sources/stream.py): a whole answer is never held."""
        params = {"query": query, "start": str(start), "end": str(end), "step": f"{step}s"}
        self.queries += 1
        try:
            response = self._client.send(
                self._client.build_request("POST", "/api/v1/query_range", data=params), stream=True
            )
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        try:
            series = stream.matrix(response, lambda text: self._whole_matrix(text, response.status_code), self._warn)
            first = next(series, None)
        except BaseException:
            response.close()
            raise
        return self._rest(response, first, series)

    def _rest(
        self, response: httpx.Response, first: stream.Series | None, series: Iterator[stream.Series]
    ) -> Iterator[stream.Series]:
        try:
            if first is not None:
                yield first
                yield from series
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        except stream.Malformed as exc:
            raise SourceError(f"{self.name}: Prometheus's answer broke off ({exc})") from None
        finally:
            response.close()

    def _whole_matrix(self, text: str, status: int) -> list[stream.Series]:
        data = self._checked(_json_text(text), status)
        if data.get("resultType") != "matrix":
            raise SourceError(f"{self.name}: expected a matrix, got {data.get('resultType')!r}")
        return [(item.get("metric") or {}, item.get("values") or []) for item in data.get("result") or []]

    def _warn(self, warning: str) -> None:
        log.warning("prometheus warning source=%s warning=%s", self.name, warning)

    def _unreachable(self, exc: Exception) -> SourceError:
        return SourceError(f"{self.name}: cannot reach Prometheus at {self.url} ({type(exc).__name__})")

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
            raise self._unreachable(exc) from None
        return self._checked(_json(response), response.status_code)

    def _checked(self, body: dict[str, Any], status: int | None) -> Any:
        if status is not None and status >= 400 and not body.get("error"):
            raise SourceError(f"{self.name}: Prometheus answered HTTP {status}")
        if body.get("status") != "success":
            raise SourceError(f"{self.name}: query failed: {body.get('errorType', '')} {body.get('error', '')}".strip())
        for warning in body.get("warnings") or []:
            self._warn(str(warning))
        return body.get("data") if body.get("data") is not None else []


def _old_jobstats(labels: Mapping[str, str], family: promql.Family) -> bool:
    """A series of the older jobstats exporter: the job and uid only as values of other metrics."""
    if family is promql.DCGM or "jobid" in labels:
        return False
    return family is promql.JOBSTATS or "minor_number" in labels or "ordinal" in labels


def _json(response: httpx.Response) -> dict[str, Any]:
    return _json_text(response.text)


def _json_text(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _day(ts: int) -> str:
    return f"{datetime.fromtimestamp(ts, UTC):%d %b}"
