"""Athena as the FOCUS engine, against moto's server: the query submitted (Trino SQL, database, workgroup), polling,
results over several pages with the header row skipped and amounts exact, a failed query and one that never ends.

The client is the one ritualbot builds from ritualbot.yaml (store.build_source). moto runs no SQL: the results are
seeded through its moto-api (what Athena would answer to our query; the SQL itself is tested on DuckDB in
test_focus_query.py). Three things are added to moto here, and only here: the REST-JSON routes of this botocore's
Athena model (tests/spend/athena_moto.py); paging of GetQueryResults as Athena pages (at most MaxResults rows a page,
an opaque NextToken), which moto does not do; and the FAILED state, which moto never reaches by itself, set on the
execution in the in-process server. QUEUED -> RUNNING -> SUCCEEDED is moved with moto's own state manager."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import boto3
import httpx
import pytest
from moto.athena.models import athena_backends
from moto.athena.responses import AthenaResponse

from bot.config import Settings
from reports.spend import store
from reports.spend.config import load
from reports.spend.sources import SourceError
from reports.spend.sources.athena import AthenaSource
from tests.spend.athena_moto import athena_routes
from tests.spend.aws import ACCOUNT, client, moto_server

COLUMNS = ["day", "team", "service", "currency", "gpu", "amount"]
EXECUTION = "athena::execution"


class Clock:
    """time.monotonic and time.sleep for the poller: sleeping moves the clock, nothing waits."""

    def __init__(self, on_sleep: Any = None) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.on_sleep = on_sleep

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep:
            self.on_sleep()


@pytest.fixture(scope="module")
def moto_url():
    """moto's server with the Athena routes of botocore's REST-JSON model (tests/spend/athena_moto.py)."""
    with athena_routes(), moto_server() as url:
        yield url


@pytest.fixture
def athena_yaml(aws: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    # boto3's default session keeps the credentials it first resolves: ours must not outlive the test
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return {
        "source": "focus",
        "region": "us-east-1",
        "endpoint_url": aws,
        "focus": {
            "engine": "athena",
            "database": "cur",
            "table": "focus",
            "workgroup": "primary",
            "output_location": "s3://athena-results/ritualbot/",
            "timeout_seconds": 60,
        },
    }


@pytest.fixture
def paged_results(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """moto's GetQueryResults, paged like Athena's; returns the (offset, MaxResults) of each page asked for."""
    asked: list[tuple[int, int]] = []

    def get_query_results(self: AthenaResponse) -> str:
        size = int(self._get_param("MaxResults") or 1000)
        offset = int(self._get_param("NextToken") or 0)
        asked.append((offset, size))
        answer = self.athena_backend.get_query_results(self._get_param("QueryExecutionId")).to_dict()
        rows = answer["ResultSet"]["Rows"]
        answer["ResultSet"]["Rows"] = rows[offset : offset + size]
        if offset + size < len(rows):
            answer["NextToken"] = str(offset + size)
        return json.dumps(answer)

    monkeypatch.setattr(AthenaResponse, "get_query_results", get_query_results)
    return asked


@pytest.fixture
def transitions(aws: str):
    """Sets how moto moves a query through QUEUED -> RUNNING -> SUCCEEDED; back to its default after the test."""

    def set_transition(**transition: Any) -> None:
        body = {"model_name": EXECUTION, "transition": transition}
        assert httpx.post(f"{aws}/moto-api/state-manager/set-transition", json=body).status_code == 201

    yield set_transition
    httpx.post(f"{aws}/moto-api/state-manager/unset-transition", json={"model_name": EXECUTION})


def seed(url: str, rows: list[list[str]]) -> None:
    """What Athena answers to the next query: the header row, then the rows, every value as text."""
    cells = [{"Data": [{"VarCharValue": v} for v in r]} for r in [COLUMNS, *rows]]
    types = ["date", "varchar", "varchar", "varchar", "boolean", "decimal"]
    info = [{"Name": c, "Label": c, "Type": t} for c, t in zip(COLUMNS, types, strict=True)]
    body = {"account_id": ACCOUNT, "region": "us-east-1", "results": [{"rows": cells, "column_info": info}]}
    assert httpx.post(f"{url}/moto-api/static/athena/query-results", json=body).status_code == 201


def source(settings_yaml: dict[str, Any], clock: Clock) -> AthenaSource:
    """The source ritualbot.yaml's spend.focus.engine picks, with its own boto3 client, on a controlled clock."""
    built = store.build_source(load(Settings(database_url="sqlite://", file={"spend": settings_yaml})))
    assert isinstance(built, AthenaSource)
    built.sleep, built.clock = clock.sleep, clock
    return built


def only_execution(url: str) -> dict[str, Any]:
    athena = client("athena", url)
    (query_id,) = athena.list_query_executions()["QueryExecutionIds"]
    return athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]


