"""The weekly per-user waste report, after Princeton's Job Defense Shield: GPU-hours each owner left
idle or memory-held (utilisation under the threshold, in runs of at least the minimum window) over
the 7 days to yesterday, their cost, and the unit that wasted most. Owners over the threshold get a
DM; the lead gets the whole list."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.gpu.config import GpuConfig
from reports.gpu.models import GpuDay
from reports.gpu.service import cost, label

DAYS = 7


@dataclass
class OwnerWaste:
    owner: str  # "" for GPUs nobody owns
    idle_h: float = 0.0  # GPU-hours (a MIG slice counts its share)
    held_h: float = 0.0
    cost: Decimal = Decimal(0)
    units: dict[str, float] = field(default_factory=dict)  # unit label -> hours idle or held

    @property
    def hours(self) -> float:
        return self.idle_h + self.held_h

    @property
    def worst(self) -> tuple[str, float]:
        return max(self.units.items(), key=lambda kv: (kv[1], kv[0])) if self.units else ("", 0.0)


@dataclass(frozen=True)
class WeeklyWaste:
    first: date
    last: date
    currency: str
    owners: list[OwnerWaste]  # most wasted first

    @property
    def hours(self) -> float:
        return sum(o.hours for o in self.owners)

    @property
    def cost(self) -> Decimal:
        return sum((o.cost for o in self.owners), Decimal(0))


def weekly(session: Session, config: GpuConfig, last: date) -> WeeklyWaste:
    first = last - timedelta(days=DAYS - 1)
    rows = session.scalars(select(GpuDay).where(GpuDay.day >= first, GpuDay.day <= last).order_by(GpuDay.gpu_key))
    owners: dict[str, OwnerWaste] = defaultdict(lambda: OwnerWaste(""))
    for row in rows:
        if not row.idle_h and not row.held_h:
            continue
        found = owners[row.owner]
        found.owner = row.owner
        found.idle_h += row.idle_h * row.share
        found.held_h += row.held_h * row.share
        found.cost += cost(row.idle_h + row.held_h, row.price)
        name = label(row)
        found.units[name] = found.units.get(name, 0.0) + row.idle_h + row.held_h
    ordered = sorted(owners.values(), key=lambda o: (-o.hours, o.owner))
    return WeeklyWaste(first, last, config.currency, ordered)


def over_threshold(week: WeeklyWaste, config: GpuConfig) -> list[OwnerWaste]:
    return [o for o in week.owners if o.owner and o.hours >= config.waste_threshold_h]
