"""Benchmark: ritualbot's FOCUS sync against a bare DuckDB query of the same aggregation, in the same run.

    .venv/bin/python -m bench spend-focus [--rows 1000000] [--ten-million] [--quick]

Generates a FOCUS export locally (Parquet, AWS Data Exports layout with its Manifest.json, November 2026,
split in parts like a real export), then runs, each in a fresh process so peak memory is its own:
  - sync: ritualbot's `store.sync` with the FOCUS source into a throwaway SQLite database (listing, manifests,
    partition pruning, per-file DuckDB aggregation, storing the daily rows);
  - bare: one hand-written DuckDB query of the same aggregation (day x team x service x currency x GPU) over
    the same files.
Targets: sync time <= 1.5 x bare time, sync peak memory <= 2 x bare peak memory; with `--ten-million` the
sync's peak memory at 10 M rows is compared with its peak at 1 M (flat: <= 1.25 x). Both answers must agree
to the cent, or the run fails. Writes bench/results/spend_focus.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
TIME_TARGET, MEMORY_TARGET, FLAT_TARGET = 1.5, 2.0, 1.25
ROWS_PER_PART = 250_000
EXPORT = "ritual-focus"
PERIOD = "2026-11"

BARE_SQL = """
SELECT CAST(ChargePeriodStart AS DATE) AS day,
       coalesce(nullif(json_extract_string(Tags, '$."team"'), ''), '(untagged)') AS team,
       ServiceName AS service, BillingCurrency AS currency,
       regexp_matches(lower(concat_ws(' ', x_UsageType, SkuId, SkuPriceDetails, ChargeDescription)), $gpu) AS gpu,
       SUM(CAST(BilledCost AS DECIMAL(38, 10))) AS amount
FROM read_parquet($files)
WHERE ChargePeriodStart >= TIMESTAMPTZ '2026-11-01 00:00:00+00'
  AND ChargePeriodStart < TIMESTAMPTZ '2026-12-01 00:00:00+00'
GROUP BY ALL
"""


def generate(folder: Path, rows: int) -> list[Path]:
    """A FOCUS export of `rows` rows: 30 days x 6 teams x 4 services, some GPU lines, a few in EUR."""
    import duckdb

    data = folder / EXPORT / "data" / f"BILLING_PERIOD={PERIOD}" / "exec-1"
    data.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    parts = []
    for part, first in enumerate(range(0, rows, ROWS_PER_PART), start=1):
        path = data / f"{EXPORT}-{part:05d}.snappy.parquet"
        con.execute(
            f"""
            COPY (
              SELECT TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_hours(CAST(i % 720 AS INTEGER)) AS ChargePeriodStart,
                     TIMESTAMPTZ '2026-11-01 01:00:00+00' + to_hours(CAST(i % 720 AS INTEGER)) AS ChargePeriodEnd,
                     round(((i * 7919) % 100000) / 1000.0, 6) AS BilledCost,
                     round(((i * 7919) % 100000) / 1100.0, 6) AS EffectiveCost,
                     CASE WHEN i % 50 = 0 THEN 'EUR' ELSE 'USD' END AS BillingCurrency,
                     ['Amazon Elastic Compute Cloud', 'Amazon Simple Storage Service', 'Amazon SageMaker',
                      'AWS Lambda'][1 + i % 4] AS ServiceName,
                     'Usage' AS ChargeCategory,
                     CASE WHEN i % 4 = 0 AND i % 3 = 0 THEN 'USE1-BoxUsage:p4d.24xlarge'
                          WHEN i % 4 = 0 THEN 'USE1-BoxUsage:m5.xlarge' ELSE 'USE1-TimedStorage-ByteHrs' END
                       AS x_UsageType,
                     'SKU' || (i % 997) AS SkuId,
                     '{{"InstanceType":"' || CASE WHEN i % 4 = 0 AND i % 3 = 0 THEN 'p4d.24xlarge' ELSE 'm5.xlarge'
                       END || '"}}' AS SkuPriceDetails,
                     'line item ' || (i % 5003) AS ChargeDescription,
                     'arn:aws:ec2:us-east-1:123456789012:instance/i-' || lpad(CAST(i % 100003 AS VARCHAR), 17, '0')
                       AS ResourceId,
                     'us-east-1' AS RegionId,
                     '123456789012' AS SubAccountId,
                     '{{"team": "' || ['vision', 'nlp', 'speech', 'recsys', 'platform', 'research'][1 + (i // 7) % 6]
                       || '", "env": "prod"}}' AS Tags
              FROM range({first}, {min(first + ROWS_PER_PART, rows)}) t(i)
            ) TO '{path}' (FORMAT parquet, COMPRESSION snappy)
            """
        )
        parts.append(path)
    con.close()
    manifest = {
        "executionId": "exec-1",
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:123456789012:export/{EXPORT}",
        "billingPeriod": {"start": "20261101T000000.000Z", "end": "20261201T000000.000Z"},
        "dataFiles": [f"s3://bench/{p.relative_to(folder).as_posix()}" for p in parts],
    }
    meta = folder / EXPORT / "metadata" / f"BILLING_PERIOD={PERIOD}" / "exec-1" / f"{EXPORT}-Manifest.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps(manifest))
    return parts


def child_sync(folder: str) -> dict[str, Any]:
    from datetime import UTC, datetime

    from bot.db import Database
    from reports.spend import store
    from reports.spend.config import SpendConfig
    from reports.spend.models import SpendBudget, SpendDay, SpendSourceObject, SpendSourceState

    config = SpendConfig(source="focus", focus_path=folder, backfill_days=30, refresh_days=30)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        for model in (SpendDay, SpendBudget, SpendSourceState, SpendSourceObject):
            model.__table__.create(db.engine)  # type: ignore[attr-defined]
        started = time.perf_counter()
        with db.session() as s:
            state = store.sync(s, store.build_source(config), config, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
            assert state.last_error is None, state.last_error
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        with db.session() as s:  # the next day, nothing changed: November is not read again
            again = store.sync(s, store.build_source(config), config, datetime(2026, 12, 2, 6, 0, tzinfo=UTC))
            assert again.last_error is None, again.last_error
        resync = time.perf_counter() - started
        with db.session() as s:
            rows = store.history(s, "focus", datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
            totals = _totals((r.currency, r.amount) for r in rows)
            groups = len(rows)
        db.dispose()
    return {
        "seconds": seconds,
        "resync_seconds": resync,
        "groups": groups,
        "totals": totals,
        "rejected": state.snapshot["rejected"],
    }


def child_bare(folder: str) -> dict[str, Any]:
    import duckdb

    from reports.spend.gpu import SQL_PATTERN

    files = sorted(str(p) for p in Path(folder).rglob("*.parquet"))
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    found = con.execute(BARE_SQL, {"files": files, "gpu": SQL_PATTERN}).fetchall()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "groups": len(found), "totals": _totals((r[3], r[5]) for r in found)}


def _totals(pairs: Any) -> dict[str, str]:
    from decimal import Decimal

    out: dict[str, Decimal] = {}
    for currency, amount in pairs:
        out[currency] = out.get(currency, Decimal(0)) + Decimal(amount)
    return {c: f"{a.quantize(Decimal('0.01'))}" for c, a in sorted(out.items())}


def measure(kind: str, folder: Path) -> dict[str, Any]:
    """Run one side in a fresh interpreter, so its peak memory is its own."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[3]); from bench import spend_focus as b, common; "
        "out = getattr(b, 'child_' + sys.argv[1])(sys.argv[2]); out['peak_mb'] = common.peak_mb(); "
        "print(json.dumps(out))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, kind, str(folder), str(ROOT)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_once(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ritualbot-focus-bench-") as tmp:
        started = time.perf_counter()
        parts = generate(Path(tmp), rows)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in parts)
        bare = measure("bare", Path(tmp))
        sync = measure("sync", Path(tmp))
    if sync["totals"] != bare["totals"] or sync["rejected"]:
        raise RuntimeError(f"sync and bare disagree: {sync['totals']} vs {bare['totals']}, {sync['rejected']}")
    return {
        "rows": rows,
        "files": len(parts),
        "parquet_mb": round(size / 2**20, 1),
        "generate_s": round(generated, 2),
        "groups": sync["groups"],
        "bare_groups": bare["groups"],
        "totals": sync["totals"],
        "sync_s": round(sync["seconds"], 3),
        "bare_s": round(bare["seconds"], 3),
        "resync_unchanged_s": round(sync["resync_seconds"], 3),
        "sync_peak_mb": round(sync["peak_mb"], 1),
        "bare_peak_mb": round(bare["peak_mb"], 1),
        "time_ratio": round(sync["seconds"] / bare["seconds"], 3),
        "memory_ratio": round(sync["peak_mb"] / bare["peak_mb"], 3),
    }


