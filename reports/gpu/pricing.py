"""On-demand prices per GPU-hour: by instance type (divided by its GPUs) or by GPU model; overridable."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

# AWS us-east-1 on-demand, USD per instance-hour, and GPUs per instance (GPU models in GPU_OF).
INSTANCE_TYPES: dict[str, tuple[Decimal, int]] = {
    "p3.2xlarge": (Decimal("3.06"), 1),
    "p3.8xlarge": (Decimal("12.24"), 4),
    "p3.16xlarge": (Decimal("24.48"), 8),
    "p4d.24xlarge": (Decimal("32.7726"), 8),
    "p5.48xlarge": (Decimal("98.32"), 8),
    "g4dn.xlarge": (Decimal("0.526"), 1),
    "g4dn.12xlarge": (Decimal("3.912"), 4),
    "g5.xlarge": (Decimal("1.006"), 1),
    "g5.12xlarge": (Decimal("5.672"), 4),
    "g5.48xlarge": (Decimal("16.288"), 8),
    "g6.xlarge": (Decimal("0.8048"), 1),
    "g6.12xlarge": (Decimal("4.6016"), 4),
}
GPU_OF = {"p3": "V100", "p4d": "A100", "p5": "H100", "g4dn": "T4", "g5": "A10G", "g6": "L4"}
# Per GPU-hour, matched as a substring of the reported model name (longest match wins).
GPU_MODELS: dict[str, Decimal] = {
    "H100": Decimal("12.29"),
    "A100": Decimal("4.10"),
    "V100": Decimal("3.06"),
    "A10G": Decimal("1.006"),
    "L4": Decimal("0.805"),
    "T4": Decimal("0.526"),
    "L40S": Decimal("1.86"),
}


def price_per_gpu_hour(model: str, instance_type: str, overrides: Mapping[str, Decimal]) -> Decimal | None:
    """Configured price first (instance type, then model), then the defaults; None when unknown."""
    if instance_type and instance_type in overrides:
        return overrides[instance_type] / INSTANCE_TYPES.get(instance_type, (Decimal(0), 1))[1]
    found = _by_model(model, overrides)
    if found is not None:
        return found
    if instance_type in INSTANCE_TYPES:
        price, gpus = INSTANCE_TYPES[instance_type]
        return price / gpus
    return _by_model(model, GPU_MODELS)


def _by_model(model: str, table: Mapping[str, Decimal]) -> Decimal | None:
    hits = [name for name in table if name.lower() in model.lower()]
    return table[max(hits, key=len)] if hits and model else None


def gpus_of(instance_type: str) -> tuple[int, str]:
    """(GPU count, GPU model) of a known instance type; (0, '') otherwise."""
    count = INSTANCE_TYPES.get(instance_type, (Decimal(0), 0))[1]
    return count, GPU_OF.get(instance_type.split(".")[0], "")


# Compute slices of a whole GPU in MIG mode: the A30 has 4, the A100, H100, H200 and B200 have 7
# (NVIDIA's MIG user guide, "Supported MIG Profiles").
MIG_SLICES = {"A30": 4}
MIG_PROFILE = re.compile(r"^(\d+)g\.")


def mig_share(profile: str, model: str) -> float:
    """A MIG instance's share of its GPU: its compute slices over the GPU's ("3g.40gb" on an A100: 3/7)."""
    found = MIG_PROFILE.match(profile)
    if not found:
        return 1.0
    slices = next((n for name, n in MIG_SLICES.items() if name in model), 7)
    return min(1.0, int(found.group(1)) / slices)