def test_results_over_two_pages_are_read_whole_typed_and_with_their_currency(
    athena_yaml: dict[str, Any], paged_results: list[tuple[int, int]], transitions: Any, aws: str
) -> None:
    transitions(progression="manual", times=2)  # QUEUED, then RUNNING, then SUCCEEDED: two polls wait
    rows = [
        [
            f"2026-11-{1 + n % 30:02d}",
            f"team-{n:04d}",
            "Amazon SageMaker",
            "EUR" if n % 3 == 0 else "USD",
            "true" if n % 2 else "false",
            f"{n}.0000000001",
        ]
        for n in range(1500)
    ]
    seed(aws, rows)
    clock = Clock()

    got = source(athena_yaml, clock).fetch(date(2026, 11, 1), date(2026, 11, 30))

    assert paged_results == [(0, 1000), (1000, 1000)]  # two pages, the second asked for with NextToken
    assert len(got) == 1500  # the header row is not a cost
    assert got[0].team == "team-0000" and got[0].day == date(2026, 11, 1) and got[0].currency == "EUR"
    assert got[1].gpu is True and got[1].currency == "USD" and got[1].amount == Decimal("1.0000000001")
    assert sum(r.amount for r in got) == Decimal(sum(range(1500))) + Decimal("0.0000001500")  # exact, no float
    assert {r.currency for r in got} == {"EUR", "USD"}
    assert len(clock.slept) >= 2 and clock.slept[0] == 0.5  # polled until moto said SUCCEEDED
    execution = only_execution(aws)
    assert execution["QueryExecutionContext"] == {"Database": "cur", "Catalog": "AwsDataCatalog"}
    assert execution["WorkGroup"] == "primary"
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-results/ritualbot/")
    query = execution["Query"]
    assert 'FROM "cur"."focus"' in query and "ELEMENT_AT(\"Tags\", 'team')" in query
    assert "\"billing_period\" IN ('2026-11')" in query  # other billing periods' partitions are not scanned
    assert "CAST('2026-12-01 00:00:00 UTC' AS TIMESTAMP WITH TIME ZONE)" in query


def test_a_failed_query_is_named_to_the_user(athena_yaml: dict[str, Any], transitions: Any, aws: str) -> None:
    transitions(progression="manual", times=1_000_000)  # stays QUEUED until the test fails it

    def fail() -> None:
        for execution in athena_backends[ACCOUNT]["us-east-1"].executions.values():
            execution.status = "FAILED"

    with pytest.raises(SourceError) as failed:
        source(athena_yaml, Clock(on_sleep=fail)).fetch(date(2026, 11, 1), date(2026, 11, 30))

    query_id = only_execution(aws)["QueryExecutionId"]
    message = str(failed.value)
    assert message.startswith(f"Athena table cur.focus (workgroup primary): query {query_id} failed")
    assert "see the query in its console" in message  # moto gives no StateChangeReason; Athena's would be shown


def test_a_query_that_never_finishes_is_stopped_at_the_timeout(
    athena_yaml: dict[str, Any], transitions: Any, aws: str
) -> None:
    transitions(progression="manual", times=1_000_000)
    clock = Clock()

    with pytest.raises(SourceError) as slow:
        source(athena_yaml, clock).fetch(date(2026, 11, 1), date(2026, 11, 30))

    execution = only_execution(aws)
    assert str(slow.value) == (
        f"Athena table cur.focus (workgroup primary): query {execution['QueryExecutionId']} did not finish within "
        "60 s (still queued), so it was stopped (spend.focus.timeout_seconds); the next run tries again"
    )
    assert execution["Status"]["State"] == "CANCELLED"  # it scans (and costs) nothing more
    assert sum(clock.slept) == 60 and max(clock.slept) == 5.0  # backed off to 5 s, never waited past the limit


def test_a_query_athena_refuses_names_the_reason(athena_yaml: dict[str, Any]) -> None:
    athena_yaml["focus"]["workgroup"] = "no-such-workgroup"

    with pytest.raises(SourceError, match=r"^Athena table cur\.focus \(workgroup no-such-workgroup\) could not be"):
        source(athena_yaml, Clock()).fetch(date(2026, 11, 1), date(2026, 11, 30))


def test_athena_costs_reach_slash_spend_each_currency_apart(
    signed: Any, runtime: Any, settings: Settings, clock: Any, spend_yaml: dict[str, Any], athena_yaml: dict[str, Any]
) -> None:
    spend_yaml.clear()
    spend_yaml.update(athena_yaml)  # ritualbot.yaml: spend.focus.engine athena
    yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
    seed(
        athena_yaml["endpoint_url"],
        [
            [yesterday, "vision", "Amazon Elastic Compute Cloud", "USD", "true", "120.5000000000"],
            [yesterday, "nlp", "Virtual Machines", "EUR", "false", "30.2500000000"],
        ],
    )
    config = load(settings)
    with runtime.database.session() as s:
        assert store.sync(s, store.build_source(config), config, clock.now()).last_error is None

    body = signed.command("/spend").json()

    assert body["response_type"] == "ephemeral"
    assert body["text"] == "All teams spent €30.25 and $120.50 this month (to 22 Nov)."
    blocks = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    eur = next(t for t in blocks if t.startswith("*Cloud spend in EUR*"))
    usd = next(t for t in blocks if t.startswith("*Cloud spend in USD*"))
    assert "Yesterday *€30.25*." in eur and "GPU share of yesterday: 0%." in eur
    assert "Yesterday *$120.50*." in usd and "GPU share of yesterday: 100%." in usd
