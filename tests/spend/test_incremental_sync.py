"""A sync reads only what changed since the last one: per-object state (S3 ETag and size, or a local file's mtime and
size; manifests kept parsed) in spend_source_objects, billing periods whose files did not change are not opened,
a changed one is read again whole and its stored rows replaced, so a deleted or replaced version drops its rows.

Reads are counted where they happen: on moto's S3 server (its recorder: GETs of object keys), and on disk by the
files DuckDB is asked to open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from reports.spend import store
from reports.spend.config import SpendConfig
from reports.spend.models import SpendSourceObject
from reports.spend.sources import focus as focus_module
from reports.spend.sources.focus import FocusSource
from tests.spend.aws import client
from tests.spend.focus_files import EC2, S3, aws_data, aws_manifest, days, write
from tests.spend.s3_server import S3Server, s3_server

BUCKET = "billing"
EXPORT = "ritual-focus"
OCT1, OCT31, NOV1, NOV20, NOV22 = (date(2026, m, d) for m, d in ((10, 1), (10, 31), (11, 1), (11, 20), (11, 22)))


def config(path: str) -> SpendConfig:
    """Every sync's window holds October and November."""
    return SpendConfig(source="focus", focus_path=path, refresh_days=40, backfill_days=60)


def on(day: int) -> datetime:
    return datetime(2026, 11, day, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("moto")) as found:
        yield found


@pytest.fixture
def s3(server: S3Server):
    server.reset()
    found = client("s3", server.url)
    found.create_bucket(Bucket=BUCKET)
    return found


def months(database) -> dict[int, Decimal]:
    with database.session() as s:
        rows = store.history(s, "focus", OCT1, NOV22)
    found: dict[int, Decimal] = {}
    for r in rows:
        found[r.day.month] = found.get(r.day.month, Decimal(0)) + Decimal(r.amount)
    return found


def sync(database, source: FocusSource, when: datetime) -> None:
    with database.session() as s:
        state = store.sync(s, source, source.config, when)
        assert state.last_error is None, state.last_error


