"""FOCUS exports in S3 are aggregated by DuckDB where they are (pyarrow's S3 filesystem, no copy), against moto's
S3 server: CSV, gzip CSV and Parquet objects, export versions with manifests, a bad object beside good ones, two
currencies; credentials from boto3's chain, timeouts from aws_config()."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import boto3
import pytest

from bot.deferred import aws_config
from reports.spend.config import SpendConfig
from reports.spend.sources.focus import FocusSource
from reports.spend.sources.s3 import S3Files, arrow_filesystem
from tests.spend.aws import client
from tests.spend.focus_files import EC2, S3, days, row, write
from tests.spend.s3_server import S3Server, s3_server
from tests.spend.test_bad_files import REASONS, bad_and_good
from tests.spend.test_versions import aws_versions

DAY = date(2026, 11, 22)
NOV1 = date(2026, 11, 1)
BUCKET = "billing"


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


def upload(s3, folder: Path, prefix: str = "focus") -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{path.relative_to(folder).as_posix()}", Body=path.read_bytes())


def source(s3, prefix: str = "focus/") -> FocusSource:
    return FocusSource(SpendConfig(source="focus", focus_path=f"s3://{BUCKET}/{prefix}"), s3=s3)


def by_currency(rows) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for r in rows:
        found[r.currency] = found.get(r.currency, Decimal(0)) + r.amount
    return found


def test_csv_gzip_csv_and_parquet_objects_are_read_in_place_and_currencies_kept_apart(s3, server, tmp_path):
    write(tmp_path / "a.csv", [row(DAY, "vision", EC2, "20.52"), row(DAY, "nlp", S3, "0.48")])
    write(tmp_path / "b.csv.gz", [row(DAY, "vision", EC2, "1.98", currency="EUR")])
    write(tmp_path / "c.parquet", days(NOV1, DAY, "vision", EC2, "1.000001"))
    upload(s3, tmp_path)
    server.record()

    found = source(s3)
    rows = found.fetch(DAY, DAY)

    assert found.rejected == []
    assert by_currency(rows) == {"USD": Decimal("22.000001"), "EUR": Decimal("1.98")}  # never $22.50 + ...
    assert {(r.team, r.currency) for r in rows} == {("vision", "USD"), ("nlp", "USD"), ("vision", "EUR")}
    # read where they are: the Parquet object in byte ranges (footer, then the columns asked for), never whole
    parquet = [r for r in server.requests() if r.method == "GET" and r.key == "focus/c.parquet"]
    assert parquet and all(r.range.startswith("bytes=") for r in parquet)


def test_two_export_versions_in_s3_count_only_the_current_one(s3, tmp_path):
    aws_versions(tmp_path)  # exec-0 without manifest, exec-1 and exec-2 with theirs; uploaded in that order
    upload(s3, tmp_path)
    found = source(s3)
    rows = found.fetch(NOV1, DAY)
    assert sum(r.amount for r in rows) == Decimal("2200")  # exec-2: 22 days x 100; not 2,000 + 2,200 + 140
    assert found.rejected == []


def test_a_bad_object_beside_good_ones_is_named_and_skipped_as_on_disk(s3, tmp_path):
    bad_and_good(tmp_path)
    upload(s3, tmp_path)
    found = source(s3)
    rows = found.fetch(DAY, DAY)
    assert sorted((r.team, r.amount) for r in rows) == [("nlp", Decimal("5.00")), ("vision", Decimal("120.00"))]
    assert {r.file.removeprefix("focus/"): r.reason for r in found.rejected} == REASONS


def test_credentials_come_from_the_environment_and_timeouts_from_aws_config(server, s3, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-from-env")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # boto3 keeps the first credentials a test found
    write(tmp_path / "a.parquet", [row(DAY, "vision", EC2, "3.00")])
    upload(s3, tmp_path)
    config = SpendConfig(source="focus", focus_path=f"s3://{BUCKET}/focus/", endpoint_url=server.url)
    found = FocusSource(config)  # no client handed in: boto3's own chain, here the environment

    assert [(r.team, r.amount) for r in found.fetch(DAY, DAY)] == [("vision", Decimal("3.00"))]
    assert isinstance(found.files, S3Files)
    options = arrow_filesystem(found.files.s3).__reduce__()[1][0]  # what pyarrow was given
    assert (options["access_key"], options["session_token"]) == ("from-env", "token-from-env")
    assert options["connect_timeout"] == aws_config().connect_timeout
    assert options["request_timeout"] == aws_config().read_timeout
    assert options["endpoint_override"] == server.url.removeprefix("http://")
