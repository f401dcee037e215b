"""The `spend:` section of ritualbot.yaml, parsed once into a typed object.

spend:
  source: cost_explorer        # or focus
  metric: UnblendedCost        # or AmortizedCost (Cost Explorer); BilledCost/EffectiveCost (FOCUS)
  group_tag: team              # cost-allocation tag that names the team
  refresh_days: 3              # recent days re-fetched every run (costs settle late)
  backfill_days: 45            # first sync fetches this much history
  anomalies: true              # also ask Cost Explorer's anomaly detection
  aws_budgets: true            # read budget amounts from AWS Budgets
  account_id: "123456789012"   # for AWS Budgets
  region: us-east-1
  endpoint_url: null           # tests and local stacks only
  focus: {path: ./exports}     # or s3://bucket/prefix; or a query engine over the export (docs/spend.md):
  # focus: {engine: athena, database: cur, table: focus, workgroup: primary, output_location: s3://bucket/athena/,
  #         partition_column: billing_period, tags: map, timeout_seconds: 300}
  # focus: {engine: bigquery, project: my-proj, dataset: billing, table: focus_view, location: US,
  #         tags: array, max_bytes_billed: 10000000000}
  budgets: {ml-research: 10000, "ml-research@2026-12": 12000}
  currency: USD                # the currency of the budgets above; costs in others are shown apart
  rates: {EUR: 1.08}           # optional: 1 EUR = 1.08 USD, to report everything in `currency`
  thresholds: [50, 80, 100]
  channels: [C0123]            # default: every digest channel
  min_anomaly: 100             # smallest daily $ change that counts as an anomaly
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError

METRICS = {"UnblendedCost", "AmortizedCost", "BilledCost", "EffectiveCost"}
CURRENCY = re.compile(r"^[A-Z]{3}$")


ENGINES = ("duckdb", "athena", "bigquery")
TAG_KINDS = ("map", "json", "array")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_$-]*$")  # a database, dataset, table, column or project name
# where each engine's FOCUS table keeps the instance type / SKU (reports.spend.gpu reads them)
_GPU_COLUMNS = {
    "athena": ("x_UsageType", "SkuId", "ChargeDescription"),
    "bigquery": ("SkuId", "ChargeDescription"),
}


@dataclass(frozen=True)
class QueryEngine:
    """Where the FOCUS aggregation runs: DuckDB on this machine over `focus.path`, or Athena / BigQuery over a
    table the provider's export fills (reports.spend.sources.athena, .bigquery; the SQL is focus_query's)."""

    engine: str = "duckdb"
    table: str = ""
    database: str = ""  # Athena (Glue) database
    catalog: str = "AwsDataCatalog"
    workgroup: str = "primary"
    output_location: str | None = None  # s3://... for Athena's result files; None: the workgroup's setting
    project: str = ""  # BigQuery: the project that runs (and pays for) the query
    dataset: str = ""  # BigQuery dataset of the table; may be another project's: "billing-proj.dataset"
    location: str | None = None  # BigQuery location of the dataset ("US", "europe-west1")
    partition_column: str | None = None  # a column holding the billing period as 'YYYY-MM'
    tags: str = "map"  # how the table stores Tags: map, json or array (of key/value structs)
    gpu_columns: tuple[str, ...] = ()
    timeout_seconds: int = 300  # the longest a sync waits for its query; then it is cancelled
    max_bytes_billed: int | None = None  # BigQuery: fail the query rather than bill more than this
    endpoint_url: str | None = None  # tests and local stacks only

    @property
    def qualified_table(self) -> str:
        if self.engine == "athena":
            return f"{self.database}.{self.table}"
        return f"{self.dataset if '.' in self.dataset else f'{self.project}.{self.dataset}'}.{self.table}"


@dataclass(frozen=True)
class SpendConfig:
    source: str = ""
    metric: str = "UnblendedCost"
    group_tag: str = "team"
    refresh_days: int = 3
    backfill_days: int = 45
    anomalies: bool = True
    aws_budgets: bool = False
    account_id: str = ""
    region: str = "us-east-1"
    endpoint_url: str | None = None
    focus_path: str = ""
    engine: QueryEngine = field(default_factory=QueryEngine)  # where FOCUS is aggregated: DuckDB, Athena, BigQuery
    budgets: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)
    thresholds: tuple[int, ...] = (50, 80, 100)
    channels: tuple[str, ...] = ()
    min_anomaly: Decimal = Decimal("100")
    currency: str | None = None
    rates: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.source)

    def covers(self, channel_id: str) -> bool:
        return self.enabled and (not self.channels or channel_id in self.channels)


def load(settings: Settings) -> SpendConfig:
    raw = settings.section("spend")
    if not raw:
        return SpendConfig()
    source = str(raw.get("source", "")).strip()
    if source not in {"cost_explorer", "focus"}:
        raise ConfigError(f"spend.source must be cost_explorer or focus, got {source!r}")
    metric = str(raw.get("metric") or ("UnblendedCost" if source == "cost_explorer" else "BilledCost"))
    if metric not in METRICS:
        raise ConfigError(f"spend.metric must be one of {', '.join(sorted(METRICS))}, got {metric!r}")
    focus = raw.get("focus") or {}
    currency = str(raw["currency"]).strip().upper() if raw.get("currency") else None
    if currency is not None and not CURRENCY.match(currency):
        raise ConfigError(f"spend.currency must be a three-letter code like USD or EUR, got {raw['currency']!r}")
    engine = query_engine(focus) if source == "focus" else QueryEngine()
    if source == "focus" and engine.engine == "duckdb" and not focus.get("path"):
        raise ConfigError("spend.focus.path is required for the focus source (a folder or s3://bucket/prefix)")
    return SpendConfig(
        source=source,
        metric=metric,
        group_tag=str(raw.get("group_tag", "team")),
        refresh_days=_int(raw, "refresh_days", 3),
        backfill_days=_int(raw, "backfill_days", 45),
        anomalies=bool(raw.get("anomalies", True)),
        aws_budgets=bool(raw.get("aws_budgets", False)),
        account_id=str(raw.get("account_id", "")),
        region=str(raw.get("region", "us-east-1")),
        endpoint_url=raw.get("endpoint_url") or None,
        focus_path=str(focus.get("path", "")),
        engine=engine,
        budgets=_budgets(raw.get("budgets") or {}),
        thresholds=tuple(sorted(_int({"t": t}, "t", 0) for t in raw.get("thresholds", (50, 80, 100)))),
        channels=tuple(str(c) for c in raw.get("channels") or ()),
        min_anomaly=_money(raw.get("min_anomaly", 100), "spend.min_anomaly"),
        currency=currency,
        rates=_rates(raw.get("rates") or {}, currency),
    )


def query_engine(raw: Mapping[str, Any]) -> QueryEngine:
    """`spend.focus`'s engine settings; DuckDB over `path` when no engine is named."""
    engine = str(raw.get("engine") or "duckdb").strip().lower()
    if engine not in ENGINES:
        raise ConfigError(f"spend.focus.engine must be one of {', '.join(ENGINES)}, got {raw.get('engine')!r}")
    if engine == "duckdb":
        return QueryEngine()
    needed = ("database", "table") if engine == "athena" else ("project", "dataset", "table")
    for key in needed:
        if not raw.get(key):
            raise ConfigError(f"spend.focus.{key} is required with engine {engine} (see docs/spend.md)")
    for key in ("database", "table", "project", "partition_column", "catalog", "workgroup"):
        if raw.get(key) and not _NAME.match(str(raw[key])):
            raise ConfigError(f"spend.focus.{key} must be a plain name (letters, digits, _ $ -), got {raw[key]!r}")
    parts = str(raw.get("dataset") or "").split(".")
    if raw.get("dataset") and (len(parts) > 2 or not all(_NAME.match(p) for p in parts)):
        raise ConfigError(f"spend.focus.dataset must be dataset or project.dataset, got {raw['dataset']!r}")
    tags = str(raw.get("tags") or ("map" if engine == "athena" else "array"))
    if tags not in TAG_KINDS:
        raise ConfigError(f"spend.focus.tags must be one of {', '.join(TAG_KINDS)}, got {tags!r}")
    output = raw.get("output_location")
    if output and not str(output).startswith("s3://"):
        raise ConfigError(f"spend.focus.output_location must be an s3:// folder, got {output!r}")
    columns = raw.get("gpu_columns", _GPU_COLUMNS[engine])
    if not isinstance(columns, list | tuple) or not all(_NAME.match(str(c)) for c in columns):
        raise ConfigError("spend.focus.gpu_columns must be a list of column names")
    limit, section = raw.get("max_bytes_billed"), "spend.focus"
    if _int(raw, "timeout_seconds", 300, section) < 1:
        raise ConfigError("spend.focus.timeout_seconds must be at least 1")
    return QueryEngine(
        engine=engine,
        table=str(raw["table"]),
        database=str(raw.get("database", "")),
        catalog=str(raw.get("catalog") or "AwsDataCatalog"),
        workgroup=str(raw.get("workgroup") or "primary"),
        output_location=str(output) if output else None,
        project=str(raw.get("project", "")),
        dataset=str(raw.get("dataset", "")),
        location=str(raw["location"]) if raw.get("location") else None,
        partition_column=str(raw.get("partition_column", "billing_period" if engine == "athena" else "") or "") or None,
        tags=tags,
        gpu_columns=tuple(str(c) for c in columns),
        timeout_seconds=_int(raw, "timeout_seconds", 300, section),
        max_bytes_billed=_int(raw, "max_bytes_billed", 0, section) if limit is not None else None,
        endpoint_url=raw.get("endpoint_url") or None,
    )


