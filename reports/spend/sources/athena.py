"""FOCUS (or CUR 2.0) exports in S3 aggregated by Amazon Athena: the query runs where the data is.

One sync is one query (reports.spend.sources.focus_query, in Trino's dialect): StartQueryExecution, then
GetQueryExecution until it has finished, waiting at most `spend.focus.timeout_seconds` (a query still running then
is stopped, so it scans and costs nothing more), then GetQueryResults page by page (NextToken; the first row of the
first page is the header). Athena answers in text: amounts are parsed as Decimal, days as dates, each row keeps
its currency.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bot.deferred import aws_config
from reports.spend.config import SpendConfig
from reports.spend.sources import CostRow, Extras, Rejected, SourceError
from reports.spend.sources.focus_query import COLUMNS, FocusTable, aggregation, cost_row

log = logging.getLogger(__name__)
PAGE = 1000  # GetQueryResults' largest page
FIRST_POLL, LONGEST_POLL = 0.5, 5.0  # seconds between GetQueryExecution calls: doubling up to LONGEST_POLL
RUNNING = {"QUEUED", "RUNNING"}


class AthenaSource:
    name = "focus"

    def __init__(
        self,
        config: SpendConfig,
        *,
        athena: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.engine = config.engine
        self.client = athena or boto3.client(
            "athena", region_name=config.region, endpoint_url=config.endpoint_url, config=aws_config()
        )
        self.sleep, self.clock = sleep, clock
        self.rejected: list[Rejected] = []  # Athena reads the files: a bad one fails the query, named by it
        self.table = FocusTable.of(config)

    @property
    def where(self) -> str:
        return f"Athena table {self.engine.qualified_table} (workgroup {self.engine.workgroup})"

    def fetch(self, start: date, end: date) -> list[CostRow]:
        """Daily costs for [start, end], per team, service, currency and GPU, as Athena sums them."""
        query_id = self._start(aggregation(self.table, start, end, "athena"))
        self._wait(query_id)
        rows = self._results(query_id)
        log.info("athena query done id=%s groups=%d start=%s end=%s", query_id, len(rows), start, end)
        return rows

    def extras(self, today: date, teams: list[str]) -> Extras:
        return Extras()

    def _start(self, sql: str) -> str:
        request: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.engine.database, "Catalog": self.engine.catalog},
            "WorkGroup": self.engine.workgroup,
        }
        if self.engine.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.engine.output_location}
        try:
            return str(self.client.start_query_execution(**request)["QueryExecutionId"])
        except (ClientError, BotoCoreError) as exc:
            raise SourceError(f"{self.where} could not be queried ({_why(exc)}); the next run tries again") from None

    def _wait(self, query_id: str) -> None:
        """Until the query has succeeded; a failed, cancelled or too slow query is a SourceError naming it."""
        began, pause = self.clock(), FIRST_POLL
        while True:
            try:
                status = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
            except (ClientError, BotoCoreError) as exc:
                raise SourceError(f"{self.where}: query {query_id} could not be followed ({_why(exc)})") from None
            state = str(status.get("State", ""))
            if state == "SUCCEEDED":
                return
            if state not in RUNNING:
                reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage")
                because = f": {reason}" if reason else " (Athena gave no reason; see the query in its console)"
                raise SourceError(f"{self.where}: query {query_id} {state.lower()}{because}")
            waited = self.clock() - began
            if waited >= self.engine.timeout_seconds:
                self._stop(query_id)
                raise SourceError(
                    f"{self.where}: query {query_id} did not finish within {self.engine.timeout_seconds} s "
                    f"(still {state.lower()}), so it was stopped (spend.focus.timeout_seconds); the next run tries "
                    "again"
                )
            self.sleep(min(pause, self.engine.timeout_seconds - waited))
            pause = min(pause * 2, LONGEST_POLL)

    def _stop(self, query_id: str) -> None:
        try:
            self.client.stop_query_execution(QueryExecutionId=query_id)
        except (ClientError, BotoCoreError) as exc:
            log.warning("athena query not stopped id=%s error=%s", query_id, _why(exc))

    def _results(self, query_id: str) -> list[CostRow]:
        found: list[CostRow] = []
        token: str | None = None
        first = True
        while True:
            request: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": PAGE}
            if token:
                request["NextToken"] = token
            try:
                page = self.client.get_query_results(**request)
            except (ClientError, BotoCoreError) as exc:
                raise SourceError(f"{self.where}: results of query {query_id} unreadable ({_why(exc)})") from None
            rows = page.get("ResultSet", {}).get("Rows", [])
            for n, row in enumerate(rows):
                values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                if first and n == 0 and values == list(COLUMNS):
                    continue  # the header row: a SELECT's first page starts with the column names
                found += self._row(query_id, values)
            first = False
            token = page.get("NextToken")
            if not token:
                return found

    def _row(self, query_id: str, values: list[str | None]) -> list[CostRow]:
        if len(values) != len(COLUMNS):
            raise SourceError(f"{self.where}: query {query_id} answered {len(values)} columns, not {len(COLUMNS)}")
        try:
            row = cost_row(values)
        except ValueError as exc:
            raise SourceError(f"{self.where}: query {query_id} answered a row that is not costs ({exc})") from None
        return [row] if row else []


def _why(exc: Exception) -> str:
    error = getattr(exc, "response", {}).get("Error", {})
    code = str(error.get("Code", type(exc).__name__))
    message = str(error.get("Message", ""))[:200]
    return f"{code}: {message}" if message else code
