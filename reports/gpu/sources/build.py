"""Turn the configured `gpu.sources` into source objects (clients are built here, nowhere else)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from sqlalchemy.orm import Session

from bot.deferred import aws_config
from reports.gpu.config import GpuConfig
from reports.gpu.sources import Source
from reports.gpu.sources.cloudwatch import CloudWatchSource
from reports.gpu.sources.nvml import StoredNvmlSource
from reports.gpu.sources.prometheus import PrometheusSource
from reports.gpu.sources.sample import SampleSource


def build(config: GpuConfig, session: Session) -> list[Source]:
    return [_one(config, config.source_name(raw), raw, session) for raw in config.sources]


def _one(config: GpuConfig, name: str, raw: Mapping[str, Any], session: Session) -> Source:
    kind = raw["type"]
    if kind == "prometheus":
        return PrometheusSource(
            name,
            str(raw["url"]),
            timeout=float(raw.get("timeout", 20)),
            matchers={str(k): str(v) for k, v in (raw.get("matchers") or {}).items()},
            max_samples=int(raw.get("max_samples", 50_000_000)),
            recording_rules=config.recording_rules(raw),
        )
    if kind == "cloudwatch":
        params = {
            "region_name": raw.get("region", "us-east-1"),
            "endpoint_url": raw.get("endpoint_url") or None,
            "config": aws_config(),
        }
        return CloudWatchSource(name, boto3.client("cloudwatch", **params), boto3.client("ec2", **params))
    if kind == "nvml":  # reads stored samples; only the sampling job needs pynvml (see nvml.load_nvml)
        return StoredNvmlSource(name, session)
    return SampleSource(name, str(raw["path"]))
