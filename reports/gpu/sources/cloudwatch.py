"""AWS CloudWatch: the CloudWatch agent's `nvidia_smi_*` metrics (namespace CWAgent) per instance and
GPU, read with GetMetricData in batches of 500 queries, plus EC2 DescribeInstances for instance
type, launch time and the Owner/Team tags.

GPUs are discovered from EC2 (running instances of GPU types; count and model from the instance
type), and the metrics are read on the `[InstanceId, index]` rollup, which the agent publishes with
`"aggregation_dimensions": [["InstanceId", "index"]]` in its nvidia_gpu section.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from reports.gpu import pricing
from reports.gpu.sources import Fetched, FetchedSteps, GpuInfo, GpuSeries, SourceError, align, from_series
from reports.gpu.states import Thresholds

log = logging.getLogger(__name__)

NAMESPACE = "CWAgent"
UTIL, MEM = "nvidia_smi_utilization_gpu", "nvidia_smi_memory_used"
BATCH = 500  # GetMetricData's limit of metric queries per request
CHUNK = timedelta(days=1)  # one day per request keeps pages small and lets a long window make progress


class CloudWatchSource:
    def __init__(self, name: str, cloudwatch: Any, ec2: Any) -> None:
        self.name, self.cloudwatch, self.ec2 = name, cloudwatch, ec2
        self.queries = 0

    def steps(self, start: datetime, end: datetime, step: int, th: Thresholds) -> FetchedSteps:
        return from_series(self.fetch(start, end, step), start, end, step, th)

    def fetch(self, start: datetime, end: datetime, step: int) -> Fetched:
        self.queries = 0
        try:
            return self._fetch(start, end, step)
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 — botocore's errors are many; name the source instead
            raise SourceError(f"{self.name}: CloudWatch unavailable ({type(exc).__name__}: {str(exc)[:120]})") from None

    def _fetch(self, start: datetime, end: datetime, step: int) -> Fetched:
        gpus: list[GpuInfo] = []
        for instance in self._instances():
            count, model = pricing.gpus_of(instance["InstanceType"])
            tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
            for index in range(count):
                gpus.append(
                    GpuInfo(
                        key=f"{self.name}:{instance['InstanceId']}:{index}",
                        source=self.name,
                        host=tags.get("Name", instance["InstanceId"]),
                        gpu=str(index),
                        model=model,
                        instance_id=instance["InstanceId"],
                        instance_type=instance["InstanceType"],
                        owner=tags.get("Owner", ""),
                        team=tags.get("Team", ""),
                        labels=tags,
                        launched_at=instance.get("LaunchTime"),
                    )
                )
        queries = [
            _query(f"{kind}{n}", metric, gpu, step)
            for n, gpu in enumerate(gpus)
            for kind, metric in (("u", UTIL), ("m", MEM))
        ]
        values = self._metric_data(queries, start, end, step)
        series = [
            GpuSeries(info=gpu, util=values.get(f"u{n}", {}), mem=values.get(f"m{n}") or None)
            for n, gpu in enumerate(gpus)
        ]
        return Fetched(series=series, queries=self.queries)

    def _instances(self) -> list[dict[str, Any]]:
        found = []
        filters = [{"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]
        for page in self._pages(self.ec2.get_paginator("describe_instances"), Filters=filters):
            for reservation in page.get("Reservations", []):
                found += [i for i in reservation.get("Instances", []) if pricing.gpus_of(i["InstanceType"])[0]]
        return sorted(found, key=lambda i: i["InstanceId"])

    def _metric_data(
        self, queries: Sequence[dict[str, Any]], start: datetime, end: datetime, step: int
    ) -> dict[str, dict[int, float]]:
        values: dict[str, dict[int, float]] = {}
        paginator = self.cloudwatch.get_paginator("get_metric_data")
        for n in range(0, len(queries), BATCH):
            chunk_start = start
            while chunk_start < end:
                chunk_end = min(end, chunk_start + CHUNK)
                for page in self._pages(
                    paginator,
                    MetricDataQueries=list(queries[n : n + BATCH]),
                    StartTime=chunk_start,
                    EndTime=chunk_end,
                    ScanBy="TimestampAscending",
                ):
                    for result in page.get("MetricDataResults", []):
                        points = values.setdefault(result["Id"], {})
                        for ts, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                            points[align(ts.timestamp(), step)] = float(value)
                chunk_start = chunk_end
        return values

    def _pages(self, paginator: Any, **params: Any) -> Iterator[dict[str, Any]]:
        for page in paginator.paginate(**params):
            self.queries += 1
            yield page


def _query(query_id: str, metric: str, gpu: GpuInfo, step: int) -> dict[str, Any]:
    dims = [{"Name": "InstanceId", "Value": gpu.instance_id}, {"Name": "index", "Value": gpu.gpu}]
    return {
        "Id": query_id,
        "ReturnData": True,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dims},
            "Period": step,
            "Stat": "Average",
        },
    }
