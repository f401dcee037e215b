"""One bad export file beside good ones: each file is loaded or rejected on its own, the rejected ones are
named with the reason in the digest and in /spend, and the good files still count."""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal

from reports.spend import store
from reports.spend.config import SpendConfig, load
from reports.spend.sources.focus import FocusSource
from tests.digest import view
from tests.spend.focus_files import EC2, S3, csv_bytes, row, write
from tests.spend.test_digest_alerts import run_day

DAY = date(2026, 11, 22)


def bad_and_good(folder):
    write(folder / "good.csv", [row(DAY, "vision", EC2, "100.00"), row(DAY, "nlp", S3, "5.00")])
    write(folder / "good.parquet", [row(DAY, "vision", EC2, "20.00")])
    whole = gzip.compress(csv_bytes([row(DAY, "vision", EC2, "999.00")] * 200))
    (folder / "truncated.csv.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "corrupt.parquet").write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    write(folder / "latin1.csv", [row(DAY, "café", EC2, "7.00")], encoding="latin-1")
    (folder / "cur.csv").write_text("lineItem/UnblendedCost,lineItem/UsageStartDate\n1.0,2026-11-22\n")
    write(folder / "typo.csv", [row(DAY, "vision", EC2, "12,50")])


REASONS = {
    "corrupt.parquet": "not a readable Parquet file",
    "cur.csv": "has no BilledCost column: is it a FOCUS export?",
    "latin1.csv": "is not UTF-8 text (FOCUS CSV files are UTF-8): re-export it as UTF-8",
    "truncated.csv.gz": "the gzip stream ends early: the file is truncated",
    "typo.csv": "line 2: BilledCost '12,50' is not a number",
}


def test_each_file_is_loaded_or_rejected_on_its_own(tmp_path):
    bad_and_good(tmp_path)
    source = FocusSource(SpendConfig(source="focus", focus_path=str(tmp_path)))
    rows = source.fetch(DAY, DAY)
    assert sorted((r.team, r.amount) for r in rows) == [("nlp", Decimal("5.00")), ("vision", Decimal("120.00"))]
    assert {r.file: r.reason for r in source.rejected} == REASONS


def test_digest_and_spend_name_the_rejected_files_and_still_count_the_good_ones(
    signed, runtime, slack, focus, deliver, settings, clock, spend_yaml
):
    spend_yaml["budgets"] = {}
    bad_and_good(focus.folder)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)
    [digest] = view.digests(slack)
    blocks = str([m["blocks"] for m in digest])
    assert "Yesterday *$125.00*" in blocks
    assert "No cost data stored yet" not in blocks
    assert (
        ":warning: 5 export files were skipped, their costs are missing: corrupt.parquet (not a readable Parquet "
        "file); cur.csv (has no BilledCost column: is it a FOCUS export?); latin1.csv (is not UTF-8 text" in blocks
    )

    answer = signed.command("/spend", "vision").json()
    assert answer["text"].startswith("*vision* spent $120.00 this month (to 22 Nov).")
    assert (
        "5 export files were skipped" in answer["text"]
        and "truncated.csv.gz (the gzip stream ends early" in (answer["text"])
    )


def test_a_folder_of_another_billing_period_is_never_opened(tmp_path):
    """Partition pruning: a broken January file is not even read when syncing November."""
    write(tmp_path / "data" / "BILLING_PERIOD=2026-11" / "part-1.parquet", [row(DAY, "vision", EC2, "3.00")])
    old = tmp_path / "data" / "BILLING_PERIOD=2026-01" / "part-1.parquet"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"not parquet at all")
    source = FocusSource(SpendConfig(source="focus", focus_path=str(tmp_path)))
    rows = source.fetch(date(2026, 11, 1), DAY)
    assert [(r.team, r.amount) for r in rows] == [("vision", Decimal("3.00"))]
    assert source.rejected == []


def test_rejected_files_are_kept_with_the_sync_state(tmp_path, database, clock):
    bad_and_good(tmp_path)
    config = load_settings(tmp_path)
    with database.session() as s:
        state = store.sync(s, store.build_source(config), config, clock.now())
        assert state.last_error is None
        assert [r["file"] for r in state.snapshot["rejected"]] == sorted(REASONS)


def load_settings(path) -> SpendConfig:
    from bot.config import Settings

    return load(Settings(file={"spend": {"source": "focus", "focus": {"path": str(path)}}}))


def test_status_line_counts_the_skipped_files(runtime, focus, settings, clock):
    from reports.spend.capability import status

    bad_and_good(focus.folder)
    config = load(settings)
    with runtime.database.session() as s:
        store.sync(s, store.build_source(config), config, clock.now())
        [line] = status(s, "T0001", None)
    assert line.detail.endswith("synced 23 Nov 09:00 UTC; 5 export files skipped (see the digest)")


def test_files_read_in_one_scan_are_still_checked_one_by_one(tmp_path):
    """Good files are one DuckDB scan; one without the cost column beside them is named, not read as empty."""
    write(tmp_path / "a.csv", [row(DAY, "vision", EC2, "1.00")])
    write(tmp_path / "b.csv", [row(DAY, "vision", EC2, "2.00")])
    write(tmp_path / "c.csv", [row(DAY, "vision", EC2, "4.00", SkuId="X")])  # other columns: its own scan
    (tmp_path / "d.csv").write_text("ChargePeriodStart,Cost\n2026-11-22T00:00:00Z,8\n")
    source = FocusSource(SpendConfig(source="focus", focus_path=str(tmp_path)))
    assert [(r.team, r.amount) for r in source.fetch(DAY, DAY)] == [("vision", Decimal("7.00"))]
    assert [(r.file, r.reason) for r in source.rejected] == [
        ("d.csv", "has no BilledCost column: is it a FOCUS export?")
    ]
