"""FOCUS-shaped export files for tests: rows with the spec's columns, CSV/gzip/Parquet writers, and the
providers' manifests in their documented shapes (AWS Data Exports `Manifest.json`, Azure Cost Management
`manifest.json` per run)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

EC2 = "Amazon Elastic Compute Cloud"
S3 = "Amazon Simple Storage Service"


def row(
    day: date,
    team: str,
    service: str,
    cost: str,
    *,
    currency: str = "USD",
    description: str = "",
    **extra: str,
) -> dict[str, str]:
    """One FOCUS row for a day; `extra` adds columns such as SkuPriceDetails or x_UsageType."""
    return {
        "ChargePeriodStart": f"{day}T00:00:00Z",
        "ChargePeriodEnd": f"{day + timedelta(days=1)}T00:00:00Z",
        "BilledCost": cost,
        "EffectiveCost": cost,
        "BillingCurrency": currency,
        "ServiceName": service,
        "ChargeDescription": description,
        "Tags": json.dumps({"team": team} if team else {}, ensure_ascii=False),
        **extra,
    }


def days(first: date, last: date, team: str, service: str, cost: str, **kw: Any) -> list[dict[str, str]]:
    return [row(first + timedelta(days=n), team, service, cost, **kw) for n in range((last - first).days + 1)]


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    columns: list[str] = []
    for r in rows:
        columns += [c for c in r if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def write(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    """A CSV (`.csv`), gzip CSV (`.csv.gz`) or Parquet (`.parquet`) export file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(csv_bytes(rows, encoding)))
    else:
        path.write_bytes(csv_bytes(rows, encoding))
    return path


def aws_manifest(
    root: Path, export: str, period: str, execution: str, files: list[str], *, bucket: str = "billing"
) -> Path:
    """AWS Data Exports with "create new report" (overwrite off): `metadata/BILLING_PERIOD=YYYY-MM/<executionId>/
    <export>-Manifest.json` listing the execution's data files as full S3 URIs."""
    start = date.fromisoformat(f"{period}-01")
    end = (start + timedelta(days=32)).replace(day=1)
    manifest = {
        "executionId": execution,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:123456789012:export/{export}-abcd1234",
        "exportName": export,
        "billingPeriod": {"start": f"{start:%Y%m%d}T000000.000Z", "end": f"{end:%Y%m%d}T000000.000Z"},
        "columns": [{"name": "BilledCost", "type": "decimal"}, {"name": "ChargePeriodStart", "type": "timestamp"}],
        "dataFiles": [f"s3://{bucket}/focus/{export}/data/BILLING_PERIOD={period}/{execution}/{f}" for f in files],
        "additionalOutputFiles": [],
    }
    path = root / export / "metadata" / f"BILLING_PERIOD={period}" / execution / f"{export}-Manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest))
    return path


def aws_data(root: Path, export: str, period: str, execution: str, name: str) -> Path:
    return root / export / "data" / f"BILLING_PERIOD={period}" / execution / name


def azure_manifest(folder: Path, container_path: str, run_id: str, start: str, end: str, submitted: str) -> Path:
    """Azure Cost Management's manifest.json beside the run's partitions (blobName is container-relative)."""
    parts = sorted(p.name for p in folder.iterdir() if p.name != "manifest.json")
    manifest = {
        "manifestVersion": "2024-04-01",
        "byteCount": sum((folder / p).stat().st_size for p in parts),
        "blobCount": len(parts),
        "dataRowCount": 0,
        "exportConfig": {
            "exportName": "focus-cost",
            "resourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/"
            "Microsoft.CostManagement/exports/focus-cost",
            "dataVersion": "1.0r2",
            "apiVersion": "2023-07-01-preview",
            "type": "FocusCost",
            "timeFrame": "MonthToDate",
            "granularity": "Daily",
        },
        "deliveryConfig": {
            "partitionData": True,
            "dataOverwriteBehavior": "CreateNewReport",
            "fileFormat": "Csv",
            "compressionMode": "None",
            "containerUri": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
            "Microsoft.Storage/storageAccounts/costs",
            "rootFolderPath": "exports",
        },
        "runInfo": {
            "executionType": "Scheduled",
            "submittedTime": submitted,
            "runId": run_id,
            "startDate": f"{start}T00:00:00",
            "endDate": f"{end}T00:00:00Z",
        },
        "blobs": [{"blobName": f"{container_path}/{p}", "byteCount": 1, "dataRowCount": 1} for p in parts],
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def touch(path: Path, seconds: int) -> None:
    """Set a file's modification time (the delivery order of manifests without their own timestamp)."""
    os.utime(path, (seconds, seconds))
