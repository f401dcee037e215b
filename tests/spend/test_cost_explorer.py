"""Cost Explorer on moto's server (costs, Budgets) with Stubber for forecast and anomalies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from botocore.stub import Stubber
from sqlalchemy import func, select

from bot import jobs
from reports.spend import store
from reports.spend.config import SpendConfig
from reports.spend.models import SpendDay
from reports.spend.sources.cost_explorer import CostExplorerSource
from tests.digest import view
from tests.spend.aws import (
    ACCOUNT,
    client,
    day_result,
    queue_cost_results,
    record_calls,
)

SCOPE = "T0001:C0001"
EC2 = "Amazon Elastic Compute Cloud - Compute"
CONFIG = SpendConfig(source="cost_explorer", refresh_days=3, backfill_days=5, aws_budgets=True, account_id=ACCOUNT)


@pytest.fixture
def spend_yaml():
    return {
        "source": "cost_explorer",
        "refresh_days": 3,
        "backfill_days": 5,
        "aws_budgets": True,
        "account_id": ACCOUNT,
        "min_anomaly": 100,
    }


def create_budget(url: str, team: str, amount: str) -> None:
    client("budgets", url).create_budget(
        AccountId=ACCOUNT,
        Budget={
            "BudgetName": f"{team}-monthly",
            "BudgetLimit": {"Amount": amount, "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            "CostFilters": {"TagKeyValue": [f"user:team${team}"]},
        },
    )


def stub_insights(forecasts: dict[str, str | None], today: str, month_end: str) -> Stubber:
    """Forecasts for the total ('*') then each team, then one anomaly, shaped as AWS documents them."""
    insights = client("ce")
    stub = Stubber(insights)
    week_before = (date.fromisoformat(today) - timedelta(days=7)).isoformat()
    for team, amount in forecasts.items():
        request = {
            "TimePeriod": {"Start": today, "End": month_end},
            "Metric": "UNBLENDED_COST",
            "Granularity": "MONTHLY",
        }
        if team != "*":
            request["Filter"] = {"Tags": {"Key": "team", "Values": [team]}}
        if amount is None:
            stub.add_client_error(
                "get_cost_forecast", "DataUnavailableException", "Not enough data", expected_params=request
            )
        else:
            stub.add_response(
                "get_cost_forecast",
                {
                    "Total": {"Amount": amount, "Unit": "USD"},
                    "ForecastResultsByTime": [{"TimePeriod": {"Start": today, "End": month_end}, "MeanValue": amount}],
                },
                expected_params=request,
            )
    stub.add_response(
        "get_anomalies",
        {
            "Anomalies": [
                {
                    "AnomalyId": "a-1",
                    "AnomalyStartDate": "2026-11-22",
                    "AnomalyEndDate": "2026-11-22",
                    "DimensionValue": "Amazon SageMaker",
                    "MonitorArn": "arn:aws:ce::123456789012:anomalymonitor/m-1",
                    "RootCauses": [{"Service": "Amazon SageMaker", "Region": "us-east-1"}],
                    "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.9},
                    "Impact": {
                        "MaxImpact": 420.0,
                        "TotalImpact": 420.0,
                        "TotalActualSpend": 500.0,
                        "TotalExpectedSpend": 80.0,
                    },
                    "Feedback": "YES",
                }
            ]
        },
        expected_params={"DateInterval": {"StartDate": week_before, "EndDate": today}},
    )
    stub.activate()
    return stub


def test_sync_pages_backfills_once_then_refetches_only_the_settling_days(aws, database):
    ce = client("ce", aws)
    sent = record_calls(ce, "GetCostAndUsage")
    page1 = {
        "ResultsByTime": [
            day_result(f"2026-11-{d}", f"2026-11-{d + 1}", [("vision", EC2, "100.25"), ("", "AWS Lambda", "1.50")])
            for d in (18, 19, 20)
        ],
        "NextPageToken": "page-2",
        "DimensionValueAttributes": [],
    }
    page2 = {
        "ResultsByTime": [
            day_result(f"2026-11-{d}", f"2026-11-{d + 1}", [("vision", EC2, "100.25")]) for d in (21, 22)
        ],
        "DimensionValueAttributes": [],
    }
    queue_cost_results(aws, page1, page2)
    create_budget(aws, "vision", "3000")
    stub = stub_insights({"*": "900.0", "vision": "800.0"}, "2026-11-23", "2026-12-01")  # none for "(untagged)"
    source = CostExplorerSource(CONFIG, ce=ce, insights=stub.client, budgets=client("budgets", aws))
    with database.session() as s:
        state = store.sync(s, source, CONFIG, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
        assert state.last_error is None
        assert s.scalar(select(func.count()).select_from(SpendDay)) == 8
        assert s.scalar(select(func.sum(SpendDay.amount)).where(SpendDay.team == "vision")) == Decimal("501.25")
    stub.assert_no_pending_responses()
    # two pages by SERVICE, then one request by INSTANCE_TYPE for the GPU split (reports.spend.gpu)
    assert [c["TimePeriod"] for c in sent] == [{"Start": "2026-11-18", "End": "2026-11-23"}] * 3
    assert [c["GroupBy"][1]["Key"] for c in sent] == ["SERVICE", "SERVICE", "INSTANCE_TYPE"]
    assert sent[0]["GroupBy"] == [{"Type": "TAG", "Key": "team"}, {"Type": "DIMENSION", "Key": "SERVICE"}]
    assert sent[0]["Metrics"] == ["UnblendedCost"] and sent[0]["Granularity"] == "DAILY"
    assert "NextPageToken" not in sent[0] and sent[1]["NextPageToken"] == "page-2"
    assert state.snapshot["forecasts"] == {"*": "900.0 USD", "vision": "800.0 USD"}
    assert state.snapshot["budgets"] == {"vision": ["3000", "USD"]}
    assert state.snapshot["anomalies"][0]["group"] == "Amazon SageMaker"

    with database.session() as s:  # the same day again: no request at all
        store.sync(s, source, CONFIG, datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert len(sent) == 3

    queue_cost_results(
        aws,
        {
            "ResultsByTime": [
                day_result(f"2026-11-{d}", f"2026-11-{d + 1}", [("vision", EC2, "110.00")]) for d in (20, 21, 22, 23)
            ]
        },
    )
    source.insights = stub_insights({"*": "700.0", "vision": "600.0"}, "2026-11-24", "2026-12-01").client
    with database.session() as s:  # 18-19 Nov kept, 20-23 Nov replaced
        store.sync(s, source, CONFIG, datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
        assert s.scalar(select(func.sum(SpendDay.amount)).where(SpendDay.team == "vision")) == Decimal("640.50")
        assert s.scalar(select(func.count()).select_from(SpendDay).where(SpendDay.team == "(untagged)")) == 2
    assert sent[3]["TimePeriod"] == {"Start": "2026-11-20", "End": "2026-11-24"}  # 3 settling days + 1 new


def test_throttled_source_is_named_in_the_digest_and_the_next_run_catches_up(
    aws, signed, runtime, slack, deliver, clock, monkeypatch
):
    throttled = client("ce")
    stub = Stubber(throttled)
    for _ in range(2):  # the alert job and the digest each try once
        stub.add_client_error("get_cost_and_usage", "ThrottlingException", "Rate exceeded")
    stub.activate()
    sources = {"today": CostExplorerSource(CONFIG, ce=throttled, budgets=client("budgets", aws))}
    monkeypatch.setattr(store, "build_source", lambda config: sources["today"])
    signed.command("/ritual", "digest on 09:00 UTC")
    jobs.run("spend.alerts", SCOPE, rt=runtime)
    assert jobs.run("digest.post", SCOPE, rt=runtime).ran
    deliver()
    [digest] = view.digests(slack)
    text = str([m["blocks"] for m in digest])
    assert "Needs attention" in text and "No cost data stored yet." in text
    assert (
        ":warning: cost explorer is unavailable: AWS is throttling us (ThrottlingException); "
        "the next run catches up" in text
    )
    stub.assert_no_pending_responses()

    ce = client("ce", aws)
    sent = record_calls(ce, "GetCostAndUsage")
    days = [day_result(f"2026-11-{d:02d}", f"2026-11-{d + 1:02d}", [("vision", EC2, "100.00")]) for d in range(19, 23)]
    days.append(day_result("2026-11-23", "2026-11-24", [("vision", EC2, "2500.00")]))
    queue_cost_results(aws, {"ResultsByTime": days})
    create_budget(aws, "vision", "3000")
    insights = stub_insights({"*": "1000.0", "vision": "1000.0"}, "2026-11-24", "2026-12-01")
    sources["today"] = CostExplorerSource(CONFIG, ce=ce, insights=insights.client, budgets=client("budgets", aws))
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    jobs.run("spend.alerts", SCOPE, rt=runtime)
    jobs.run("digest.post", SCOPE, rt=runtime)
    deliver()
    assert sent[0]["TimePeriod"] == {"Start": "2026-11-19", "End": "2026-11-24"}  # the backfill it missed
    posted = [p["text"] for p in slack.posted("C0001") if not p.get("thread_ts")][1:]  # details: in the digest's thread
    # 2,900 of 3,000 (97%) from AWS Budgets; Cost Explorer forecast 2,900 + 1,000 = 3,900
    assert posted[0] == (
        ":warning: *vision* has spent $2,900.00 of its $3,000.00 November budget (97%), "
        "past the 80% threshold. Budget from AWS Budgets."
    )
    assert posted[1].startswith(":crystal_ball: *vision* is forecast to end November at $3,900.00")
    assert "(Cost Explorer)" in posted[1]
    body = str(slack.posted("C0001")[-1]["blocks"])
    assert "month end forecast $3,900.00 (Cost Explorer)" in body
    assert (
        "*Amazon SageMaker* $500.00 on 23 Nov, $420.00 above its normal $80.00/day, since 22 Nov (Cost Explorer)"
        in body
    )
    assert "unavailable" not in body
    insights.assert_no_pending_responses()