def count_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files DuckDB is asked to open (every file is described before it is aggregated)."""
    opened: list[str] = []
    describe = focus_module.describe

    def counting(con, path, metric):
        opened.append(path)
        return describe(con, path, metric)

    monkeypatch.setattr(focus_module, "describe", counting)
    return opened


def put_version(s3, tmp: Path, period: str, execution: str, rows: list[dict[str, str]]) -> tuple[str, str]:
    """One execution of the AWS export for a billing period: its data object and its Manifest.json, in S3."""
    data = aws_data(tmp, EXPORT, period, execution, f"{EXPORT}-00001.csv.gz")
    write(data, rows)
    manifest = aws_manifest(tmp, EXPORT, period, execution, [data.name])
    keys = []
    for path in (data, manifest):
        key = f"focus/{path.relative_to(tmp).as_posix()}"
        s3.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())
        keys.append(key)
    return keys[0], keys[1]


def test_s3_sync_reads_only_the_billing_periods_whose_objects_changed(s3, server, database, tmp_path):
    oct_data, oct_manifest = put_version(s3, tmp_path, "2026-10", "exec-o1", days(OCT1, OCT31, "vision", EC2, "10"))
    put_version(s3, tmp_path, "2026-11", "exec-n1", days(NOV1, NOV20, "nlp", S3, "100", currency="EUR"))
    source = FocusSource(config(f"s3://{BUCKET}/focus/"), s3=s3)

    sync(database, source, on(23))
    assert months(database) == {10: Decimal("310"), 11: Decimal("2000")}

    server.record()
    sync(database, source, on(24))  # nothing changed: only a listing
    assert server.bodies_read() == []
    assert [r.method for r in server.requests()] == ["GET"] and server.requests()[0].key == ""
    assert months(database) == {10: Decimal("310"), 11: Decimal("2000")}

    server.record()
    write(tmp_path / "oct.csv.gz", days(OCT1, OCT31, "vision", EC2, "11"))  # October's object re-delivered
    s3.put_object(Bucket=BUCKET, Key=oct_data, Body=(tmp_path / "oct.csv.gz").read_bytes())
    sync(database, source, on(25))
    assert server.bodies_read() == [oct_data]  # not November's, not the unchanged manifests
    assert months(database) == {10: Decimal("341"), 11: Decimal("2000")}

    server.record()
    n2_data, n2_manifest = put_version(s3, tmp_path, "2026-11", "exec-n2", days(NOV1, NOV22, "nlp", S3, "100"))
    sync(database, source, on(26))
    assert server.bodies_read() == sorted([n2_data, n2_manifest])
    assert months(database) == {10: Decimal("341"), 11: Decimal("2200")}  # exec-n1's rows dropped, not 4,200

    server.record()
    s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": oct_data}, {"Key": oct_manifest}]})
    sync(database, source, on(27))
    assert server.bodies_read() == []
    assert months(database) == {11: Decimal("2200")}  # the deleted export's rows went with it
    with database.session() as s:
        state = {(o.kind, o.key): o for o in s.scalars(select(SpendSourceObject))}
    assert ("period", "2026-10") in state and state[("period", "2026-10")].version == ""
    assert ("object", oct_data) not in state and ("object", n2_manifest) in state
    assert state[("object", n2_manifest)].detail["manifest"]["listed"] == [n2_data]


def test_an_unchanged_bad_object_stays_named_without_being_read_again(s3, server, database, tmp_path):
    put_version(s3, tmp_path, "2026-11", "exec-n1", days(NOV1, NOV20, "nlp", S3, "100"))
    s3.put_object(Bucket=BUCKET, Key="focus/loose/broken.parquet", Body=b"PAR1 not really PAR1")
    source = FocusSource(config(f"s3://{BUCKET}/focus/"), s3=s3)
    sync(database, source, on(23))
    server.record()
    sync(database, source, on(24))
    assert server.bodies_read() == []
    with database.session() as s:
        snapshot = store.state(s, "focus", on(24)).snapshot
    assert {r["file"]: r["reason"] for r in snapshot["rejected"]} == {
        "focus/loose/broken.parquet": "not a readable Parquet file"
    }
    assert months(database) == {11: Decimal("2000")}


def test_local_folder_sync_reads_only_files_whose_mtime_or_size_changed(tmp_path, database, monkeypatch):
    root = tmp_path / "exports"
    october = write(root / "data" / "BILLING_PERIOD=2026-10" / "part-1.csv", days(OCT1, OCT31, "vision", EC2, "10"))
    write(root / "data" / "BILLING_PERIOD=2026-11" / "part-1.parquet", days(NOV1, NOV20, "nlp", S3, "100"))
    opened = count_opened(monkeypatch)
    source = FocusSource(config(str(root)))

    sync(database, source, on(23))
    assert len(opened) == 2 and months(database) == {10: Decimal("310"), 11: Decimal("2000")}

    opened.clear()
    sync(database, source, on(24))
    assert opened == []

    write(october, days(OCT1, OCT31, "vision", EC2, "12.5"))
    sync(database, source, on(25))
    assert opened == [str(october)]
    assert months(database) == {10: Decimal("387.5"), 11: Decimal("2000")}


def test_a_month_is_read_again_when_its_files_held_days_not_yet_stored(tmp_path, database, monkeypatch):
    """Yesterday is the last day stored; an unchanged file that already held today is read again tomorrow."""
    root = tmp_path / "exports"
    write(root / "data" / "BILLING_PERIOD=2026-11" / "part-1.csv", days(NOV1, date(2026, 11, 23), "nlp", S3, "1"))
    opened = count_opened(monkeypatch)
    source = FocusSource(config(str(root)))
    sync(database, source, on(23))
    assert months(database) == {11: Decimal("22")}  # to 22 Nov: the 23rd is today
    sync(database, source, on(24))
    assert len(opened) == 2
    with database.session() as s:
        assert store.last_day(s, "focus") == date(2026, 11, 23)
