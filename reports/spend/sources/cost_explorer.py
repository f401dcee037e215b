"""AWS Cost Explorer (daily cost by team tag and service, forecast, anomalies) and AWS Budgets.

Cost Explorer charges per request, so callers ask only for the days they do not have yet plus
the last few still-settling days (see reports.spend.store.sync). GPU cost comes from a second request
grouped by INSTANCE_TYPE (service names never say GPU), classified by reports.spend.gpu. Days Cost
Explorer marks `Estimated` are stored as estimated.

AWS Budgets: only an unfiltered monthly cost budget is the account total; a budget filtered by exactly one
value of the team tag is that team's; any other cost budget (a service, a linked account, several teams) is
kept as what it is and shown beside the figures, never compared with them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bot.deferred import aws_config
from reports.spend.config import SpendConfig
from reports.spend.gpu import is_gpu
from reports.spend.sources import UNTAGGED, CostRow, Extras, Rejected, SourceError

log = logging.getLogger(__name__)

FORECAST_METRIC = {"UnblendedCost": "UNBLENDED_COST", "AmortizedCost": "AMORTIZED_COST"}
TOTAL = "*"
EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"
SAGEMAKER = "Amazon SageMaker"
FILTER_NAMES = {
    "Service": "service",
    "LinkedAccount": "linked account",
    "Region": "region",
    "UsageType": "usage type",
    "UsageTypeGroup": "usage type group",
    "InstanceType": "instance type",
    "Operation": "operation",
    "PurchaseType": "purchase option",
    "CostCategory": "cost category",
}


class CostExplorerSource:
    name = "cost_explorer"

    def __init__(self, config: SpendConfig, *, ce: Any = None, insights: Any = None, budgets: Any = None) -> None:
        self.config = config
        self.ce = ce or _client("ce", config)
        # forecast/anomalies may come from a different client (tests stub them; moto lacks them)
        self.insights = insights or self.ce
        self.budgets: Any = budgets or (_client("budgets", config) if config.aws_budgets else None)

    rejected: list[Rejected] = []  # Cost Explorer has no files to reject (never appended to)

    def fetch(self, start: date, end: date) -> list[CostRow]:
        """Daily cost for [start, end] inclusive, grouped by the team tag and SERVICE, GPU cost split out."""
        rows = [
            CostRow(day=day, team=team, service=key or "(none)", amount=amount, currency=unit, estimated=estimated)
            for day, team, key, amount, unit, estimated in self._grouped(start, end, "SERVICE")
        ]
        return self._split_gpu(rows, start, end)

    def _grouped(self, start: date, end: date, dimension: str) -> list[tuple[date, str, str, Decimal, str, bool]]:
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": (end + timedelta(days=1)).isoformat()},
            "Granularity": "DAILY",
            "Metrics": [self.config.metric],
            "GroupBy": [{"Type": "TAG", "Key": self.config.group_tag}, {"Type": "DIMENSION", "Key": dimension}],
        }
        found = []
        for page in _pages(self.ce.get_cost_and_usage, request, "NextPageToken"):
            for result in page.get("ResultsByTime", []):
                day = date.fromisoformat(result["TimePeriod"]["Start"])
                estimated = bool(result.get("Estimated"))
                for group in result.get("Groups", []):
                    team_key, key = (group["Keys"] + ["", ""])[:2]
                    team = team_key.split("$", 1)[1] if "$" in team_key else team_key
                    metric = group["Metrics"][self.config.metric]
                    found.append((day, team or UNTAGGED, key, Decimal(metric["Amount"]), metric["Unit"], estimated))
        return found

    def _split_gpu(self, rows: list[CostRow], start: date, end: date) -> list[CostRow]:
        """Move the cost of GPU instance types (EC2, SageMaker "ml.") out of their service's row into a GPU row."""
        gpu: dict[tuple[date, str, str, str], Decimal] = defaultdict(Decimal)
        for day, team, instance, amount, unit, _ in self._grouped(start, end, "INSTANCE_TYPE"):
            if instance and is_gpu(instance):
                gpu[(day, team, SAGEMAKER if instance.startswith("ml.") else EC2_COMPUTE, unit)] += amount
        out = []
        for r in rows:
            part = min(gpu.pop((r.day, r.team, r.service, r.currency), Decimal(0)), max(r.amount, Decimal(0)))
            if part > 0:
                if r.amount - part:
                    out.append(replace(r, amount=r.amount - part))
                out.append(replace(r, amount=part, gpu=True))
            else:
                out.append(r)
        for day, team, service, _ in gpu:
            log.info("gpu cost without its service row day=%s team=%s service=%s", day, team, service)
        return out

    def extras(self, today: date, teams: list[str]) -> Extras:
        """Month-end forecasts (total and per team), Cost Explorer anomalies, AWS budgets."""
        found = Extras()
        month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        if today.day != 1:  # on the 1st the reported month is complete: nothing to forecast
            # "(untagged)" is our label, not a tag value Cost Explorer knows: that group is projected instead
            for team in [TOTAL, *(t for t in teams if t != UNTAGGED)]:
                forecast = self._forecast(today, month_end, team)
                if forecast is not None:
                    found.forecasts[team] = forecast
        if self.config.anomalies:
            found.anomalies = self._anomalies(today)
        if self.budgets is not None:
            found.budgets, found.scoped_budgets = self._budgets()
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

    def _budgets(self) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
        """Monthly cost budgets: the unfiltered one is the total ('*'), one team-tag value is that team's."""
        found: dict[str, list[str]] = {}
        scoped: list[dict[str, str]] = []
        for page in _pages(self.budgets.describe_budgets, {"AccountId": self.config.account_id}, "NextToken"):
            for budget in page.get("Budgets", []):
                name = str(budget.get("BudgetName", "?"))
                if budget.get("BudgetType") != "COST" or budget.get("TimeUnit") != "MONTHLY":
                    why = f"type {budget.get('BudgetType')}" if budget.get("BudgetType") != "COST" else ""
                    why = why or f"period {budget.get('TimeUnit')}"
                    log.info("aws budget not compared name=%s reason=%s", name, why)
                    continue
                limit = budget["BudgetLimit"]
                team, scope = self._scope(budget)
                if team is None:
                    scoped.append({"name": name, "amount": limit["Amount"], "unit": limit["Unit"], "scope": scope})
                    log.info("aws budget not compared name=%s reason=scoped to %s", name, scope)
                elif team in found:
                    log.info("aws budget not compared name=%s reason=second budget for %s", name, team)
                else:
                    found[team] = [limit["Amount"], limit["Unit"]]
        return found, sorted(scoped, key=lambda b: b["name"])

    def _scope(self, budget: dict[str, Any]) -> tuple[str | None, str]:
        """(team, '') for the total ('*') or one team; (None, what it covers) for anything else."""
        filters = {k: v for k, v in (budget.get("CostFilters") or {}).items() if v}
        if budget.get("FilterExpression"):
            return None, "a filter expression"
        if not filters:
            return TOTAL, ""
        ours = [v.partition("$")[2] for v in filters.get("TagKeyValue", []) if self._our_tag(v)]
        if set(filters) == {"TagKeyValue"} and len(ours) == len(filters["TagKeyValue"]):
            return (ours[0], "") if len(ours) == 1 and ours[0] else (None, f"team {', '.join(ours)}")
        parts = []
        for key, values in sorted(filters.items()):
            if key == "TagKeyValue":
                values = [v.removeprefix("user:").replace("$", "=", 1) for v in values]
            parts.append(f"{FILTER_NAMES.get(key, key)} {', '.join(str(v) for v in values)}")
        return None, "; ".join(parts)

    def _our_tag(self, value: str) -> bool:
        return value.partition("$")[0].removeprefix("user:") == self.config.group_tag


def _client(service: str, config: SpendConfig) -> Any:
    return boto3.client(service, region_name=config.region, endpoint_url=config.endpoint_url, config=aws_config())


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
