"""FOCUS billing exports (FinOps Open Cost & Usage Specification) from a folder or an S3 prefix.

Reads CSV (optionally gzipped) and Parquet files with the spec's columns: ChargePeriodStart, BilledCost or
EffectiveCost, BillingCurrency, ServiceName, Tags (JSON object or map), and for GPU cost the SKU/instance columns
(reports.spend.gpu). How a sync goes:

1. list the files (with their S3 ETag and size, or mtime and size); read the manifests of the billing periods
   asked for, unless unchanged since the last sync, and keep only the current version of each period
   (reports.spend.sources.manifests);
2. read again only the billing periods whose files changed (reports.spend.sources.changes); folders of other
   billing periods are not opened;
3. aggregate the files in DuckDB (reports.spend.sources.focus_sql); a file that cannot be read is rejected on
   its own, named with the reason in `rejected`, and the others still count.

S3 objects are read where they are (reports.spend.sources.s3): DuckDB scans them through pyarrow's S3
filesystem, with the date filter pushed into the scan. Exports carry no forecast: reports.spend.analysis
projects the month end instead.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from reports.spend.config import SpendConfig
from reports.spend.sources import CostRow, Extras, Rejected, SourceError
from reports.spend.sources.changes import (
    Changes,
    Known,
    Period,
    bounds,
    files_of,
    month_of,
    months,
    period_state,
    unchanged,
)
from reports.spend.sources.focus_sql import FileError, aggregate, connect, describe
from reports.spend.sources.manifests import ExportFile, Manifest, dump, load, overlaps, parse, period_of, select
from reports.spend.sources.s3 import S3Files, arrow_reason

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
        self.files: LocalFiles | S3Files
        if self.path.startswith("s3://"):
            self.files = S3Files(self.path, s3, region=config.region, endpoint=config.endpoint_url)
        else:
            self.files = LocalFiles(self.path)

    def fetch(self, start: date, end: date) -> list[CostRow]:
        """Daily costs for [start, end] from the current version of every export file; see `rejected`."""
        found = self.changes(start, end, Known())
        return [r for r in found.rows if start <= r.day <= end]

    def changes(self, start: date, end: date, known: Known) -> Changes:
        """The billing periods of [start, end] whose files changed since `known`, read again whole (up to `end`);
        the others are not opened. `rejected` names the files left out, of the periods read or kept."""
        found = Changes()
        listed = self.files.list()
        read = [self._manifest(f, known, found) for f in listed if f.is_manifest and overlaps(f.key, start, end)]
        manifests = [m for m in read if m is not None]
        chosen = select(listed, manifests)
        found.rejected += [Rejected(name, MISSING) for name in chosen.missing]
        plan = {m: files_of(m, chosen.read) for m in months(start, end)}
        again = [m for m, files in plan.items() if not unchanged(m, files, known, end)]
        found.kept = [m for m in plan if m not in again]
        for m in found.kept:
            found.states[m] = known.periods[m] if m in known.periods else ("", {})
            found.rejected += [Rejected(r["file"], r["reason"]) for r in found.states[m][1].get("rejected", [])]
        if again:
            self._read(again, plan, end, found)
        for f in listed:
            if f.is_data and overlaps(f.key, start, end):
                found.objects.setdefault(f.key, (_period(f), f.version, {}))
        found.rejected = list(dict.fromkeys(found.rejected))  # a file in no period folder is in every month's list
        self.rejected = found.rejected
        for bad in self.rejected:
            log.warning("focus file rejected file=%s reason=%s", bad.file, bad.reason)
        log.info("focus sync periods read=%s kept=%s", ",".join(again) or "-", ",".join(found.kept) or "-")
        return found

    def extras(self, today: date, teams: list[str]) -> Extras:
        return Extras()

    def _read(self, again: list[str], plan: dict[str, list[ExportFile]], end: date, found: Changes) -> None:
        """Aggregate the months in `again` (whole months: a month read again replaces all its stored days)."""
        files = sorted({f.key: f for m in again for f in plan[m]}.values(), key=lambda f: f.key)
        first, last = bounds(min(again))[0], bounds(max(again))[1]
        rejected: list[Rejected] = []
        con = connect()
        try:
            rows = self._aggregate_all(con, files, first, last, rejected)
        finally:
            con.close()
        found.rejected += rejected
        totals: dict[tuple[date, str, str, bool, str], Decimal] = defaultdict(Decimal)
        for r in rows:
            totals[(r.day, r.team, r.service, r.gpu, r.currency)] += r.amount
        merged = [
            CostRow(day=d, team=t, service=s, gpu=g, currency=c, amount=a)
            for (d, t, s, g, c), a in sorted(totals.items())
        ]
        for m in again:
            mine = [r for r in merged if month_of(r.day) == m]
            keys = {f.key for f in plan[m]}
            last_day = min(bounds(m)[1], end)
            found.periods.append(Period(m, bounds(m)[0], last_day, [r for r in mine if r.day <= last_day]))
            found.states[m] = period_state(m, plan[m], mine, end, [r for r in rejected if r.file in keys])

    def _manifest(self, f: ExportFile, known: Known, found: Changes) -> Manifest | None:
        """The manifest, from the last sync's state when its version is the same (not read again)."""
        version, detail = known.objects.get(f.key, ("", {}))
        if version == f.version and ("manifest" in detail or "error" in detail):
            found.objects[f.key] = (_period(f), version, detail)
        else:
            try:
                parsed = parse(f, self.files.read(f))
                detail = {"manifest": dump(parsed)} if parsed else {"ignored": True}
            except (ValueError, FileError) as exc:
                detail = {"error": str(exc)}
            found.objects[f.key] = (_period(f), f.version, detail)
        if "error" in detail:
            found.rejected.append(Rejected(f.key, detail["error"]))
        return load(detail["manifest"]) if "manifest" in detail else None

    def _aggregate_all(
        self, con: Any, files: list[ExportFile], start: date, end: date, rejected: list[Rejected]
    ) -> list[CostRow]:
        """Files on disk with the same kind and columns in one scan (DuckDB spreads it over its threads); if a scan
        fails, file by file to find the bad ones. S3 objects one scan each: memory stays that of one object."""
        groups: dict[tuple[Any, ...], list[ExportFile]] = defaultdict(list)
        for f in files:
            try:
                columns = describe(con, self._source(con, [f]), self.metric)
                alone = f.key if isinstance(self.files, S3Files) else ""
                groups[(f.key.lower().endswith(".parquet"), columns, alone)].append(f)
            except FileError as exc:
                rejected.append(Rejected(f.key, str(exc)))
        found: list[CostRow] = []
        for (_, columns, _), group in groups.items():
            if len(group) > 1:
                try:
                    found += self._run(con, group, columns, start, end)
                    continue
                except FileError:
                    pass  # one of them is bad: find which
            for f in group:
                try:
                    found += self._run(con, [f], columns, start, end)
                except FileError as exc:
                    rejected.append(Rejected(f.key, str(exc)))
        return found

    def _source(self, con: Any, files: list[ExportFile]) -> str:
        if isinstance(self.files, S3Files):
            return self.files.register(con, files)
        return self.files.path(files[0])

    def _run(
        self, con: Any, files: list[ExportFile], columns: tuple[tuple[str, str], ...], start: date, end: date
    ) -> list[CostRow]:
        if isinstance(self.files, S3Files):
            paths = [self.files.register(con, files)]
        else:
            paths = [self.files.path(f) for f in files]
        try:
            return aggregate(con, paths, columns, metric=self.metric, tag=self.config.group_tag, start=start, end=end)
        except FileError:
            con.abort()  # a scan that failed half-way leaves its result open: drop it before the next one
            raise
        except (OSError, ValueError) as exc:  # pyarrow's, from an S3 object read in place
            con.abort()
            raise FileError(arrow_reason(exc, files[0].key)) from None


def _period(f: ExportFile) -> str:
    period = period_of(f.key)
    return month_of(period[0]) if period else ""


class LocalFiles:
    def __init__(self, path: str) -> None:
        self.root = Path(path)

    def list(self) -> list[ExportFile]:
        if not self.root.is_dir():
            raise SourceError(f"FOCUS export folder {self.root} is missing; the next run catches up")
        found = []
        for p in sorted(self.root.rglob("*")):
            if p.is_file():
                stat = p.stat()
                found.append(
                    ExportFile(p.relative_to(self.root).as_posix(), stat.st_mtime, str(stat.st_mtime_ns), stat.st_size)
                )
        return found

    def read(self, f: ExportFile) -> bytes:
        return (self.root / f.key).read_bytes()

    def path(self, f: ExportFile) -> str:
        return str(self.root / f.key)
