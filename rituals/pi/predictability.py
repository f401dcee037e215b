"""The PI predictability measure (SAFe): actual business value achieved over planned business value.

Planned counts committed objectives only; actual counts every objective, so uncommitted (stretch)
objectives can lift the figure above 100% but never pull it down. Dropped objectives are out of
the plan and out of the measure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class ObjectiveValue:
    planned: int
    actual: int | None
    committed: bool
    dropped: bool = False


@dataclass(frozen=True)
class Predictability:
    planned: int
    actual: int
    percent: Decimal | None  # None when nothing was committed: the measure is undefined

    @property
    def label(self) -> str:
        return "n/a (no committed objectives)" if self.percent is None else f"{self.percent}%"


@dataclass(frozen=True)
class History:
    """One closed PI's predictability, for the over-time chart."""

    name: str
    percent: Decimal | None


def measure(objectives: Iterable[ObjectiveValue]) -> Predictability:
    kept = [o for o in objectives if not o.dropped]
    planned = sum(o.planned for o in kept if o.committed)
    actual = sum(o.actual or 0 for o in kept)
    if planned == 0:
        return Predictability(planned, actual, None)
    percent = (Decimal(actual) * 100 / Decimal(planned)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Predictability(planned, actual, percent)


def band(percent: Decimal | None) -> str:
    """SAFe's reading: 80-100% is a predictable team."""
    if percent is None:
        return "undefined"
    if percent < 80:
        return "below the 80–100% band"
    if percent > 100:
        return "above 100% (stretch objectives delivered)"
    return "within the 80–100% band"
