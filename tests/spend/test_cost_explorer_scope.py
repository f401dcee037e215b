"""Cost Explorer and AWS Budgets: budget scoping, GPU cost by INSTANCE_TYPE, the Estimated flag, forecasts.

moto's server answers Cost Explorer (queued results) and Budgets; Stubber answers forecasts (moto lacks them).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from botocore.stub import Stubber
from sqlalchemy import select

from bot import jobs
from reports.spend import store
from reports.spend.models import SpendDay
from reports.spend.sources.cost_explorer import CostExplorerSource
from tests.spend.aws import ACCOUNT, client, day_result, queue_cost_results, record_calls
from tests.spend.test_cost_explorer import CONFIG, EC2, SCOPE

SAGEMAKER = "Amazon SageMaker"


@pytest.fixture
def spend_yaml():
    return {
        "source": "cost_explorer",
        "backfill_days": 5,
        "aws_budgets": True,
        "account_id": ACCOUNT,
        "anomalies": False,
    }


def budget(url: str, name: str, amount: str, filters: dict | None = None, **kw: str) -> None:
    spec = {
        "BudgetName": name,
        "BudgetLimit": {"Amount": amount, "Unit": "USD"},
        "TimeUnit": kw.get("unit", "MONTHLY"),
        "BudgetType": kw.get("kind", "COST"),
    }
    if filters:
        spec["CostFilters"] = filters
    client("budgets", url).create_budget(AccountId=ACCOUNT, Budget=spec)


def every_budget_shape(url: str) -> None:
    budget(url, "account", "900")
    budget(url, "vision-monthly", "3000", {"TagKeyValue": ["user:team$vision"]})
    budget(url, "sagemaker", "500", {"Service": [SAGEMAKER]})
    budget(url, "two-teams", "1000", {"TagKeyValue": ["user:team$vision", "user:team$nlp"]})
    budget(url, "ec2-hours", "100", kind="USAGE")
    budget(url, "quarterly", "2700", unit="QUARTERLY")
    budget(url, "dev-account", "300", {"LinkedAccount": ["210987654321"]})  # last: it used to win the total


def test_only_an_unfiltered_cost_budget_is_the_account_total_and_tag_budgets_are_teams(aws, caplog):
    every_budget_shape(aws)
    config = dataclasses.replace(CONFIG, anomalies=False)
    source = CostExplorerSource(config, ce=client("ce", aws), budgets=client("budgets", aws))
    with caplog.at_level(logging.INFO, logger="reports.spend.sources.cost_explorer"):
        found = source.extras(date(2026, 12, 1), [])  # the 1st: no forecast asked
    assert found.budgets == {"*": ["900", "USD"], "vision": ["3000", "USD"]}
    assert found.scoped_budgets == [
        {"name": "dev-account", "amount": "300", "unit": "USD", "scope": "linked account 210987654321"},
        {"name": "sagemaker", "amount": "500", "unit": "USD", "scope": "service Amazon SageMaker"},
        {"name": "two-teams", "amount": "1000", "unit": "USD", "scope": "team vision, nlp"},
    ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "aws budget not compared name=ec2-hours reason=type USAGE" in logged
    assert "aws budget not compared name=quarterly reason=period QUARTERLY" in logged


def test_a_scoped_budget_never_fires_the_whole_account_alert_and_is_shown_as_what_it_is(
    aws, signed, runtime, slack, deliver, monkeypatch
):
    every_budget_shape(aws)
    client("budgets", aws).delete_budget(AccountId=ACCOUNT, BudgetName="account")
    days = [day_result(f"2026-11-{d}", f"2026-11-{d + 1}", [("vision", EC2, "100.00")]) for d in range(18, 23)]
    queue_cost_results(aws, {"ResultsByTime": days})
    config = dataclasses.replace(CONFIG, anomalies=False)
    stub = Stubber(client("ce"))
    stub.add_client_error("get_cost_forecast", "DataUnavailableException", "Not enough data")
    stub.add_client_error("get_cost_forecast", "DataUnavailableException", "Not enough data")
    stub.activate()
    source = CostExplorerSource(config, ce=client("ce", aws), insights=stub.client, budgets=client("budgets", aws))
    monkeypatch.setattr(store, "build_source", lambda config: source)
    signed.command("/ritual", "digest on 09:00 UTC")
    jobs.run("spend.alerts", SCOPE, rt=runtime)
    jobs.run("digest.post", SCOPE, rt=runtime)
    deliver()
    posted = [p["text"] for p in slack.posted("C0001")]
    assert not any("whole account" in t for t in posted), posted  # 500 spent vs the dev account's 300
    digest = str(slack.posted("C0001")[-1]["blocks"])
    assert (
        "AWS Budgets not compared here: dev-account $300.00 (linked account 210987654321), "
        "sagemaker $500.00 (service Amazon SageMaker), two-teams $1,000.00 (team vision, nlp)." in digest
    )


def test_gpu_cost_comes_from_instance_types_not_service_names(aws, database):
    """22 Nov: vision EC2 100 (p4d 80 + m5 20), SageMaker 40 (ml.g5); nlp EC2 10 (t3). GPU 120 of 150 = 80 %."""
    ce = client("ce", aws)
    sent = record_calls(ce, "GetCostAndUsage")
    services = [("vision", EC2, "100.00"), ("vision", SAGEMAKER, "40.00"), ("nlp", EC2, "10.00")]
    types = [
        ("vision", "p4d.24xlarge", "80.00"),
        ("vision", "m5.large", "20.00"),
        ("vision", "ml.g5.xlarge", "40.00"),
        ("nlp", "t3.micro", "10.00"),
    ]
    queue_cost_results(
        aws,
        {"ResultsByTime": [day_result("2026-11-22", "2026-11-23", services)]},
        {"ResultsByTime": [day_result("2026-11-22", "2026-11-23", types)]},
    )
    config = dataclasses.replace(CONFIG, anomalies=False, aws_budgets=False, backfill_days=1)
    source = CostExplorerSource(config, ce=ce, insights=_no_forecasts(3))  # total, nlp, vision
    with database.session() as s:
        assert store.sync(s, source, config, datetime(2026, 11, 23, 8, 0, tzinfo=UTC)).last_error is None
        stored = sorted((r.team, r.service, r.gpu, r.amount) for r in s.scalars(select(SpendDay)))
    assert [c["GroupBy"] for c in sent] == [
        [{"Type": "TAG", "Key": "team"}, {"Type": "DIMENSION", "Key": "SERVICE"}],
        [{"Type": "TAG", "Key": "team"}, {"Type": "DIMENSION", "Key": "INSTANCE_TYPE"}],
    ]
    assert stored == [
        ("nlp", EC2, False, Decimal("10.00")),
        ("vision", EC2, False, Decimal("20.00")),
        ("vision", EC2, True, Decimal("80.00")),
        ("vision", SAGEMAKER, True, Decimal("40.00")),
    ]


def _no_forecasts(calls: int):
    stub = Stubber(client("ce"))
    for _ in range(calls):
        stub.add_client_error("get_cost_forecast", "DataUnavailableException", "Not enough data")
    stub.activate()
    return stub.client


def test_estimated_days_are_marked_estimated(aws, signed, runtime, slack, deliver, monkeypatch):
    settled = [day_result(f"2026-11-{d}", f"2026-11-{d + 1}", [("vision", EC2, "100.00")]) for d in range(18, 22)]
    recent = day_result("2026-11-22", "2026-11-23", [("vision", EC2, "120.00")])
    recent["Estimated"] = True
    queue_cost_results(aws, {"ResultsByTime": [*settled, recent]})
    config = dataclasses.replace(CONFIG, anomalies=False, aws_budgets=False)
    stub = Stubber(client("ce"))
    for _ in range(2):
        stub.add_client_error("get_cost_forecast", "DataUnavailableException", "Not enough data")
    stub.activate()
    source = CostExplorerSource(config, ce=client("ce", aws), insights=stub.client)
    monkeypatch.setattr(store, "build_source", lambda config: source)
    signed.command("/ritual", "digest on 09:00 UTC")
    jobs.run("digest.post", SCOPE, rt=runtime)
    deliver()
    body = str(slack.posted("C0001")[-1]["blocks"])
    assert "Yesterday *$120.00* (estimated)" in body
    assert "Month to date (November) *$520.00* (includes estimated days)" in body


def test_no_forecast_is_requested_for_the_untagged_group(aws):
    stub = Stubber(client("ce"))
    for team in ("*", "vision"):
        request = {
            "TimePeriod": {"Start": "2026-11-23", "End": "2026-12-01"},
            "Metric": "UNBLENDED_COST",
            "Granularity": "MONTHLY",
        }
        if team != "*":
            request["Filter"] = {"Tags": {"Key": "team", "Values": [team]}}
        stub.add_response("get_cost_forecast", {"Total": {"Amount": "10", "Unit": "USD"}}, expected_params=request)
    stub.activate()
    config = dataclasses.replace(CONFIG, anomalies=False, aws_budgets=False)
    found = CostExplorerSource(config, ce=client("ce", aws), insights=stub.client).extras(
        date(2026, 11, 23), ["(untagged)", "vision"]
    )
    stub.assert_no_pending_responses()
    assert found.forecasts == {"*": "10 USD", "vision": "10 USD"}
