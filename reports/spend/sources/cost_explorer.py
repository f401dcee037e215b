"""AWS Cost Explorer (daily cost by team tag and service, forecast, anomalies) and AWS Budgets.

Cost Explorer charges per request, so callers ask only for the days they do not have yet plus
the last few still-settling days (see reports.spend.store.sync).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reports.spend.config import SpendConfig
from reports.spend.sources import UNTAGGED, CostRow, Extras, SourceError, is_gpu

log = logging.getLogger(__name__)

FORECAST_METRIC = {"UnblendedCost": "UNBLENDED_COST", "AmortizedCost": "AMORTIZED_COST"}
TOTAL = "*"


class CostExplorerSource:
    name = "cost_explorer"

    def __init__(self, config: SpendConfig, *, ce: Any = None, insights: Any = None, budgets: Any = None) -> None:
        self.config = config
        self.ce = ce or _client("ce", config)
        # forecast/anomalies may come from a different client (tests stub them; moto lacks them)
        self.insights = insights or self.ce
        self.budgets: Any = budgets or (_client("budgets", config) if config.aws_budgets else None)

    def fetch(self, start: date, end: date) -> list[CostRow]:
        """Daily cost for [start, end] inclusive, grouped by the team tag and SERVICE."""
        tag = self.config.group_tag
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": (end + timedelta(days=1)).isoformat()},
            "Granularity": "DAILY",
            "Metrics": [self.config.metric],
            "GroupBy": [{"Type": "TAG", "Key": tag}, {"Type": "DIMENSION", "Key": "SERVICE"}],
        }
        rows: list[CostRow] = []
        for page in _pages(self.ce.get_cost_and_usage, request, "NextPageToken"):
            for result in page.get("ResultsByTime", []):
                day = date.fromisoformat(result["TimePeriod"]["Start"])
                for group in result.get("Groups", []):
                    team_key, service = (group["Keys"] + ["", ""])[:2]
                    team = team_key.split("$", 1)[1] if "$" in team_key else team_key
                    metric = group["Metrics"][self.config.metric]
                    rows.append(
                        CostRow(
                            day=day,
                            team=team or UNTAGGED,
                            service=service or "(none)",
                            amount=Decimal(metric["Amount"]),
                            currency=metric["Unit"],
                            gpu=is_gpu(service),
                        )
                    )
        return rows

    def extras(self, today: date, teams: list[str]) -> Extras:
        """Month-end forecasts (total and per team), Cost Explorer anomalies, AWS budgets."""
        found = Extras()
        month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        if today.day != 1:  # on the 1st the reported month is complete: nothing to forecast
            for team in [TOTAL, *teams]:
                forecast = self._forecast(today, month_end, team)
                if forecast is not None:
                    found.forecasts[team] = forecast
        if self.config.anomalies:
            found.anomalies = self._anomalies(today)
        if self.budgets is not None:
            found.budgets = self._budgets()
        return found

    def _forecast(self, start: date, end: date, team: str) -> str | None:
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Metric": FORECAST_METRIC.get(self.config.metric, "UNBLENDED_COST"),
            "Granularity": "MONTHLY",
        }
        if team != TOTAL:
            request["Filter"] = {"Tags": {"Key": self.config.group_tag, "Values": [team]}}
        try:
            total = _call(self.insights.get_cost_forecast, request)["Total"]
        except SourceError as exc:
            if "DataUnavailable" in str(exc):  # too little history for this team: we project instead
                return None
            raise
        return f"{total['Amount']} {total['Unit']}"

    def _anomalies(self, today: date) -> list[dict[str, Any]]:
        request = {"DateInterval": {"StartDate": (today - timedelta(days=7)).isoformat(), "EndDate": today.isoformat()}}
        found = []
        for page in _pages(self.insights.get_anomalies, request, "NextPageToken"):
            for item in page.get("Anomalies", []):
                impact = item.get("Impact", {})
                causes = item.get("RootCauses") or [{}]
                found.append(
                    {
                        "group": causes[0].get("Service") or item.get("DimensionValue") or "?",
                        "since": item.get("AnomalyStartDate", "")[:10],
                        "impact": str(impact.get("TotalImpact", impact.get("MaxImpact", 0))),
                        "expected": str(impact.get("TotalExpectedSpend", "")),
                        "actual": str(impact.get("TotalActualSpend", "")),
                    }
                )
        return found

    def _budgets(self) -> dict[str, list[str]]:
        """Monthly cost budgets by team tag (`user:<tag>$<team>` filter); unfiltered ones are the total."""
        found: dict[str, list[str]] = {}
        request = {"AccountId": self.config.account_id}
        for page in _pages(self.budgets.describe_budgets, request, "NextToken"):
            for budget in page.get("Budgets", []):
                if budget.get("TimeUnit") != "MONTHLY" or budget.get("BudgetType") != "COST":
                    continue
                limit = budget["BudgetLimit"]
                team = TOTAL
                for value in (budget.get("CostFilters") or {}).get("TagKeyValue", []):
                    key, _, name = value.partition("$")
                    if key.removeprefix("user:") == self.config.group_tag and name:
                        team = name
                found[team] = [limit["Amount"], limit["Unit"]]
        return found


def _client(service: str, config: SpendConfig) -> Any:
    return boto3.client(service, region_name=config.region, endpoint_url=config.endpoint_url)


def _pages(method: Any, request: dict[str, Any], token_name: str) -> list[dict[str, Any]]:
    pages, token = [], None
    while True:
        page = _call(method, {**request, token_name: token} if token else request)
        pages.append(page)
        token = page.get(token_name)
        if not token:
            return pages


def _call(method: Any, request: dict[str, Any]) -> dict[str, Any]:
    try:
        return method(**request)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Error")
        log.warning("aws call failed op=%s code=%s", exc.operation_name, code)
        if code in {"ThrottlingException", "LimitExceededException", "RequestLimitExceeded"}:
            raise SourceError(f"AWS is throttling us ({code}); the next run catches up") from None
        raise SourceError(f"AWS answered {code}: {exc.response.get('Error', {}).get('Message', '')[:120]}") from None
    except BotoCoreError as exc:
        log.warning("aws call failed error=%s", type(exc).__name__)
        raise SourceError(f"AWS could not be reached ({type(exc).__name__}); the next run catches up") from None
