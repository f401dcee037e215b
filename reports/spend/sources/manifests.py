"""Which export files to read: the current version of each billing period, per the providers' manifests.

AWS Data Exports (CUR 2.0 / FOCUS) write `<export>/data/BILLING_PERIOD=YYYY-MM/...` and a `Manifest.json` under
`<export>/metadata/BILLING_PERIOD=YYYY-MM/` listing the execution's `dataFiles` (full S3 URIs) with its
`executionId`, `exportArn` and `billingPeriod`. With overwrite off ("create new report") every execution keeps
its own folder and manifest. Azure Cost Management writes, per run, `<export>/<YYYYMMDD-YYYYMMDD>/<run>/` with
the partitions and a `manifest.json` (`manifestVersion`, `exportConfig`, `runInfo.submittedTime`,
`runInfo.startDate`, `blobs[].blobName`, container-relative). Each version is month-to-date, so reading them
all counts the month once per version: only the newest manifest of each export and billing period counts.

Files that no manifest lists are read as they are, unless they sit in a billing period of an export whose
current manifest does not list them (a version whose manifest was deleted, or a stray older part).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

log = logging.getLogger(__name__)

DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
_AWS_PERIOD = re.compile(r"(?:^|/)BILLING_PERIOD=(\d{4})-(\d{2})(?:/|$)")
_AZURE_PERIOD = re.compile(r"(?:^|/)(\d{4})(\d{2})01-\d{8}(?:/|$)")


@dataclass(frozen=True)
class ExportFile:
    """A file under the configured root: `key` is its path relative to the root (disk) or its S3 key."""

    key: str
    modified: float = 0.0  # seconds since the epoch (mtime or S3 LastModified)
    etag: str = ""  # S3's ETag; on disk, the mtime in nanoseconds
    size: int = 0

    @property
    def version(self) -> str:
        """What changes when the content does: the ETag (or mtime) and the size."""
        return f"{self.etag}:{self.size}"

    @property
    def is_manifest(self) -> bool:
        return self.key.lower().endswith("manifest.json")

    @property
    def is_data(self) -> bool:
        return self.key.lower().endswith(DATA_SUFFIXES)


@dataclass(frozen=True)
class Manifest:
    key: str
    provider: str  # "AWS" or "Azure"
    export: str
    period: str  # YYYY-MM
    delivered: float  # the version's delivery time: newer wins
    listed: tuple[str, ...]  # data files, as the manifest names them (bucket-relative keys)
    root: str  # the folder whose data files of `period` this export owns


@dataclass
class Selection:
    read: list[ExportFile] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # listed by a current manifest, not found
    superseded: list[ExportFile] = field(default_factory=list)


def period_of(key: str) -> tuple[date, date] | None:
    """The billing period a path's folders name (`BILLING_PERIOD=2026-11` or `20261101-20261130`), if any."""
    found = _AWS_PERIOD.search(key) or _AZURE_PERIOD.search(key)
    if not found:
        return None
    first = date(int(found.group(1)), int(found.group(2)), 1)
    last = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def overlaps(key: str, start: date, end: date) -> bool:
    """False only when the path names a billing period entirely outside [start, end] (partition pruning)."""
    period = period_of(key)
    return period is None or (period[0] <= end and period[1] >= start)


