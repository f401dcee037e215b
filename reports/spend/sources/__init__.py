"""Where daily costs come from: each source yields CostRows for a date range."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

UNTAGGED = "(untagged)"
_GPU = re.compile(r"\b(gpu|a10g?|a100|h100|l4|t4|v100|(p[2-5][a-z]*|g[3-6][a-z]*|trn1|inf[12])\.[0-9a-z]+)\b", re.I)


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


@dataclass
class Extras:
    """What a source knows beyond daily costs: month-end forecasts, its own anomalies, budgets."""

    forecasts: dict[str, str] = field(default_factory=dict)
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    budgets: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_gpu(*texts: str) -> bool:
    """GPU spend by instance family or accelerator name in a service/SKU/charge description."""
    return any(_GPU.search(t or "") for t in texts)
