"""Reading only what changed since the last sync: which billing periods must be aggregated again.

The unit is the billing period (a month). A month is read again when the set of export files that can hold its
days (its `BILLING_PERIOD=`/`YYYYMMDD-YYYYMMDD` folder's current version, plus files in no period folder) is not
the one read last time (a file added, changed, replaced by a new version or deleted: ETag/size in S3, mtime/size
on disk), or when those files held days after the last day stored then. Otherwise its stored rows stand and no
object of it is opened. A month read again replaces all its stored days up to yesterday, so a dropped or replaced
version's rows go with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from reports.spend.sources import CostRow, Rejected
from reports.spend.sources.manifests import ExportFile, period_of


@dataclass
class Known:
    """What the last sync stored: object key -> (version, detail); month 'YYYY-MM' -> (fingerprint, detail)."""

    objects: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    periods: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Period:
    """A month read again: its days [first, last] are replaced by `rows`."""

    month: str
    first: date
    last: date
    rows: list[CostRow]


@dataclass
class Changes:
    periods: list[Period] = field(default_factory=list)  # months read again
    kept: list[str] = field(default_factory=list)  # months whose files did not change: not opened
    objects: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)  # key -> period, version, detail
    states: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # month -> fingerprint, detail
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def rows(self) -> list[CostRow]:
        return [r for p in self.periods for r in p.rows]


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def months(start: date, end: date) -> list[str]:
    found, day = [], start.replace(day=1)
    while day <= end:
        found.append(month_of(day))
        day = (day + timedelta(days=32)).replace(day=1)
    return found


def files_of(month: str, chosen: list[ExportFile]) -> list[ExportFile]:
    """The files that can hold the month's days: its period folder's, and those in no period folder."""
    first, _ = bounds(month)
    return [f for f in chosen if (p := period_of(f.key)) is None or p[0] == first]


def fingerprint(files: list[ExportFile]) -> str:
    if not files:
        return ""
    text = "\n".join(sorted(f"{f.key}\t{f.version}" for f in files))
    return hashlib.sha256(text.encode()).hexdigest()


def unchanged(month: str, files: list[ExportFile], known: Known, end: date) -> bool:
    """True when the month's files are the ones read last time and held no day after the last one stored."""
    old_print, old = known.periods.get(month, ("", {}))
    if fingerprint(files) != old_print:
        return False
    if not files:
        return True
    stored_to, latest = old.get("to"), old.get("latest")
    if stored_to is None:
        return False
    wanted = min(bounds(month)[1], end).isoformat()
    return wanted <= stored_to or latest is None or latest <= stored_to


def period_state(month: str, files: list[ExportFile], rows: list[CostRow], end: date, rejected: list[Rejected]):
    """The stored state of a month just read: the files' fingerprint, the last day stored, the latest day seen."""
    latest = max((r.day for r in rows), default=None)
    last = min(bounds(month)[1], end)
    detail = {
        "to": last.isoformat(),
        "latest": latest.isoformat() if latest else None,
        "rejected": [{"file": r.file, "reason": r.reason} for r in rejected],
    }
    return fingerprint(files), detail
