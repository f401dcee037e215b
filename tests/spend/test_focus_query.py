"""The FOCUS aggregation written once (reports.spend.sources.focus_query): run on DuckDB it gives the file path's
rows; its Athena and BigQuery renderings parse in their dialects and, read back into DuckDB, give the same rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlglot

from reports.spend.config import SpendConfig
from reports.spend.sources import CostRow
from reports.spend.sources.focus import FocusSource
from reports.spend.sources.focus_query import FocusTable, aggregation, billing_periods, cost_row
from tests.spend.engines import END, GPU_COLUMNS, START, duckdb_connection, export, focus_table


def rows_of(con, sql: str) -> list[CostRow]:
    found = [cost_row(list(r)) for r in con.execute(sql).fetchall()]
    return sorted((r for r in found if r), key=lambda r: (r.day, r.team, r.service, r.currency, r.gpu))


def file_path_rows(root: Path) -> list[CostRow]:
    rows = FocusSource(SpendConfig(source="focus", focus_path=str(root))).fetch(START, END)
    return sorted(rows, key=lambda r: (r.day, r.team, r.service, r.currency, r.gpu))


@pytest.mark.parametrize("tags", ["json", "map", "array"])
def test_the_one_sql_on_duckdb_gives_the_file_paths_rows(tmp_path: Path, tags: str) -> None:
    root = export(tmp_path / "focus")
    expected = file_path_rows(root)
    con = duckdb_connection()
    focus_table(con, root, "focus", tags)
    table = FocusTable("focus", tags=tags, gpu_columns=GPU_COLUMNS, partition="BILLING_PERIOD")

    got = rows_of(con, aggregation(table, START, END, "duckdb"))

    assert got == expected
    # the figures themselves, by hand: the window is Nov 29 - Dec 2; the September folder is never counted
    by_key = {(r.day.isoformat(), r.team, r.service, r.currency, r.gpu): r.amount for r in got}
    ec2, s3 = "Amazon Elastic Compute Cloud", "Amazon Simple Storage Service"
    assert by_key == {
        ("2026-11-29", "vision", ec2, "USD", True): Decimal("10.1234567891"),  # p4d: GPU
        ("2026-11-30", "vision", ec2, "USD", True): Decimal("10.1234567891"),
        ("2026-11-29", "(untagged)", s3, "USD", False): Decimal("0.0000000003"),  # exact to the last digit
        ("2026-11-30", "(untagged)", s3, "USD", False): Decimal("0.0000000003"),
        ("2026-11-30", "(untagged)", "Elastic Load Balancing", "USD", False): Decimal("1.25"),  # "L4" alone: not GPU
        ("2026-11-30", "nlp", ec2, "USD", False): Decimal("2.50"),  # AWS's user:team key
        ("2026-11-29", "nlp", "Virtual Machines", "EUR", True): Decimal("3.3"),  # Azure NC A100, in EUR
        ("2026-11-30", "nlp", "Virtual Machines", "EUR", True): Decimal("3.3"),
        ("2026-12-01", "vision", "Compute Engine", "USD", True): Decimal("7.77"),  # GCP "A2 Instance Core"
        ("2026-12-02", "vision", "Compute Engine", "USD", True): Decimal("7.77"),
        ("2026-12-01", "vision", "Compute Engine", "USD", False): Decimal("1.01"),  # N2: not GPU
        ("2026-12-02", "vision", "Compute Engine", "USD", False): Decimal("1.01"),
    }


def test_athena_sql_is_trino_and_gives_the_same_rows_read_back_into_duckdb(tmp_path: Path) -> None:
    root = export(tmp_path / "focus")
    table = FocusTable("focus.data", tags="map", gpu_columns=GPU_COLUMNS, partition="BILLING_PERIOD")
    sql = aggregation(table, START, END, "athena")

    parsed = sqlglot.parse_one(sql, read="trino")
    assert "ELEMENT_AT(\"Tags\", 'user:team')" in sql  # NULL for a missing key, where Tags['k'] would fail
    assert "REGEXP_LIKE(" in sql and "TIMESTAMP WITH TIME ZONE" in sql
    assert "\"BILLING_PERIOD\" IN ('2026-11', '2026-12')" in sql  # partitions outside the window are not read
    assert parsed.find(sqlglot.exp.Group) is not None
    con = duckdb_connection()
    focus_table(con, root, "focus.data", "map")
    assert rows_of(con, parsed.sql(dialect="duckdb")) == file_path_rows(root)


def test_bigquery_sql_is_bigquery_and_gives_the_same_rows_read_back_into_duckdb(tmp_path: Path) -> None:
    root = export(tmp_path / "focus")
    (root / "BILLING_PERIOD=2026-09" / "stray.csv").unlink()  # GCP's table has no billing-period folders
    table = FocusTable("my-billing.focus_ds.focus", tags="array", gpu_columns=GPU_COLUMNS)
    sql = aggregation(table, START, END, "bigquery")

    parsed = sqlglot.parse_one(sql, read="bigquery")
    assert "FROM `my-billing`.`focus_ds`.`focus`" in sql
    assert "REGEXP_CONTAINS(" in sql and r"'(?:\\bp2\\." in sql  # BigQuery string literals escape backslashes
    assert "BIGNUMERIC" in sql  # NUMERIC has 9 decimals: sums keep the 10 of the other engines
    assert "UNNEST(`Tags`)" in sql
    con = duckdb_connection()
    con.execute("ATTACH ':memory:' AS \"my-billing\"")
    con.execute('CREATE SCHEMA "my-billing".focus_ds')
    focus_table(con, root, "focus_table", "array")
    con.execute('CREATE VIEW "my-billing".focus_ds.focus AS SELECT * FROM memory.main.focus_table')
    # DuckDB has no BIGNUMERIC (38 decimals in BigQuery): sqlglot would read it back as DECIMAL(38, 5)
    back = parsed.transform(
        lambda node: (
            sqlglot.exp.DataType.build("DECIMAL(38, 10)")
            if isinstance(node, sqlglot.exp.DataType) and node.this == sqlglot.exp.DataType.Type.BIGDECIMAL
            else node
        )
    )
    assert rows_of(con, back.sql(dialect="duckdb")) == file_path_rows(root)


def test_tag_keys_and_names_are_literals_not_sql(tmp_path: Path) -> None:
    table = FocusTable("focus", tags="json", tag="te'am\"x", gpu_columns=())
    sql = aggregation(table, START, END, "duckdb")
    assert "'$.\"te''am\\\"x\"'" in sql  # one quoted literal: a tag name cannot end the string
    con = duckdb_connection()
    focus_table(con, export(tmp_path / "focus"), "focus", "json")
    assert {r.team for r in rows_of(con, sql)} == {"(untagged)"}


def test_billing_periods_cover_the_window_across_a_year_end() -> None:
    assert billing_periods(date(2026, 12, 30), date(2027, 1, 2)) == ["2026-12", "2027-01"]
    assert billing_periods(date(2026, 11, 1), date(2026, 11, 30)) == ["2026-11"]


def test_text_answers_are_typed_exactly() -> None:
    row = cost_row(["2026-11-30", "vision", "EC2", "EUR", "true", "0.1000000001"])
    assert row == CostRow(
        day=date(2026, 11, 30),
        team="vision",
        service="EC2",
        currency="EUR",
        gpu=True,
        amount=Decimal("0.1000000001"),
    )
    with pytest.raises(ValueError, match="is not a number"):
        cost_row(["2026-11-30", "vision", "EC2", "EUR", "false", "12,50"])