def parse(file: ExportFile, data: bytes) -> Manifest | None:
    """The manifest in `data`, None when it is no export manifest we know; ValueError when it is not JSON."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("is not valid JSON: the manifest is damaged") from None
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("dataFiles"), list):
        return _aws(file, doc)
    if isinstance(doc.get("blobs"), list) and "runInfo" in doc:
        return _azure(file, doc)
    log.info("spend manifest ignored key=%s reason=unknown shape", file.key)
    return None


def _aws(file: ExportFile, doc: dict) -> Manifest:
    start = str((doc.get("billingPeriod") or {}).get("start") or "")
    period = _month(start) or _path_month(file.key)
    root = file.key.split("/metadata/")[0] if "/metadata/" in file.key else _parent(_parent(file.key))
    export = str(doc.get("exportArn") or doc.get("exportName") or root)
    delivered = _epoch(str(doc.get("deliveryTime") or "")) or file.modified
    listed = tuple(_bucket_key(str(u)) for u in doc["dataFiles"])
    return Manifest(file.key, "AWS", export, period, delivered, listed, root)


def _azure(file: ExportFile, doc: dict) -> Manifest:
    run = doc.get("runInfo") or {}
    config = doc.get("exportConfig") or {}
    period = _month(str(run.get("startDate") or "")) or _path_month(file.key)
    match = _AZURE_PERIOD.search(file.key)
    root = file.key[: match.start()] if match else _parent(_parent(file.key))
    export = str(config.get("resourceId") or config.get("exportName") or root)
    delivered = _epoch(str(run.get("submittedTime") or "")) or file.modified
    listed = tuple(str(b.get("blobName") or "").strip().lstrip("/") for b in doc["blobs"] if isinstance(b, dict))
    return Manifest(file.key, "Azure", export, period, delivered, tuple(n for n in listed if n), root)


def select(files: Iterable[ExportFile], manifests: Iterable[Manifest]) -> Selection:
    """The data files to read: those of the current manifests, and those no manifest governs."""
    data = [f for f in files if f.is_data]
    current: dict[tuple[str, str, str], Manifest] = {}
    for m in manifests:
        key = (m.provider, m.export, m.period)
        if key not in current or (m.delivered, m.key) > (current[key].delivered, current[key].key):
            current[key] = m
    index = _Index(data)
    chosen: dict[str, ExportFile] = {}
    found = Selection()
    listed_anywhere: set[str] = set()
    for m in manifests:
        is_current = current[(m.provider, m.export, m.period)] is m
        for name in m.listed:
            hit = index.find(name)
            if hit is None:
                if is_current:
                    found.missing.append(name)
                continue
            listed_anywhere.add(hit.key)
            if is_current:
                chosen[hit.key] = hit
    for f in data:
        if f.key in chosen:
            continue
        owner = _governed(f, current.values())
        if f.key in listed_anywhere or owner is not None:
            found.superseded.append(f)
        else:
            chosen[f.key] = f
    found.read = sorted(chosen.values(), key=lambda f: f.key)
    if found.superseded:
        log.info("spend export versions superseded files=%d (older versions are not counted)", len(found.superseded))
    return found


def _governed(f: ExportFile, current: Iterable[Manifest]) -> Manifest | None:
    """The current manifest that owns this unlisted file's billing period, if one does."""
    month = _path_month(f.key)
    for m in current:
        if month and month == m.period and (not m.root or f.key.startswith(m.root + "/")):
            return m
    return None


class _Index:
    """Finds the file a manifest names: the same key, or one ending in the other (roots differ by a prefix)."""

    def __init__(self, files: list[ExportFile]) -> None:
        self.by_name: dict[str, list[ExportFile]] = {}
        for f in files:
            self.by_name.setdefault(f.key.rsplit("/", 1)[-1], []).append(f)

    def find(self, name: str) -> ExportFile | None:
        for f in self.by_name.get(name.rsplit("/", 1)[-1], []):
            if f.key == name or name.endswith("/" + f.key) or f.key.endswith("/" + name):
                return f
        return None


def _bucket_key(uri: str) -> str:
    """`s3://bucket/a/b.csv.gz` -> `a/b.csv.gz`."""
    text = uri.strip()
    if text.startswith("s3://"):
        text = text[5:].partition("/")[2]
    return text.lstrip("/")


def _parent(key: str) -> str:
    return key.rsplit("/", 1)[0] if "/" in key else ""


def _month(text: str) -> str:
    """YYYY-MM from '2026-11-01T00:00:00', '20261101T000000.000Z' or '2026-11-01'."""
    digits = re.match(r"^(\d{4})-?(\d{2})", text.strip())
    return f"{digits.group(1)}-{digits.group(2)}" if digits else ""


def _path_month(key: str) -> str:
    period = period_of(key)
    return f"{period[0]:%Y-%m}" if period else ""


def _epoch(text: str) -> float:
    """Seconds since the epoch from an ISO time with up to 7 fractional digits; 0 when unreadable."""
    found = re.match(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?", text.strip())
    if not found:
        return 0.0
    when = datetime.fromisoformat(f"{found.group(1)}T{found.group(2)}").replace(tzinfo=UTC)
    return when.timestamp() + float(found.group(3) or 0)


def dump(m: Manifest) -> dict[str, object]:
    """The parsed manifest as JSON, kept with the sync state so an unchanged manifest is not read again."""
    return {**asdict(m), "listed": list(m.listed)}


def load(doc: dict[str, object]) -> Manifest:
    return Manifest(**{**doc, "listed": tuple(doc["listed"])})  # type: ignore[arg-type]
