"""What a run cost: GPU-hours x price, from the GPU capability's inventory (the run's host or pod and
the price of each GPU there) or from a price configured per run tag; and why, when it is unknown."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot import blocks as b
from reports.gpu import pricing
from reports.gpu.models import GpuDay
from reports.runs.config import RunsConfig
from reports.runs.source import RunView

HOST_TAGS = ("host", "hostname", "mlflow.source.host")
POD_TAGS = ("k8s.pod", "pod", "kubernetes.pod")
# MLflow's system metrics name each GPU: system/gpu_0_utilization_percentage, system/gpu_1_memory_usage_megabytes
SYSTEM_GPU = re.compile(r"^system/gpu_(\d+)_")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class RunCost:
    """A run's estimated cost (`amount` None when unknown, `reason` says why) and what it ran on."""

    amount: Decimal | None
    currency: str = "USD"
    on: str = ""  # "4×A100" or "queue=a100x4"
    hours: float = 0.0
    reason: str = ""


def estimate(s: Session, run: RunView, config: RunsConfig) -> RunCost:
    """The cost of a finished run: inventory first (it knows the GPUs), then a price per run tag."""
    hours = max(0, (run.end_ms or run.start_ms) - run.start_ms) / 3_600_000
    host = next((run.tags[t] for t in HOST_TAGS if run.tags.get(t)), "")
    pod = next((run.tags[t] for t in POD_TAGS if run.tags.get(t)), "")
    found = _inventory(s, run, host, pod, hours) if host or pod else None
    if found is not None and found.amount is not None:
        return found
    for key, price in config.tag_prices.items():
        tag, _, value = key.partition("=")
        if run.tags.get(tag) == value:
            return RunCost(price * Decimal(str(hours)), config.currency, key, hours)
    if found is not None:
        return found
    return RunCost(None, reason="the run has no `host` or `k8s.pod` tag", hours=hours)


def _inventory(s: Session, run: RunView, host: str, pod: str, hours: float) -> RunCost:
    start = datetime.fromtimestamp(run.start_ms / 1000, UTC).date()
    end = datetime.fromtimestamp((run.end_ms or run.start_ms) / 1000, UTC).date()
    match = or_(*([GpuDay.host == host] if host else []), *([GpuDay.pod == pod] if pod else []))
    rows = s.scalars(select(GpuDay).where(GpuDay.day >= start, GpuDay.day <= end, match).order_by(GpuDay.day.desc()))
    gpus: dict[str, GpuDay] = {}
    for row in rows:  # the newest day's row of each GPU
        gpus.setdefault(row.gpu_key, row)
    where = f"pod `{pod}`" if pod else f"host `{host}`"
    if not gpus:
        return RunCost(None, reason=f"{where} is not in the GPU inventory", hours=hours)
    used = sorted(gpus.values(), key=lambda g: (g.host, g.gpu))
    count = len({int(m.group(1)) for name in run.metrics if (m := SYSTEM_GPU.match(name))})
    if count and not pod:  # system metrics say how many of the host's GPUs the run used
        used = used[:count]
    prices = [_price(g) for g in used]
    if any(p is None for p in prices):
        return RunCost(None, reason=f"no price for the {_model(used[0])} GPUs of {where}", hours=hours)
    if len({g.currency or "USD" for g in used}) > 1:
        return RunCost(None, reason=f"the GPUs of {where} are priced in different currencies", hours=hours)
    total = sum((p for p in prices if p is not None), Decimal(0))
    return RunCost(total * Decimal(str(hours)), used[0].currency or "USD", f"{len(used)}×{_model(used[0])}", hours)


def _price(gpu: GpuDay) -> Decimal | None:
    if gpu.price is not None:
        return Decimal(gpu.price)
    found = pricing.price_per_gpu_hour(gpu.model, gpu.instance_type, {})
    return found * Decimal(str(gpu.share)) if found is not None else None


def _model(gpu: GpuDay) -> str:
    known = [name for name in pricing.GPU_MODELS if name.lower() in gpu.model.lower()]
    return max(known, key=len) if known else (gpu.model or "GPU")


def money(amount: Decimal, currency: str) -> str:
    """$41 from ten up, $8.20 below."""
    shown = f"{amount:,.0f}" if amount >= 10 else f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{shown}" if symbol else f"{shown} {currency}"


def duration(hours: float) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 60} h {minutes % 60} m"


def line(cost: RunCost) -> str:
    """'≈ $41 on 4×A100, 2 h 30 m', or 'cost unknown: <why>'."""
    if cost.amount is None:
        return f"cost unknown: {cost.reason}"
    return f"≈ {money(cost.amount, cost.currency)} on {cost.on}, {duration(cost.hours)}"


def total_line(costs: Iterable[RunCost], what: str) -> str:
    """'≈ $10 for 5 trials' (and how many are unknown)."""
    costs = list(costs)
    known = [c for c in costs if c.amount is not None]
    if not known:
        reasons = sorted({c.reason for c in costs})
        return f"cost unknown for all {len(costs)} {what}" + (f": {reasons[0]}" if len(reasons) == 1 else "")
    text = f"≈ {amounts((c.amount, c.currency) for c in known)} for {len(known)} {what}"
    missing = len(costs) - len(known)
    return text + (f" (cost unknown for {missing} more)" if missing else "")


def amounts(costs: Iterable[tuple[Decimal | None, str]]) -> str:
    """'$41 and €2.00': one sum per currency, in the order met; two currencies are never added."""
    sums: dict[str, Decimal] = {}
    for amount, currency in costs:
        if amount is not None:
            sums[currency] = sums.get(currency, Decimal(0)) + Decimal(amount)
    return " and ".join(money(total, currency) for currency, total in sums.items())


def with_line(blocks: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The blocks with a context line added before the buttons (or at the end)."""
    at = next((n for n, block in enumerate(blocks) if block.get("type") == "actions"), len(blocks))
    return [*blocks[:at], b.context(text), *blocks[at:]]


def trials_line(costs: list[tuple[str, RunCost]], total: str) -> str:
    """A sweep's total, then the cost of each trial shown (unless none is known)."""
    if all(c.amount is None for _, c in costs):
        return total
    return "\n".join([total, *(f"{name}: {line(c)}" for name, c in costs)])
