"""FOCUS billing exports (FinOps Open Cost & Usage Specification) from a folder or an S3 prefix.

Reads CSV (optionally gzipped) and Parquet files with the spec's columns: ChargePeriodStart,
BilledCost or EffectiveCost, BillingCurrency, ServiceName, Tags (JSON object), ChargeDescription.
Exports carry no forecast: reports.spend.analysis projects the month end instead.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reports.spend.config import SpendConfig
from reports.spend.sources import UNTAGGED, CostRow, Extras, SourceError, is_gpu

log = logging.getLogger(__name__)
SUFFIXES = (".csv", ".csv.gz", ".parquet")
FOCUS_COSTS = ("BilledCost", "EffectiveCost")


class FocusSource:
    name = "focus"

    def __init__(self, config: SpendConfig, *, s3: Any = None) -> None:
        self.config = config
        self.path = config.focus_path
        self.metric = config.metric if config.metric in FOCUS_COSTS else "BilledCost"
        self.s3 = s3
        if self.path.startswith("s3://") and self.s3 is None:
            self.s3 = boto3.client("s3", region_name=config.region, endpoint_url=config.endpoint_url)

    def fetch(self, start: date, end: date) -> list[CostRow]:
        totals: dict[tuple[date, str, str, bool, str], Decimal] = defaultdict(Decimal)
        for name, records in self._files():
            for n, record in enumerate(records, start=2):
                row = self._row(record, name, n)
                if row is not None and start <= row.day <= end:
                    totals[(row.day, row.team, row.service, row.gpu, row.currency)] += row.amount
        return [
            CostRow(day=d, team=t, service=s, gpu=g, currency=c, amount=a)
            for (d, t, s, g, c), a in sorted(totals.items())
        ]

    def extras(self, today: date, teams: list[str]) -> Extras:
        return Extras()

    def _row(self, record: dict[str, Any], name: str, line: int) -> CostRow | None:
        if self.metric not in record:
            raise SourceError(f"{name} has no {self.metric} column: is it a FOCUS export?")
        raw = record[self.metric]
        if raw in (None, ""):
            return None
        try:
            amount = Decimal(str(raw))
            day = _day(record["ChargePeriodStart"])
        except (InvalidOperation, KeyError, ValueError):
            raise SourceError(f"{name} line {line}: needs ChargePeriodStart and a numeric {self.metric}") from None
        tags = record.get("Tags") or "{}"
        try:
            tags = json.loads(tags) if isinstance(tags, str) else dict(tags)
        except (ValueError, TypeError):
            tags = {}
        service = str(record.get("ServiceName") or "(none)")
        return CostRow(
            day=day,
            team=str(tags.get(self.config.group_tag) or UNTAGGED),
            service=service,
            amount=amount,
            currency=str(record.get("BillingCurrency") or "").strip() or "?",
            gpu=is_gpu(service, str(record.get("ChargeDescription") or ""), str(record.get("SkuId") or "")),
        )

    def _files(self) -> list[tuple[str, list[dict[str, Any]]]]:
        if self.path.startswith("s3://"):
            return self._s3_files()
        folder = Path(self.path)
        if not folder.is_dir():
            raise SourceError(f"FOCUS export folder {self.path} is missing; the next run catches up")
        return [
            (p.name, _parse(p.name, p.read_bytes())) for p in sorted(folder.rglob("*")) if p.name.endswith(SUFFIXES)
        ]

    def _s3_files(self) -> list[tuple[str, list[dict[str, Any]]]]:
        bucket, _, prefix = self.path.removeprefix("s3://").partition("/")
        found = []
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    if item["Key"].endswith(SUFFIXES):
                        body = self.s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                        found.append((item["Key"], _parse(item["Key"], body)))
        except (ClientError, BotoCoreError) as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise SourceError(f"FOCUS exports in {self.path} unreadable ({code}); the next run catches up") from None
        return found


def _parse(name: str, data: bytes) -> list[dict[str, Any]]:
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq  # only when someone ships Parquet exports

        return pq.read_table(io.BytesIO(data)).to_pylist()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip().replace("Z", "+00:00")
    return datetime.fromisoformat(text).date() if "T" in text or " " in text else date.fromisoformat(text)
