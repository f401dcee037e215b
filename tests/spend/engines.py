"""A FOCUS export of three providers for the engine tests, and DuckDB tables over it shaped the way Athena's and
BigQuery's FOCUS tables are (Tags as a map, as JSON text, as key/value structs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from reports.spend.sources.focus_sql import connect
from tests.spend.focus_files import EC2, S3, days, row, write

START, END = date(2026, 11, 29), date(2026, 12, 2)
GPU_COLUMNS = ("x_UsageType", "x_SkuMeterName", "SkuId", "ChargeDescription")


def export(root: Path) -> Path:
    """Two billing-period folders in the window (AWS in USD, Azure in EUR, GCP in USD), one outside it whose rows
    claim days inside (pruned by folder, never read), rows before and after the window, untagged rows, AWS's
    `user:` tag key, GPU SKUs of each provider and the load balancer that only mentions "L4"."""
    nov, dec, sep = (root / f"BILLING_PERIOD={p}" for p in ("2026-11", "2026-12", "2026-09"))
    write(
        nov / "aws.csv",
        days(
            date(2026, 11, 27), date(2026, 11, 30), "vision", EC2, "10.1234567891", x_UsageType="BoxUsage:p4d.24xlarge"
        )
        + days(date(2026, 11, 29), date(2026, 11, 30), "", S3, "0.0000000003", x_UsageType="TimedStorage-ByteHrs")
        + [
            row(date(2026, 11, 30), "", "Elastic Load Balancing", "1.25", x_UsageType="LoadBalancerUsage L4"),
            row(date(2026, 11, 30), "", EC2, "2.50", x_UsageType="BoxUsage:m5.large")
            | {"Tags": '{"user:team": "nlp"}'},
        ],
    )
    write(
        nov / "azure.csv",
        days(
            date(2026, 11, 29),
            date(2026, 11, 30),
            "nlp",
            "Virtual Machines",
            "3.3",
            currency="EUR",
            x_SkuMeterName="NC24ads A100 v4",
        ),
    )
    write(
        dec / "gcp.csv",
        days(date(2026, 12, 1), date(2026, 12, 3), "vision", "Compute Engine", "7.77", SkuId="A2 Instance Core")
        + days(date(2026, 12, 1), date(2026, 12, 2), "vision", "Compute Engine", "1.01", description="N2 Core"),
    )
    write(sep / "stray.csv", [row(date(2026, 12, 1), "vision", EC2, "999")])
    return root


def focus_table(con: duckdb.DuckDBPyConnection, root: Path, name: str, tags: str) -> None:
    """The export's files as one typed table `name` (dotted: schema.table or catalog.schema.table), Tags stored as
    `tags` says, the billing-period folder as column BILLING_PERIOD (as Athena's partition column)."""
    parts = name.split(".")
    if len(parts) == 3:
        con.execute(f"ATTACH ':memory:' AS {parts[0]}")
    if len(parts) > 1:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {'.'.join(parts[:-1])}")
    tag_value = {
        "json": "Tags",
        "map": "CAST(Tags::JSON AS MAP(VARCHAR, VARCHAR))",
        "array": "map_entries(CAST(Tags::JSON AS MAP(VARCHAR, VARCHAR)))",
    }[tags]
    files = [str(p) for p in sorted(root.rglob("*.csv"))]
    con.execute(
        f"""
        CREATE TABLE {name} AS
        SELECT * REPLACE (
            CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart,
            CAST(BilledCost AS DECIMAL(38, 10)) AS BilledCost,
            {tag_value} AS Tags
        )
        FROM read_csv($files, all_varchar = true, union_by_name = true, hive_partitioning = true)
        """,
        {"files": files},
    )


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    return connect()
