"""spend.focus's engine settings in ritualbot.yaml: DuckDB by default, Athena or BigQuery with their table, and a
clear message for each mistake."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from reports.spend.config import QueryEngine, load


def spend(focus: dict[str, Any]) -> Any:
    return load(Settings(database_url="sqlite://", file={"spend": {"source": "focus", "focus": focus}}))


def test_duckdb_is_the_default_and_needs_a_path() -> None:
    assert spend({"path": "./exports"}).engine == QueryEngine()
    with pytest.raises(ConfigError, match="spend.focus.path is required"):
        spend({})


def test_athena_needs_no_path_and_prunes_billing_period_by_default() -> None:
    engine = spend({"engine": "athena", "database": "cur", "table": "focus"}).engine
    assert engine.qualified_table == "cur.focus"
    assert (engine.workgroup, engine.catalog, engine.output_location) == ("primary", "AwsDataCatalog", None)
    assert engine.partition_column == "billing_period" and engine.tags == "map"
    assert engine.gpu_columns == ("x_UsageType", "SkuId", "ChargeDescription")
    assert engine.timeout_seconds == 300


def test_bigquery_table_may_live_in_another_project() -> None:
    engine = spend({"engine": "bigquery", "project": "jobs", "dataset": "billing.focus_ds", "table": "v"}).engine
    assert engine.qualified_table == "billing.focus_ds.v"
    assert engine.partition_column is None and engine.tags == "array"
    assert spend({"engine": "bigquery", "project": "p", "dataset": "d", "table": "t"}).engine.qualified_table == "p.d.t"


@pytest.mark.parametrize(
    ("focus", "message"),
    [
        ({"engine": "snowflake"}, "spend.focus.engine must be one of duckdb, athena, bigquery, got 'snowflake'"),
        ({"engine": "athena", "table": "focus"}, "spend.focus.database is required with engine athena"),
        ({"engine": "bigquery", "project": "p", "table": "t"}, "spend.focus.dataset is required with engine bigquery"),
        ({"engine": "athena", "database": "cur", "table": "focus; DROP"}, "spend.focus.table must be a plain name"),
        ({"engine": "athena", "database": "cur", "table": "f", "tags": "xml"}, "spend.focus.tags must be one of"),
        (
            {"engine": "athena", "database": "cur", "table": "f", "output_location": "/tmp/x"},
            "spend.focus.output_location must be an s3:// folder",
        ),
        (
            {"engine": "athena", "database": "cur", "table": "f", "timeout_seconds": "soon"},
            "spend.focus.timeout_seconds must be a whole number",
        ),
        (
            {"engine": "athena", "database": "cur", "table": "f", "timeout_seconds": 0},
            "spend.focus.timeout_seconds must be at least 1",
        ),
        (
            {"engine": "bigquery", "project": "p", "dataset": "a.b.c", "table": "t"},
            "spend.focus.dataset must be dataset or project.dataset",
        ),
    ],
)
def test_mistakes_are_named(focus: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        spend(focus)