def _budgets(raw: Mapping[str, Any]) -> dict[tuple[str, str], Decimal]:
    """`team: amount` for every month, `team@YYYY-MM: amount` for one month."""
    found = {}
    for key, value in raw.items():
        team, _, month = str(key).partition("@")
        found[(team, month)] = _money(value, f"spend.budgets.{key}")
    return found


def _rates(raw: Mapping[str, Any], currency: str | None) -> dict[str, Decimal]:
    """`EUR: 1.08` means 1 EUR = 1.08 of `spend.currency`."""
    if raw and currency is None:
        raise ConfigError("spend.rates needs spend.currency: the currency the rates convert into")
    found = {}
    for code, value in raw.items():
        key = str(code).strip().upper()
        if not CURRENCY.match(key):
            raise ConfigError(f"spend.rates keys must be three-letter currency codes, got {code!r}")
        rate = _money(value, f"spend.rates.{key}")
        if rate == 0:
            raise ConfigError(f"spend.rates.{key} must be above 0")
        found[key] = rate
    return found


def _money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{name} must be an amount like 10000 or 2500.50, got {value!r}") from None
    if amount < 0:
        raise ConfigError(f"{name} must not be negative")
    return amount


def _int(raw: Mapping[str, Any], name: str, default: int, section: str = "spend") -> int:
    value = raw.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{section}.{name} must be a whole number >= 0, got {value!r}")
    return value
