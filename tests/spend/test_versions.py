"""Versioned exports: only the current version of each billing period counts.

AWS Data Exports with overwrite off ("create new report") and Azure Cost Management exports kept per run
leave several month-to-date versions of the same billing period, each with its manifest. Reading every
file counts the month once per version.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from reports.spend.config import SpendConfig
from reports.spend.sources.focus import FocusSource
from tests.spend.aws import client, moto_server
from tests.spend.focus_files import EC2, S3, aws_data, aws_manifest, azure_manifest, csv_bytes, days, touch, write
from tests.spend.test_digest_alerts import digest_text, run_day

NOV1, NOV20, NOV22 = date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 22)


def total(rows) -> Decimal:
    return sum((r.amount for r in rows), Decimal(0))


def aws_versions(root):
    """Three executions of one export for November; the manifest of the first one was deleted."""
    export = "ritual-focus"
    write(
        aws_data(root, export, "2026-11", "exec-0", "ritual-focus-00001.csv.gz"), days(NOV1, NOV20, "vision", EC2, "7")
    )
    for n, (execution, last) in enumerate([("exec-1", NOV20), ("exec-2", NOV22)], start=1):
        name = "ritual-focus-00001.csv.gz"
        write(aws_data(root, export, "2026-11", execution, name), days(NOV1, last, "vision", EC2, "100"))
        touch(aws_manifest(root, export, "2026-11", execution, [name]), 1_800_000_000 + n * 3600)


def test_aws_export_with_overwrite_off_counts_only_the_latest_execution_of_the_month(tmp_path):
    aws_versions(tmp_path)
    source = FocusSource(SpendConfig(source="focus", focus_path=str(tmp_path)))
    rows = source.fetch(NOV1, NOV22)
    assert total(rows) == Decimal("2200")  # 22 days x 100 from exec-2; not 2,000 + 2,200 + 140
    assert {r.day for r in rows} == {date(2026, 11, d) for d in range(1, 23)}
    assert source.rejected == []


def test_digest_month_to_date_comes_from_the_current_version_only(signed, runtime, slack, focus, deliver, spend_yaml):
    spend_yaml["budgets"] = {}
    aws_versions(focus.folder)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)
    assert "Month to date (November) *$2,200.00*" in digest_text(slack)


def test_azure_runs_in_s3_count_only_the_latest_run_of_each_billing_period():
    runs = [
        ("20261001-20261031", "run-oct", date(2026, 10, 1), date(2026, 10, 31), "2026-11-03T06:00:00.1234567Z"),
        ("20261101-20261130", "run-a", NOV1, NOV20, "2026-11-21T06:12:44.1234567Z"),
        ("20261101-20261130", "run-b", NOV1, NOV22, "2026-11-23T06:10:02.7654321Z"),
    ]
    with moto_server() as url:
        s3 = client("s3", url)
        s3.create_bucket(Bucket="costs")
        for period, run_id, first, last, submitted in reversed(runs):  # upload order says nothing
            prefix = f"exports/focus-cost/{period}/{run_id}"
            body = csv_bytes(days(first, last, "nlp", S3, "50", currency="EUR"))
            s3.put_object(Bucket="costs", Key=f"{prefix}/part_0_0001.csv", Body=body)
            manifest = _azure_manifest_bytes(prefix, run_id, first, last, submitted)
            s3.put_object(Bucket="costs", Key=f"{prefix}/manifest.json", Body=manifest)
        config = SpendConfig(source="focus", focus_path="s3://costs/exports/")
        source = FocusSource(config, s3=s3)
        rows = source.fetch(date(2026, 10, 1), NOV22)
    by_month = {m: total(r for r in rows if r.day.month == m) for m in (10, 11)}
    assert by_month == {10: Decimal("1550"), 11: Decimal("1100")}  # 31 x 50 and 22 x 50 (run-b only)
    assert {r.currency for r in rows} == {"EUR"}


def _azure_manifest_bytes(prefix, run_id, first, last, submitted) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "part_0_0001.csv").write_bytes(b"x")
        return azure_manifest(folder, prefix, run_id, str(first), str(last), submitted).read_bytes()


def test_azure_runs_on_disk_and_a_part_missing_from_the_latest_run_is_named(tmp_path):
    base = tmp_path / "exports" / "focus-cost" / "20261101-20261130"
    old, new = base / "run-a", base / "run-b"
    write(old / "part_0_0001.csv", days(NOV1, NOV20, "nlp", S3, "50", currency="EUR"))
    azure_manifest(
        old, "exports/focus-cost/20261101-20261130/run-a", "run-a", "2026-11-01", "2026-11-20", "2026-11-21T06:12:44Z"
    )
    write(new / "part_0_0001.csv", days(NOV1, NOV22, "nlp", S3, "50", currency="EUR"))
    write(new / "part_0_0002.csv", days(NOV1, NOV1, "nlp", S3, "1", currency="EUR"))
    azure_manifest(
        new, "exports/focus-cost/20261101-20261130/run-b", "run-b", "2026-11-01", "2026-11-22", "2026-11-23T06:10:02Z"
    )
    (new / "part_0_0002.csv").unlink()  # listed in the manifest, gone from the folder

    source = FocusSource(SpendConfig(source="focus", focus_path=str(tmp_path)))
    rows = source.fetch(NOV1, NOV22)
    assert total(rows) == Decimal("1100")
    [(name, reason)] = [(r.file, r.reason) for r in source.rejected]
    assert name == "exports/focus-cost/20261101-20261130/run-b/part_0_0002.csv"
    assert reason == "listed in the export's manifest but missing: the run is incomplete"
