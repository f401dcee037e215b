"""GCP's FOCUS export (or a FOCUS view) aggregated by BigQuery, through its REST API.

One sync is one query (reports.spend.sources.focus_query, in BigQuery's dialect): `jobs.query`, then
`jobs.getQueryResults` while the job is not complete and for each further page (pageToken), waiting at most
`spend.focus.timeout_seconds` in all (a job still running then is cancelled). `max_bytes_billed` caps what a query
may cost: BigQuery fails it rather than bill more. Values come back as text: amounts are parsed as Decimal.

Credentials are Google's Application Default Credentials (a service account's key file named by
GOOGLE_APPLICATION_CREDENTIALS, or the workload identity of the machine), read by google-auth.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from reports.spend.config import SpendConfig
from reports.spend.sources import CostRow, Extras, Rejected, SourceError
from reports.spend.sources.focus_query import COLUMNS, FocusTable, aggregation, cost_row

log = logging.getLogger(__name__)
API = "https://bigquery.googleapis.com/bigquery/v2"
SCOPE = "https://www.googleapis.com/auth/bigquery"
PAGE = 10_000
WAIT_MS = 10_000  # how long one call may wait server-side for the job (the call's own timeout is longer)
TIMEOUT = httpx.Timeout(WAIT_MS / 1000 + 20, connect=5.0)


def default_token() -> str:
    """An access token from Application Default Credentials."""
    import google.auth
    from google.auth.exceptions import GoogleAuthError
    from google.auth.transport.requests import Request

    try:
        credentials, _ = google.auth.default(scopes=[SCOPE])
        credentials.refresh(Request())
    except GoogleAuthError as exc:
        raise SourceError(f"BigQuery credentials not found or refused ({str(exc)[:200]})") from None
    return str(credentials.token)


class BigQuerySource:
    name = "focus"

    def __init__(
        self,
        config: SpendConfig,
        *,
        http: httpx.Client | None = None,
        token: Callable[[], str] = default_token,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.engine = config.engine
        self.api = (self.engine.endpoint_url or API).rstrip("/")
        self.http = http or httpx.Client(timeout=TIMEOUT)
        self.token, self.clock = token, clock
        self.rejected: list[Rejected] = []
        self.table = FocusTable.of(config)

    @property
    def where(self) -> str:
        return f"BigQuery table {self.engine.qualified_table}"

    def fetch(self, start: date, end: date) -> list[CostRow]:
        """Daily costs for [start, end], per team, service, currency and GPU, as BigQuery sums them."""
        began = self.clock()
        headers = {"Authorization": f"Bearer {self.token()}"}
        body: dict[str, Any] = {
            "query": aggregation(self.table, start, end, "bigquery"),
            "useLegacySql": False,
            "timeoutMs": WAIT_MS,
            "maxResults": PAGE,
            "labels": {"app": "ritualbot"},
        }
        if self.engine.location:
            body["location"] = self.engine.location
        if self.engine.max_bytes_billed is not None:
            body["maximumBytesBilled"] = str(self.engine.max_bytes_billed)
        page = self._call("POST", f"/projects/{self.engine.project}/queries", headers, json=body)
        job = page.get("jobReference", {})
        found: list[CostRow] = []
        while True:
            if page.get("jobComplete"):
                found += self._rows(page)
                if not page.get("pageToken"):
                    log.info("bigquery query done job=%s groups=%d", job.get("jobId"), len(found))
                    return found
            elif self.clock() - began >= self.engine.timeout_seconds:
                self._cancel(job, headers)
                raise SourceError(
                    f"{self.where}: job {job.get('jobId')} did not finish within {self.engine.timeout_seconds} s, "
                    "so it was cancelled (spend.focus.timeout_seconds); the next run tries again"
                )
            params = {"timeoutMs": WAIT_MS, "maxResults": PAGE}
            if job.get("location"):
                params["location"] = job["location"]
            if page.get("jobComplete") and page.get("pageToken"):
                params["pageToken"] = page["pageToken"]
            path = f"/projects/{job.get('projectId', self.engine.project)}/queries/{job.get('jobId')}"
            page = self._call("GET", path, headers, params=params)

    def extras(self, today: date, teams: list[str]) -> Extras:
        return Extras()

    def _call(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, self.api + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise SourceError(f"{self.where} unreachable ({type(exc).__name__}); the next run tries again") from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code >= 400 or answer.get("errorResult") or "error" in answer:
            error = answer.get("error") or answer.get("errorResult") or {}
            message = str(error.get("message") or response.reason_phrase)[:300]
            raise SourceError(f"{self.where}: the query failed (HTTP {response.status_code}: {message})")
        return dict(answer)

    def _rows(self, page: dict[str, Any]) -> list[CostRow]:
        fields = [f.get("name") for f in page.get("schema", {}).get("fields", [])]
        if fields and fields != list(COLUMNS):
            raise SourceError(f"{self.where}: the query answered columns {fields}, not {list(COLUMNS)}")
        found = []
        for row in page.get("rows", []):
            try:
                parsed = cost_row([cell.get("v") for cell in row.get("f", [])])
            except ValueError as exc:
                raise SourceError(f"{self.where}: the query answered a row that is not costs ({exc})") from None
            if parsed:
                found.append(parsed)
        return found

    def _cancel(self, job: dict[str, Any], headers: dict[str, str]) -> None:
        params = {"location": job["location"]} if job.get("location") else {}
        path = f"/projects/{job.get('projectId', self.engine.project)}/jobs/{job.get('jobId')}/cancel"
        try:
            self.http.post(self.api + path, headers=headers, params=params)
        except httpx.HTTPError as exc:
            log.warning("bigquery job not cancelled job=%s error=%s", job.get("jobId"), type(exc).__name__)
