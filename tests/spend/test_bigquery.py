"""BigQuery as the FOCUS engine, against a local double of its REST API (tests/spend/bigquery_double.py, which runs
the SQL it is sent on DuckDB): the request we send, polling an unfinished job, pages, a failed query, a job that
never finishes. No BigQuery emulator is used: what BigQuery itself accepts is not tested here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from reports.spend import store
from reports.spend.config import SpendConfig, load
from reports.spend.sources import SourceError
from reports.spend.sources.bigquery import BigQuerySource
from reports.spend.sources.focus import FocusSource
from tests.spend.bigquery_double import BigQueryDouble
from tests.spend.engines import END, GPU_COLUMNS, START, duckdb_connection, export, focus_table


class Clock:
    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step  # every look at the clock is `step` seconds later: a poll takes time
        return self.now


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = export(tmp_path / "focus")
    (root / "BILLING_PERIOD=2026-09" / "stray.csv").unlink()  # GCP's table has no billing-period folders
    return root


@pytest.fixture
def bigquery(root: Path) -> Iterator[BigQueryDouble]:
    con = duckdb_connection()
    con.execute("ATTACH ':memory:' AS \"ritualbot-billing\"")
    con.execute('CREATE SCHEMA "ritualbot-billing".focus_ds')
    focus_table(con, root, "focus_table", "array")
    con.execute('CREATE VIEW "ritualbot-billing".focus_ds.focus AS SELECT * FROM memory.main.focus_table')
    with BigQueryDouble(con) as double:
        yield double


def source(double: BigQueryDouble, clock: Clock, **focus: Any) -> BigQuerySource:
    """The source ritualbot.yaml's spend.focus.engine picks, with a test token and a controlled clock."""
    yaml = {
        "source": "focus",
        "focus": {
            "engine": "bigquery",
            "project": "ritualbot-jobs",
            "dataset": "ritualbot-billing.focus_ds",
            "table": "focus",
            "location": "US",
            "max_bytes_billed": 10_000_000_000,
            "gpu_columns": list(GPU_COLUMNS),
            "timeout_seconds": 60,
            "endpoint_url": double.url,
            **focus,
        },
    }
    built = store.build_source(load(Settings(database_url="sqlite://", file={"spend": yaml})))
    assert isinstance(built, BigQuerySource)
    built.token, built.clock = (lambda: "token-for-tests"), clock
    return built


def test_bigquery_answers_the_file_paths_rows_over_pages(bigquery: BigQueryDouble, root: Path) -> None:
    expected = FocusSource(SpendConfig(source="focus", focus_path=str(root))).fetch(START, END)

    got = source(bigquery, Clock(1)).fetch(START, END)

    key = lambda r: (r.day, r.team, r.service, r.currency, r.gpu)  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert {r.currency for r in got} == {"USD", "EUR"}
    first, *polls = bigquery.requests
    assert first["method"] == "POST" and first["path"] == "/bigquery/v2/projects/ritualbot-jobs/queries"
    assert first["auth"] == "Bearer token-for-tests"
    body = first["body"]
    assert body["useLegacySql"] is False and body["location"] == "US"
    assert body["maximumBytesBilled"] == "10000000000"  # BigQuery fails the query rather than bill more
    assert "FROM `ritualbot-billing`.`focus_ds`.`focus`" in body["query"]
    # the job was not complete at first: polled, then read page by page (3 rows a page here)
    pages = -(-len(expected) // 3)
    assert len(polls) == pages and all(p["method"] == "GET" for p in polls)
    assert [p["query"].get("pageToken") for p in polls] == [None] + [str(3 * n) for n in range(1, pages)]
    assert all(p["query"]["location"] == "US" for p in polls)


def test_a_failed_query_names_bigquerys_reason(bigquery: BigQueryDouble) -> None:
    bigquery.mode = "fail"

    with pytest.raises(SourceError) as failed:
        source(bigquery, Clock(1)).fetch(START, END)

    assert str(failed.value) == (
        "BigQuery table ritualbot-billing.focus_ds.focus: the query failed "
        "(HTTP 400: Unrecognized name: Tags at [5:40])"
    )


def test_a_job_that_never_finishes_is_cancelled_at_the_timeout(bigquery: BigQueryDouble) -> None:
    bigquery.mode = "never"

    with pytest.raises(SourceError) as slow:
        source(bigquery, Clock(7)).fetch(START, END)

    assert str(slow.value) == (
        "BigQuery table ritualbot-billing.focus_ds.focus: job job_1 did not finish within 60 s, so it was "
        "cancelled (spend.focus.timeout_seconds); the next run tries again"
    )
    last = bigquery.requests[-1]
    assert last["method"] == "POST" and last["path"] == "/bigquery/v2/projects/ritualbot-jobs/jobs/job_1/cancel"
    assert last["query"] == {"location": "US"}
    assert 5 <= len(bigquery.requests) <= 10  # bounded: a handful of polls, each waiting server-side


def test_an_unreachable_bigquery_is_named(bigquery: BigQueryDouble) -> None:
    unreachable = source(bigquery, Clock(1), endpoint_url="http://127.0.0.1:9/bigquery/v2")

    with pytest.raises(SourceError, match=r"^BigQuery table ritualbot-billing\.focus_ds\.focus unreachable"):
        unreachable.fetch(START, END)
