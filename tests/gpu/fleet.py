"""The known sample fleet, written for every source the same way (5-minute steps, 9-22 Nov 2026 UTC).

  A train-1/0 A100 vision  busy all the time
  B train-1/1 A100 vision  15-min busy blip every 2 h, idle 1 h 45 between: 21 idle GPU-h a day
  C train-2/0 A100 nlp     busy 75 min, idle 45 min (below the 60-min window): 0 idle
  D train-2/1 A100 nlp     busy to 15 Nov; from 16 Nov engine idle (GR_ENGINE_ACTIVE 0.01) while
                           GPU_UTIL still shows 30 %: idle all week, 168 h idle at the end of 22 Nov
  E nb-1/0     T4   -      0 % but 20,000 MiB held: "memory held, no compute", 24 h a day
  F train-3/0  A100 -      idle, but no data at all on Wed 18 Nov: streak 96 h at the end of 22 Nov

Prices {A100: 4.00, T4: 0.50}. Sun 22 Nov: B 21 + D 24 + F 24 = 69 idle GPU-h = $276.00; held E
24 GPU-h = $12.00. 15-21 Nov: B 147 + D 144 (16-21) + F 144 (no 18th) = 435 GPU-h, 62.14 a day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

START = datetime(2026, 11, 9, tzinfo=UTC)
END = datetime(2026, 11, 23, tzinfo=UTC)
PROM_END = datetime(2026, 11, 24, tzinfo=UTC)  # Prometheus also has Mon 23 Nov, for the next day's digest
STEP = 300
CW_START = datetime(2026, 11, 15, tzinfo=UTC)  # 8 days: yesterday and the 7 before, for the trend
CW_STEP = 900  # the same patterns at 15 minutes: moto's GetMetricData is slow on many points
D_IDLE_FROM = datetime(2026, 11, 16, tzinfo=UTC).timestamp()
F_GAP = (datetime(2026, 11, 18, tzinfo=UTC).timestamp(), datetime(2026, 11, 19, tzinfo=UTC).timestamp())
A100, T4 = "NVIDIA A100-SXM4-80GB", "Tesla T4"
PRICES = {"A100": 4.00, "T4": 0.50}
OWNERS = {
    "namespace:vision": {"team": "vision", "owner": "ada@example.com"},
    "namespace:nlp": {"team": "nlp", "owner": "grace@example.com"},
}


@dataclass(frozen=True)
class Gpu:
    name: str
    host: str
    index: str
    model: str
    namespace: str
    instance: str
    util: Callable[[float], float | None]  # what GPU_UTIL / nvidia-smi shows, None = no data
    engine: Callable[[float], float | None] | None = None  # GR_ENGINE_ACTIVE 0..1 where exported
    mem: Callable[[float], float] = lambda t: 0.0

    @property
    def uuid(self) -> str:
        return f"GPU-{self.name.lower() * 8}"


def _minute_of_cycle(t: float) -> float:
    return (t % 7200) / 60


FLEET = [
    Gpu("A", "train-1", "0", A100, "vision", "i-0train1", lambda t: 90.0, mem=lambda t: 30000.0),
    Gpu("B", "train-1", "1", A100, "vision", "i-0train1", lambda t: 70.0 if _minute_of_cycle(t) < 15 else 1.0),
    Gpu("C", "train-2", "0", A100, "nlp", "i-0train2", lambda t: 60.0 if _minute_of_cycle(t) < 75 else 0.0),
    Gpu(
        "D",
        "train-2",
        "1",
        A100,
        "nlp",
        "i-0train2",
        lambda t: 30.0 if t >= D_IDLE_FROM else 80.0,
        engine=lambda t: 0.01 if t >= D_IDLE_FROM else 0.8,
    ),
    Gpu("E", "nb-1", "0", T4, "", "i-0nb1", lambda t: 0.0, mem=lambda t: 20000.0),
    Gpu("F", "train-3", "0", A100, "", "i-0train3", lambda t: None if F_GAP[0] <= t < F_GAP[1] else 2.0),
]
INSTANCES = {
    "i-0train1": ("p4d.24xlarge", {"Owner": "ada@example.com", "Team": "vision"}),
    "i-0train2": ("p4d.24xlarge", {"Owner": "grace@example.com", "Team": "nlp"}),
    "i-0nb1": ("g4dn.xlarge", {}),
    "i-0train3": ("p4d.24xlarge", {}),
}


def steps(step: int = STEP, start: datetime = START, end: datetime = END) -> Iterator[float]:
    t = start.timestamp()
    while t < end.timestamp():
        yield t
        t += step


def cloudwatch_util(gpu: Gpu, t: float) -> float | None:
    """CloudWatch has no engine-activity metric: D reports what nvidia-smi shows, 1 % once idle."""
    if gpu.name == "D":
        return 1.0 if t >= D_IDLE_FROM else 80.0
    return gpu.util(t)
