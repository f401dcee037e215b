"""One FOCUS export file -> its daily cost groups, aggregated inside DuckDB.

The file (CSV, gzip CSV or Parquet) is scanned by DuckDB with the `ChargePeriodStart` filter pushed into the
scan (Parquet row groups outside the range are skipped) and the aggregation day x team x service x currency x
GPU done in SQL, so memory does not grow with rows and Python only sees the few hundred groups.

Money stays exact: CSV is read as text and cast to DECIMAL (never through a float); the sum is a DECIMAL.
A value that is not a number, or a charge period that is not a date, rejects the file with the line that
shows it, rather than being left out silently. Each file is one query: a bad file fails on its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from reports.spend.gpu import SQL_PATTERN
from reports.spend.sources import UNTAGGED, CostRow

# where a provider puts the instance type / SKU of a cost line (read by reports.spend.gpu's table)
GPU_COLUMNS = (
    "x_UsageType",
    "x_InstanceType",
    "x_SkuMeterName",
    "x_SkuDescription",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "ResourceType",
    "ChargeDescription",
)
DECIMAL = "DECIMAL(38, 10)"
ARROW = "focus_arrow_"  # a name registered on the connection: S3 objects read in place (reports.spend.sources.s3)


class FileError(Exception):
    """The file cannot be counted; the message says why, for the digest and /spend."""


def connect(memory_limit: str = "1GB", threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # a bot's stdout is its log, not a terminal
    con.execute("SET TimeZone = 'UTC'")  # ChargePeriodStart is UTC; a day is a UTC day
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")  # an aggregation needs no order: less memory
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _source(paths: list[str]) -> tuple[str, bool]:
    if paths[0].startswith(ARROW):
        return "query_table($path)", paths[0].endswith("_parquet")
    parquet = paths[0].lower().endswith(".parquet")
    return ("read_parquet($path)" if parquet else "read_csv($path, header = true, all_varchar = true)"), parquet


def describe(con: duckdb.DuckDBPyConnection, path: str, metric: str) -> tuple[tuple[str, str], ...]:
    """The file's columns and their types, once its FOCUS columns are checked (FileError if it has not them)."""
    source, parquet = _source([path])
    try:
        columns = tuple(
            (r[0], str(r[1])) for r in con.execute(f"DESCRIBE SELECT * FROM {source}", {"path": path}).fetchall()
        )
    except duckdb.Error as exc:
        raise FileError(_reason(exc, parquet)) from None
    _Query(dict(columns), metric, "", date.min, date.min)  # raises FileError for a missing column
    return columns


def aggregate(
    con: duckdb.DuckDBPyConnection,
    paths: list[str],
    columns: tuple[tuple[str, str], ...],
    *,
    metric: str,
    tag: str,
    start: date,
    end: date,
) -> list[CostRow]:
    """The files' costs for [start, end], summed per day, team, service, currency and GPU or not.

    Several files with the same columns (`describe`) are one scan, which DuckDB spreads over its threads; a
    FileError for several files says only that one of them is bad: the caller then reads them one by one."""
    source, parquet = _source(paths)
    path: str | list[str] = paths[0] if len(paths) == 1 else paths
    try:
        query = _Query(dict(columns), metric, tag, start, end)
        found = con.execute(query.sql(source), {"path": path, **query.params}).fetchall()
        if sum(r[6] for r in found):
            raise FileError(_first_bad(con, source, path, query, parquet) if len(paths) == 1 else "bad values")
    except duckdb.Error as exc:
        raise FileError(_reason(exc, parquet)) from None
    return [
        CostRow(day=d, team=str(t)[:128], service=str(s)[:128], amount=a, currency=str(c)[:8], gpu=bool(g))
        for d, t, s, c, g, a, _ in found
        if d is not None and a is not None
    ]


