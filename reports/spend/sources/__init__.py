"""Where daily costs come from: each source yields CostRows for a date range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from reports.spend.gpu import is_gpu

__all__ = ["UNTAGGED", "CostRow", "Extras", "Rejected", "SourceError", "is_gpu"]

UNTAGGED = "(untagged)"


class SourceError(Exception):
    """The source is down, throttled or misconfigured; the message is safe to show in Slack."""


@dataclass(frozen=True)
class CostRow:
    day: date
    team: str
    service: str
    amount: Decimal
    currency: str
    gpu: bool = False
    estimated: bool = False  # Cost Explorer's "Estimated": the day's costs are not final yet


@dataclass(frozen=True)
class Rejected:
    """An export file left out of the figures, and why (shown in the digest and /spend)."""

    file: str
    reason: str


@dataclass
class Extras:
    """What a source knows beyond daily costs: month-end forecasts, its own anomalies, budgets."""

    forecasts: dict[str, str] = field(default_factory=dict)
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    budgets: dict[str, list[str]] = field(default_factory=dict)
    # budgets that are neither the account total nor one team's (a service, an account, several teams)
    scoped_budgets: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
