"""Which costs are GPU (or ML-accelerator) costs: a table naming each instance family per provider.

Cost lines carry the instance type or SKU in different places: AWS in `x_UsageType` ("USE1-BoxUsage:p4d.24xlarge"),
`SkuPriceDetails` and the charge description, Cost Explorer in the INSTANCE_TYPE dimension; Azure in the VM size
("Standard_NC24ads_A100_v4") or meter ("NC24ads A100 v4"); GCP in the machine type ("a2-highgpu-1g") or the SKU
description ("Nvidia L4 GPU running in Americas"). A bare accelerator name is not enough ("Elastic Load Balancing
... L4" is a network load balancer): a match needs an instance-type shape or the words GPU/NVIDIA.

The same patterns run in Python (`classify`) and in DuckDB's RE2 (`SQL_PATTERN`), on lower-cased text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AWS_SIZE = r"\.(?:[0-9]*xlarge|large|medium|metal[a-z0-9-]*)\b"
_AZ = r"(?:^|[^a-z0-9]|standard_)"  # Azure sizes start after "Standard_" or at a word start
_AZ_END = r"(?:[^a-z0-9]|$)"

# (provider, family, accelerator, pattern): first match names the family; order specific before generic.
FAMILIES: tuple[tuple[str, str, str, str], ...] = (
    # AWS EC2 (and SageMaker "ml." types); Cost Explorer INSTANCE_TYPE values look the same
    ("AWS", "p2", "K80", r"\bp2" + _AWS_SIZE),
    ("AWS", "p3", "V100", r"\bp3" + _AWS_SIZE),
    ("AWS", "p3dn", "V100", r"\bp3dn" + _AWS_SIZE),
    ("AWS", "p4d", "A100", r"\bp4d" + _AWS_SIZE),
    ("AWS", "p4de", "A100", r"\bp4de" + _AWS_SIZE),
    ("AWS", "p5", "H100", r"\bp5" + _AWS_SIZE),
    ("AWS", "p5e", "H200", r"\bp5e" + _AWS_SIZE),
    ("AWS", "p5en", "H200", r"\bp5en" + _AWS_SIZE),
    ("AWS", "p6-b200", "B200", r"\bp6-b200" + _AWS_SIZE),
    ("AWS", "p6e-gb200", "GB200", r"\bp6e-gb200" + _AWS_SIZE),
    ("AWS", "g3", "M60", r"\bg3s?" + _AWS_SIZE),
    ("AWS", "g4dn", "T4", r"\bg4dn" + _AWS_SIZE),
    ("AWS", "g4ad", "Radeon Pro V520", r"\bg4ad" + _AWS_SIZE),
    ("AWS", "g5", "A10G", r"\bg5" + _AWS_SIZE),
    ("AWS", "g5g", "T4G", r"\bg5g" + _AWS_SIZE),
    ("AWS", "g6", "L4", r"\bg6" + _AWS_SIZE),
    ("AWS", "g6e", "L40S", r"\bg6e" + _AWS_SIZE),
    ("AWS", "g6f", "L4 (fractional)", r"\bg6f" + _AWS_SIZE),
    ("AWS", "gr6", "L4", r"\bgr6" + _AWS_SIZE),
    ("AWS", "trn1", "Trainium", r"\btrn1n?" + _AWS_SIZE),
    ("AWS", "trn2", "Trainium2", r"\btrn2" + _AWS_SIZE),
    ("AWS", "inf1", "Inferentia", r"\binf1" + _AWS_SIZE),
    ("AWS", "inf2", "Inferentia2", r"\binf2" + _AWS_SIZE),
    ("AWS", "dl1", "Gaudi", r"\bdl1" + _AWS_SIZE),
    # Azure N-series: sizes ("Standard_ND96isr_H100_v5") and meters ("ND96isr H100 v5")
    ("Azure", "NC A100 v4", "A100", _AZ + r"nc[0-9]+[a-z]*[_ ]a100"),
    ("Azure", "ND A100 v4", "A100", _AZ + r"nd[0-9]+[a-z]*[_ ]a100"),
    ("Azure", "NC H100 v5", "H100", _AZ + r"nc[0-9]+[a-z]*[_ ]h100"),
    ("Azure", "ND H100 v5", "H100", _AZ + r"nd[0-9]+[a-z]*[_ ]h100"),
    ("Azure", "ND H200 v5", "H200", _AZ + r"nd[0-9]+[a-z]*[_ ]h200"),
    ("Azure", "ND MI300X v5", "MI300X", _AZ + r"nd[0-9]+[a-z]*[_ ]mi300x"),
    ("Azure", "NV A10 v5", "A10", _AZ + r"nv[0-9]+[a-z]*[_ ]a10" + _AZ_END),
    ("Azure", "NC T4 v3", "T4", _AZ + r"nc[0-9]+[a-z]*[_ ]t4"),
    ("Azure", "NG V620", "Radeon Pro V620", _AZ + r"ng[0-9]+[a-z]*[_ ]v620"),
    ("Azure", "NC v3", "V100", _AZ + r"nc[0-9]+r?s[_ ]v3"),
    ("Azure", "ND v2", "V100", _AZ + r"nd[0-9]+r?s[_ ]v2"),
    ("Azure", "NV v3", "M60", _AZ + r"nv[0-9]+s[_ ]v3"),
    ("Azure", "N-series", "GPU", _AZ + r"n[cdvg][0-9]+[a-z]*" + _AZ_END),
    # GCP accelerator-optimized machine types and their SKUs
    ("GCP", "a2", "A100", r"\ba2-(?:highgpu|megagpu|ultragpu)-[0-9]+g\b"),
    ("GCP", "a3", "H100", r"\ba3-(?:highgpu|megagpu|edgegpu)-[0-9]+g\b"),
    ("GCP", "a3-ultra", "H200", r"\ba3-ultragpu-[0-9]+g\b"),
    ("GCP", "a4", "B200", r"\ba4-highgpu-[0-9]+g\b"),
    ("GCP", "g2", "L4", r"\bg2-standard-[0-9]+\b"),
    ("GCP", "a2/a3/a4/g2 cores and memory", "GPU", r"\b(?:a2|a3|a4|g2) instance (?:core|ram)\b"),
    # Any provider: the words themselves ("Nvidia Tesla A100 GPU running in Americas")
    ("any", "GPU", "GPU", r"\b(?:gpu|nvidia)\b"),
)

SQL_PATTERN = "|".join(f"(?:{p})" for *_, p in FAMILIES)
_COMPILED = [(provider, family, accel, re.compile(p)) for provider, family, accel, p in FAMILIES]


@dataclass(frozen=True)
class GpuFamily:
    provider: str
    family: str
    accelerator: str


def classify(*texts: str | None) -> GpuFamily | None:
    """The GPU family that any of the texts (instance type, SKU, meter, description) names, or None."""
    text = " ".join(t for t in texts if t).lower()
    if not text:
        return None
    for provider, family, accel, pattern in _COMPILED:
        if pattern.search(text):
            return GpuFamily(provider, family, accel)
    return None


def is_gpu(*texts: str | None) -> bool:
    return classify(*texts) is not None