def run(quick: bool = False, rows: int | None = None, ten_million: bool = False) -> dict[str, Any]:
    count = rows or (200_000 if quick else 1_000_000)
    first = run_once(count)
    metrics: dict[str, Any] = {f"{k}": v for k, v in first.items()}
    ok = first["time_ratio"] <= TIME_TARGET and first["memory_ratio"] <= MEMORY_TARGET
    ratio = max(first["time_ratio"] / TIME_TARGET, first["memory_ratio"] / MEMORY_TARGET)
    target = f"sync/bare time <= {TIME_TARGET}, peak memory <= {MEMORY_TARGET} ({count:,} FOCUS rows, Parquet)"
    if ten_million:
        big = run_once(10_000_000)
        metrics["10m"] = big
        flat = big["sync_peak_mb"] / first["sync_peak_mb"]
        metrics["memory_growth_10m_vs_first"] = round(flat, 3)
        ok = ok and flat <= FLAT_TARGET and big["time_ratio"] <= TIME_TARGET and big["memory_ratio"] <= MEMORY_TARGET
        ratio = max(ratio, flat / FLAT_TARGET, big["time_ratio"] / TIME_TARGET, big["memory_ratio"] / MEMORY_TARGET)
        target += f"; at 10 M the same, and sync peak memory <= {FLAT_TARGET} x the smaller run's"
    return {"name": "spend_focus", "target": target, "ratio": round(ratio, 3), "ok": ok, "metrics": metrics}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 rows, for a smoke run")
    parser.add_argument("--rows", type=int, help="rows to generate (default 1,000,000)")
    parser.add_argument("--ten-million", action="store_true", help="also run 10,000,000 rows (flat memory check)")
    args = parser.parse_args(argv)
    result = run(quick=args.quick, rows=args.rows, ten_million=args.ten_million)
    for key, value in result["metrics"].items():
        print(f"{key:<28} {value}")
    print(f"{'target':<28} {result['target']}\n{'ratio':<28} {result['ratio']}\n{'ok':<28} {result['ok']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "spend_focus.json").write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