class _Query:
    """The aggregation for one file's columns (their names and DuckDB types)."""

    def __init__(self, columns: dict[str, str], metric: str, tag: str, start: date, end: date) -> None:
        self.columns = columns
        self.metric = self._col(metric)
        charge = self._col("ChargePeriodStart")
        kind = columns[_unquote(charge)].upper()
        low = datetime.combine(start, time(), UTC)
        high = datetime.combine(end + timedelta(days=1), time(), UTC)
        self.params: dict[str, Any] = {
            "gpu": SQL_PATTERN,
            "tag": _json_path(tag),
            "user_tag": _json_path(f"user:{tag}"),
        }
        if kind.startswith("TIMESTAMP WITH TIME ZONE"):
            self.day, self.bad_day = f"CAST({charge} AS DATE)", "false"
            self.where, self.params["low"], self.params["high"] = f"{charge} >= $low AND {charge} < $high", low, high
        elif kind.startswith("TIMESTAMP"):  # no zone: FOCUS says UTC
            self.day, self.bad_day = f"CAST({charge} AS DATE)", "false"
            self.where = f"{charge} >= $low AND {charge} < $high"
            self.params["low"], self.params["high"] = low.replace(tzinfo=None), high.replace(tzinfo=None)
        elif kind == "DATE":
            self.day, self.bad_day = charge, "false"
            self.where, self.params["low"], self.params["high"] = f"{charge} BETWEEN $low AND $high", start, end
        else:  # text: parse it; a value that is not a date is a bad line, not a missing one
            parsed = f"TRY_CAST({charge} AS TIMESTAMPTZ)"
            self.day = f"CAST({parsed} AS DATE)"
            self.bad_day = f"({parsed} IS NULL AND coalesce(CAST({charge} AS VARCHAR), '') <> '')"
            self.where = f"({parsed} >= $low AND {parsed} < $high) OR {self.bad_day}"
            self.params["low"], self.params["high"] = low, high
        self.charge = charge

    def _col(self, name: str) -> str:
        if name in self.columns:
            return _quote(name)
        folded = {c.lower(): c for c in self.columns}
        if name.lower() in folded:
            return _quote(folded[name.lower()])
        raise FileError(f"has no {name} column: is it a FOCUS export?")

    def _optional(self, name: str) -> str | None:
        try:
            return self._col(name)
        except FileError:
            return None

    def _team(self) -> str:
        tags = self._optional("Tags")
        if tags is None:
            return f"'{UNTAGGED}'"
        doc = tags if self.columns[_unquote(tags)].upper() in ("VARCHAR", "JSON") else f"to_json({tags})"
        value = (
            f"CASE WHEN json_valid({doc}) THEN coalesce(json_extract_string({doc}, $tag), "
            f"json_extract_string({doc}, $user_tag)) END"
        )
        return f"coalesce(nullif({value}, ''), '{UNTAGGED}')"

    def _text(self, name: str, default: str) -> str:
        col = self._optional(name)
        return f"coalesce(nullif(trim(CAST({col} AS VARCHAR)), ''), '{default}')" if col else f"'{default}'"

    def _gpu(self) -> str:
        present = [c for c in (self._optional(n) for n in GPU_COLUMNS) if c]
        if not present:
            return "false"
        text = ", ".join(f"CAST({c} AS VARCHAR)" for c in present)
        return f"regexp_matches(lower(concat_ws(' ', {text})), $gpu)"

    @property
    def numeric(self) -> bool:
        kind = self.columns[_unquote(self.metric)].upper()
        return kind.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT"))

    def bad_cost(self) -> str:
        if self.numeric:  # a typed column holds numbers or nothing
            return "false"
        raw = f"CAST({self.metric} AS VARCHAR)"
        return f"(coalesce({raw}, '') <> '' AND TRY_CAST({raw} AS {DECIMAL}) IS NULL)"

    def sql(self, source: str) -> str:
        # text is cast straight to DECIMAL (never through a float); a typed column directly
        amount = f"CAST({self.metric} AS {DECIMAL})" if self.numeric else f"TRY_CAST({self.metric} AS {DECIMAL})"
        return f"""
            SELECT day, team, service, currency, gpu, SUM(amount) AS amount, COUNT(*) FILTER (WHERE bad) AS bad
            FROM (
                SELECT {self.day} AS day, {self._team()} AS team, {self._text("ServiceName", "(none)")} AS service,
                       {self._text("BillingCurrency", "?")} AS currency, {self._gpu()} AS gpu,
                       {amount} AS amount, ({self.bad_cost()} OR {self.bad_day}) AS bad
                FROM {source}
                WHERE {self.where}
            )
            GROUP BY ALL
        """


def _first_bad(con: duckdb.DuckDBPyConnection, source: str, path: str | list[str], q: _Query, parquet: bool) -> str:
    """Where the first bad value is, as a person opening the file would find it."""
    row = con.execute(
        f"""
        SELECT n, cost, charge, bad_cost FROM (
            SELECT row_number() OVER () AS n, CAST({q.metric} AS VARCHAR) AS cost,
                   CAST({q.charge} AS VARCHAR) AS charge, {q.bad_cost()} AS bad_cost, {q.bad_day} AS bad_day
            FROM {source}
        ) WHERE bad_cost OR bad_day LIMIT 1
        """,
        {"path": path},
    ).fetchone()
    if row is None:
        return "has values that are not numbers or dates"
    n, cost, charge, bad_cost = row
    where = f"row {n}" if parquet else f"line {n + 1}"
    if bad_cost:
        return f"{where}: {_unquote(q.metric)} '{str(cost)[:30]}' is not a number"
    return f"{where}: ChargePeriodStart '{str(charge)[:30]}' is not a date and time"


def _reason(exc: duckdb.Error, parquet: bool) -> str:
    text = str(exc)
    low = text.lower()
    if ("gzip" in low and ("end" in low or "trunc" in low)) or "truncated compressed" in low:
        return "the gzip stream ends early: the file is truncated"
    if "gzip" in low:
        return "is not a readable gzip file"
    if "unicode" in low or "utf-8" in low or "utf8" in low:
        return "is not UTF-8 text (FOCUS CSV files are UTF-8): re-export it as UTF-8"
    if parquet:
        return "not a readable Parquet file"
    first = text.split("\n", 1)[0].removeprefix("Invalid Input Error: ").removeprefix("IO Error: ")
    return f"could not be read as CSV ({first[:120]})"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"')


def _json_path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
