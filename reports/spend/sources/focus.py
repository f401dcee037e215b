"""FOCUS billing exports (FinOps Open Cost & Usage Specification) from a folder or an S3 prefix.

Reads CSV (optionally gzipped) and Parquet files with the spec's columns: ChargePeriodStart, BilledCost or
EffectiveCost, BillingCurrency, ServiceName, Tags (JSON object or map), and for GPU cost the SKU/instance columns
(reports.spend.gpu). How a fetch goes:

1. list the files; read the manifests of the billing periods asked for and keep only the current version of
   each period (reports.spend.sources.manifests);
2. skip folders of other billing periods without opening them (`BILLING_PERIOD=YYYY-MM`, `YYYYMMDD-YYYYMMDD`);
3. aggregate each file in DuckDB (reports.spend.sources.focus_sql); a file that cannot be read is rejected on
   its own, named with the reason in `rejected`, and the others still count.

S3 objects are streamed to a temporary file one at a time, so memory stays flat whatever the export's size.
Exports carry no forecast: reports.spend.analysis projects the month end instead.
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bot.deferred import aws_config
from reports.spend.config import SpendConfig
from reports.spend.sources import CostRow, Extras, Rejected, SourceError
from reports.spend.sources.focus_sql import FileError, aggregate, connect, describe
from reports.spend.sources.manifests import ExportFile, Manifest, overlaps, parse, select

log = logging.getLogger(__name__)
FOCUS_COSTS = ("BilledCost", "EffectiveCost")
MISSING = "listed in the export's manifest but missing: the run is incomplete"


class FocusSource:
    name = "focus"

    def __init__(self, config: SpendConfig, *, s3: Any = None) -> None:
        self.config = config
        self.path = config.focus_path
        self.metric = config.metric if config.metric in FOCUS_COSTS else "BilledCost"
        self.rejected: list[Rejected] = []
        self.files: _Files
        if self.path.startswith("s3://"):
            client = s3 or boto3.client(
                "s3", region_name=config.region, endpoint_url=config.endpoint_url, config=aws_config()
            )
            self.files = _S3Files(self.path, client)
        else:
            self.files = _LocalFiles(self.path)

    def fetch(self, start: date, end: date) -> list[CostRow]:
        """Daily costs for [start, end] from the current version of every export file; see `rejected`."""
        self.rejected = []
        listed = self.files.list()
        manifests = [
            m for m in (self._manifest(f) for f in listed if f.is_manifest and overlaps(f.key, start, end)) if m
        ]
        chosen = select(listed, manifests)
        self.rejected += [Rejected(name, MISSING) for name in chosen.missing]
        wanted = [f for f in chosen.read if overlaps(f.key, start, end)]  # other billing periods: not opened
        totals: dict[tuple[date, str, str, bool, str], Decimal] = defaultdict(Decimal)
        con = connect()
        try:
            for r in self._aggregate_all(con, wanted, start, end):
                totals[(r.day, r.team, r.service, r.gpu, r.currency)] += r.amount
        finally:
            con.close()
        for bad in self.rejected:
            log.warning("focus file rejected file=%s reason=%s", bad.file, bad.reason)
        return [
            CostRow(day=d, team=t, service=s, gpu=g, currency=c, amount=a)
            for (d, t, s, g, c), a in sorted(totals.items())
        ]

    def extras(self, today: date, teams: list[str]) -> Extras:
        return Extras()

    def _manifest(self, f: ExportFile) -> Manifest | None:
        try:
            return parse(f, self.files.read(f))
        except (ValueError, FileError) as exc:
            self.rejected.append(Rejected(f.key, str(exc)))
            return None

    def _aggregate_all(self, con: Any, files: list[ExportFile], start: date, end: date) -> list[CostRow]:
        """Files on disk: those with the same columns in one scan; if a scan fails, file by file to find the
        bad ones. S3 objects: one at a time, each streamed to a temporary file."""
        if not isinstance(self.files, _LocalFiles):
            return [r for f in files for r in self._one(con, f, start, end)]
        groups: dict[tuple[tuple[str, str], ...], list[ExportFile]] = defaultdict(list)
        for f in files:
            try:
                groups[describe(con, self.files.path(f), self.metric)].append(f)
            except FileError as exc:
                self.rejected.append(Rejected(f.key, str(exc)))
        found: list[CostRow] = []
        for columns, group in groups.items():
            kinds = {f.key.lower().endswith(".parquet") for f in group}
            if len(group) > 1 and len(kinds) == 1:
                try:
                    found += self._run(con, [self.files.path(f) for f in group], columns, start, end)
                    continue
                except FileError:
                    pass  # one of them is bad: find which
            for f in group:
                found += self._one(con, f, start, end)
        return found

    def _one(self, con: Any, f: ExportFile, start: date, end: date) -> list[CostRow]:
        try:
            with self.files.local(f) as path:
                return self._run(con, [path], describe(con, path, self.metric), start, end)
        except FileError as exc:
            self.rejected.append(Rejected(f.key, str(exc)))
            return []

    def _run(
        self, con: Any, paths: list[str], columns: tuple[tuple[str, str], ...], start: date, end: date
    ) -> list[CostRow]:
        tag = self.config.group_tag
        return aggregate(con, paths, columns, metric=self.metric, tag=tag, start=start, end=end)


class _Files:
    def list(self) -> list[ExportFile]:
        raise NotImplementedError

    def read(self, f: ExportFile) -> bytes:
        raise NotImplementedError

    def local(self, f: ExportFile) -> Any:
        raise NotImplementedError


class _LocalFiles(_Files):
    def __init__(self, path: str) -> None:
        self.root = Path(path)

    def list(self) -> list[ExportFile]:
        if not self.root.is_dir():
            raise SourceError(f"FOCUS export folder {self.root} is missing; the next run catches up")
        return [
            ExportFile(p.relative_to(self.root).as_posix(), p.stat().st_mtime)
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        ]

    def read(self, f: ExportFile) -> bytes:
        return (self.root / f.key).read_bytes()

    def path(self, f: ExportFile) -> str:
        return str(self.root / f.key)

    @contextmanager
    def local(self, f: ExportFile) -> Iterator[str]:
        yield str(self.root / f.key)


class _S3Files(_Files):
    def __init__(self, path: str, client: Any) -> None:
        self.path = path
        self.bucket, _, self.prefix = path.removeprefix("s3://").partition("/")
        self.s3 = client

    def list(self) -> list[ExportFile]:
        found = []
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    modified = item["LastModified"].timestamp() if item.get("LastModified") else 0.0
                    found.append(ExportFile(item["Key"], modified, str(item.get("ETag", "")).strip('"')))
        except (ClientError, BotoCoreError) as exc:
            raise SourceError(
                f"FOCUS exports in {self.path} unreadable ({_code(exc)}); the next run catches up"
            ) from None
        return found

    def read(self, f: ExportFile) -> bytes:
        try:
            return self.s3.get_object(Bucket=self.bucket, Key=f.key)["Body"].read()
        except (ClientError, BotoCoreError) as exc:
            raise FileError(f"could not be read from S3 ({_code(exc)})") from None

    @contextmanager
    def local(self, f: ExportFile) -> Iterator[str]:
        """The object streamed to a temporary file (named like it: DuckDB reads the suffix), removed after."""
        suffix = next(s for s in (".csv.gz", ".parquet", ".csv") if f.key.lower().endswith(s))
        with tempfile.TemporaryDirectory(prefix="ritualbot-focus-") as tmp:
            path = Path(tmp) / f"export{suffix}"
            try:
                with path.open("wb") as out:
                    self.s3.download_fileobj(self.bucket, f.key, out)
            except (ClientError, BotoCoreError) as exc:
                raise FileError(f"could not be read from S3 ({_code(exc)})") from None
            yield str(path)


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__))
