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
  focus: {path: ./exports}     # or s3://bucket/prefix
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
    if source == "focus" and not focus.get("path"):
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
        budgets=_budgets(raw.get("budgets") or {}),
        thresholds=tuple(sorted(_int({"t": t}, "t", 0) for t in raw.get("thresholds", (50, 80, 100)))),
        channels=tuple(str(c) for c in raw.get("channels") or ()),
        min_anomaly=_money(raw.get("min_anomaly", 100), "spend.min_anomaly"),
        currency=currency,
        rates=_rates(raw.get("rates") or {}, currency),
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


def _int(raw: Mapping[str, Any], name: str, default: int) -> int:
    value = raw.get(name, default)
    if not isinstance(value, int) or value < 0:
        raise ConfigError(f"spend.{name} must be a whole number >= 0, got {value!r}")
    return value
