"""The FOCUS aggregation as one SQL, written once and rendered by sqlglot for DuckDB, Athena (Trino) or BigQuery.

The question is the one the file path asks (reports.spend.sources.focus_sql): day x team x service x currency x GPU,
summed as DECIMAL, for charge periods in [start, end], with the billing-period partitions outside the range pruned.
Only the SQL below is written; what differs between engines is left to sqlglot, a well-kept SQL transpiler:
`REGEXP_LIKE` becomes DuckDB's `regexp_matches` and BigQuery's `REGEXP_CONTAINS` (with the backslashes BigQuery
string literals need), `DECIMAL(38, 10)` BigQuery's `BIGNUMERIC`, `TIMESTAMPTZ` Trino's `TIMESTAMP WITH TIME ZONE`,
identifiers get each engine's quotes. How the team tag is stored is a property of the table, not of the dialect:
a map (Athena's `map(varchar, varchar)`), JSON text, or BigQuery's `ARRAY<STRUCT<key, value>>`; each is one snippet
below, also rendered by sqlglot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlglot
from sqlglot import exp

from reports.spend.config import TAG_KINDS, SpendConfig
from reports.spend.gpu import SQL_PATTERN
from reports.spend.sources import UNTAGGED, CostRow

DIALECTS = {"duckdb": "duckdb", "athena": "trino", "bigquery": "bigquery"}
COLUMNS = ("day", "team", "service", "currency", "gpu", "amount")

_QUERY = """
SELECT
  CAST(:charge AS DATE) AS day,
  COALESCE(NULLIF(COALESCE(:tag, :user_tag), ''), :untagged) AS team,
  COALESCE(NULLIF(TRIM(CAST(:service AS VARCHAR)), ''), '(none)') AS service,
  COALESCE(NULLIF(TRIM(CAST(:currency AS VARCHAR)), ''), '?') AS currency,
  REGEXP_LIKE(LOWER(:gpu_text), :gpu_pattern) AS gpu,
  SUM(CAST(:metric AS DECIMAL(38, 10))) AS amount
FROM :table
WHERE :charge >= CAST(:low AS TIMESTAMPTZ) AND :charge < CAST(:high AS TIMESTAMPTZ) AND :partitions
GROUP BY 1, 2, 3, 4, 5
"""

# the tag's value for key :key, per how the table stores tags (each read in the dialect it is written in)
_TAG: dict[str, tuple[str, str | None]] = {
    "map": ("ELEMENT_AT(:tags, :key)", "trino"),  # NULL when the key is missing (a subscript would fail)
    "json": ("JSON_EXTRACT_SCALAR(:tags, :path)", None),
    "array": ("(SELECT t.value FROM UNNEST(:tags) AS t WHERE t.key = :key LIMIT 1)", "bigquery"),
}


@dataclass(frozen=True)
class FocusTable:
    """A FOCUS table or view in an engine, and how its columns are named and typed."""

    name: str  # dotted: database.table (Athena), project.dataset.table (BigQuery)
    metric: str = "BilledCost"
    tag: str = "team"
    tags: str = "map"  # map | json | array
    gpu_columns: tuple[str, ...] = ("x_UsageType", "SkuId", "ChargeDescription")
    partition: str | None = None  # a column holding the billing period as 'YYYY-MM' (Athena: billing_period)

    @classmethod
    def of(cls, config: SpendConfig) -> FocusTable:
        """The table a spend config's query engine (Athena, BigQuery) names."""
        engine = config.engine
        return cls(
            name=engine.qualified_table,
            metric=config.metric if config.metric in ("BilledCost", "EffectiveCost") else "BilledCost",
            tag=config.group_tag,
            tags=engine.tags,
            gpu_columns=engine.gpu_columns,
            partition=engine.partition_column,
        )


def aggregation(table: FocusTable, start: date, end: date, engine: str) -> str:
    """The aggregation for charge periods in [start, end] (UTC days), in `engine`'s dialect."""
    if table.tags not in TAG_KINDS:
        raise ValueError(f"tags must be one of {', '.join(TAG_KINDS)}, got {table.tags!r}")
    tree = sqlglot.parse_one(_QUERY)
    values: dict[str, Any] = {
        "charge": _column("ChargePeriodStart"),
        "metric": _column(table.metric),
        "service": _column("ServiceName"),
        "currency": _column("BillingCurrency"),
        "tag": _tag(table, table.tag),
        "user_tag": _tag(table, f"user:{table.tag}"),
        "untagged": exp.Literal.string(UNTAGGED),
        "gpu_text": _gpu_text(table.gpu_columns),
        "gpu_pattern": exp.Literal.string(SQL_PATTERN),
        "table": exp.to_table(".".join(_quote(p) for p in table.name.split(".")), dialect="duckdb"),
        "low": exp.Literal.string(f"{start.isoformat()} 00:00:00 UTC"),
        "high": exp.Literal.string(f"{(end + timedelta(days=1)).isoformat()} 00:00:00 UTC"),
        "partitions": _partitions(table.partition, start, end),
    }
    return exp.replace_placeholders(tree, **values).sql(dialect=DIALECTS[engine], pretty=True)


def billing_periods(start: date, end: date) -> list[str]:
    """The 'YYYY-MM' billing periods that [start, end] touches."""
    found, month = [], date(start.year, start.month, 1)
    while month <= end:
        found.append(f"{month:%Y-%m}")
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def cost_row(values: list[Any]) -> CostRow | None:
    """One result row (day, team, service, currency, gpu, amount) as the engine returned it, typed: engines that
    answer in text (Athena, BigQuery's REST API) give strings, DuckDB gives Python values. Money is parsed from
    its text as Decimal, never through a float. None for a group with no day or no amount."""
    day, team, service, currency, gpu, amount = values
    if day is None or amount is None:
        return None
    try:
        money = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation:
        raise ValueError(f"amount {str(amount)[:30]!r} is not a number") from None
    return CostRow(
        day=day if isinstance(day, date) else date.fromisoformat(str(day)[:10]),
        team=str(team)[:128],
        service=str(service)[:128],
        currency=str(currency)[:8],
        gpu=gpu if isinstance(gpu, bool) else str(gpu).lower() == "true",
        amount=money,
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(name: str) -> exp.Expr:
    return exp.column(name, quoted=True)


def _tag(table: FocusTable, key: str) -> exp.Expr:
    snippet, dialect = _TAG[table.tags]
    path = '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    tree = sqlglot.parse_one(snippet, read=dialect)
    return exp.replace_placeholders(
        tree, tags=_column("Tags"), key=exp.Literal.string(key), path=exp.Literal.string(path)
    )


def _gpu_text(columns: tuple[str, ...]) -> exp.Expr:
    """The SKU/instance columns joined by spaces (a missing value is empty), as the file path and gpu.py match."""
    if not columns:
        return exp.Literal.string("")
    parts: list[exp.Expr] = [
        exp.Coalesce(this=exp.cast(_column(c), "VARCHAR"), expressions=[exp.Literal.string("")]) for c in columns
    ]
    text = parts[0]
    for part in parts[1:]:
        text = exp.DPipe(this=exp.DPipe(this=text, expression=exp.Literal.string(" ")), expression=part)
    return text


def _partitions(column: str | None, start: date, end: date) -> exp.Expr:
    if not column:
        return exp.true()
    periods = [exp.Literal.string(p) for p in billing_periods(start, end)]
    return exp.In(this=_column(column), expressions=periods)
