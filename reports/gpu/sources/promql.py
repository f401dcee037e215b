"""The PromQL ritualbot sends: Prometheus classifies every 5-minute step and packs a bucket's steps
(an hour at 5 minutes) into one number per series, so a GPU-day is 24 points per metric, not 288.

For each metric, with W the step less a millisecond (a sample on a boundary counts once), B the bucket:
  utilisation  sum_over_time((((avg_over_time(<metric>[W]) >= bool <threshold>) * 2 + 2) * 6 ^ <pos>)[B-1s:<step>])
  memory       sum_over_time(((avg_over_time(<metric>[W]) >= bool <threshold>) * 6 ^ <pos>)[B-1s:<step>])
where <pos> = ((time() - step) % bucket) / step is the step's place in its bucket. A step's digit is
0 without a sample, 2 or 4 (utilisation below or at the threshold) and +1 with memory in use, so the
two numbers of one series and bucket add up to its states (`states.unpack`): `combined` sends them as
one query that adds them per bucket, so one answer holds both. Each step compares a vector with a
scalar only: a vector-to-vector comparison at every step costs Prometheus a label-set match per
series per step (measured 4x the CPU for the same answer); at the packed buckets it is a 12th of
that. Engine activity (DCGM_FI_PROF_GR_ENGINE_ACTIVE) replaces utilisation for every series and
bucket that has it.
With the shipped recording rules the digits are recorded every 5 minutes and only packed here:
  sum_over_time((ritualbot:gpu_util_state:5m * 6 ^ <pos>)[B-1s:<step>]), the same for memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.gpu.states import BASE, Thresholds

MIB = 1024 * 1024


@dataclass(frozen=True)
class Family:
    """The metrics of one exporter: utilisation (percent after `scale`, first found wins) and memory (MiB)."""

    name: str
    util: tuple[tuple[str, float], ...]
    mem: tuple[str, float]
    recorded: bool = False  # the series are already a step's digit (the shipped recording rules)

    @property
    def util_metrics(self) -> list[str]:
        return [metric for metric, _ in self.util]


DCGM = Family(
    "dcgm", (("DCGM_FI_PROF_GR_ENGINE_ACTIVE", 100.0), ("DCGM_FI_DEV_GPU_UTIL", 1.0)), ("DCGM_FI_DEV_FB_USED", 1.0)
)
JOBSTATS = Family("jobstats", (("nvidia_gpu_duty_cycle", 1.0),), ("nvidia_gpu_memory_used_bytes", 1.0 / MIB))
FAMILIES = (DCGM, JOBSTATS)
# reports/gpu/data/prometheus/ritualbot-gpu.rules.yml: a 5-minute series per unit holding its digit
# (utilisation 2 or 4, memory 0 or 1), recorded from either exporter with every label kept.
RECORDED = Family(
    "recorded", (("ritualbot:gpu_util_state:5m", 1.0),), ("ritualbot:gpu_memory_state:5m", 1.0), recorded=True
)
RULES_STEP = 300
UTIL_METRICS = [m for family in FAMILIES for m in family.util_metrics]
# The older jobstats exporter gives the job and the user's uid as values, on the GPU's labels.
JOB_VALUES = ("nvidia_gpu_jobId", "nvidia_gpu_jobUid")
MEMORY_LABEL = "ritualbot_memory"  # sets the memory digits apart until they are summed in
JOB_VALUE_BY = ("instance", "minor_number", "uuid", "GPU_I_ID")


def selector(metric: str, matchers: Mapping[str, str], shard: tuple[str, Sequence[str]] | None = None) -> str:
    parts = [f'{k}="{_quote(v)}"' for k, v in sorted(matchers.items())]
    if shard:
        label, values = shard
        parts.append(f'{label}=~"{"|".join(_quote(_regex(v)) for v in values)}"')
    return f"{metric}{{{','.join(parts)}}}" if parts else metric


def matchers_text(matchers: Mapping[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(matchers.items())) + "}"


def packed(
    metric: str,
    threshold: float | None,
    *,
    memory: bool,
    matchers: Mapping[str, str],
    shard: tuple[str, Sequence[str]] | None,
    step: int,
    bucket: int,
) -> str:
    """One metric's steps packed per bucket; `threshold` in the metric's own unit."""
    place = f"{BASE} ^ (((time() - {step}) % {bucket}) / {step})"
    if threshold is None:  # a recorded digit series: Prometheus only packs it
        return f"sum_over_time(({selector(metric, matchers, shard)} * {place})[{bucket - 1}s:{step}s])"
    gauge = f"avg_over_time({selector(metric, matchers, shard)}[{step * 1000 - 1}ms]) >= bool {_num(threshold)}"
    digit = f"({gauge})" if memory else f"(({gauge}) * 2 + 2)"
    return f"sum_over_time(({digit} * {place})[{bucket - 1}s:{step}s])"


def combined(
    family: Family,
    th: Thresholds,
    *,
    matchers: Mapping[str, str],
    shard: tuple[str, Sequence[str]] | None,
    step: int,
    bucket: int,
) -> str:
    """A family's one query: each series' utilisation and memory digits summed per bucket.

    The utilisation metrics are joined with `or` (the first one wins where it has a bucket), memory is
    set apart by a label and summed in by `sum without` that label: a series with memory but no
    utilisation in a bucket reads as no data there, as before. Vectors meet only at the bucket's
    packed value (a 12th of the steps), not at every step, so the matching costs Prometheus little."""

    def part(metric: str, threshold: float | None, memory: bool) -> str:
        return packed(metric, threshold, memory=memory, matchers=matchers, shard=shard, step=step, bucket=bucket)

    found = queries(family, th)
    util = " or ".join(part(*q) for q in found if not q[2])
    memory = next(part(*q) for q in found if q[2])
    return f'sum without ({MEMORY_LABEL}) ({util} or label_replace({memory}, "{MEMORY_LABEL}", "1", "", ""))'


def queries(family: Family, th: Thresholds) -> list[tuple[str, float | None, bool]]:
    """(metric, threshold in its unit, is memory) for each query of a family: utilisation ones first.
    Recorded series have the thresholds of the rules file (no threshold here)."""
    if family.recorded:
        return [(family.util[0][0], None, False), (family.mem[0], None, True)]
    util = [(metric, th.util_pct / scale, False) for metric, scale in family.util]
    mem_metric, mem_scale = family.mem
    return [*util, (mem_metric, th.memory_mib / mem_scale, True)]


def job_values(metric: str, matchers: Mapping[str, str], shard: tuple[str, Sequence[str]] | None, bucket: int) -> str:
    """The job id or uid holding each GPU at the end of each bucket (older jobstats exporter)."""
    return f"max by ({', '.join(JOB_VALUE_BY)}) (last_over_time({selector(metric, matchers, shard)}[{bucket - 1}s]))"


def pod_nodes(pods: Sequence[str], matchers: Mapping[str, str], seconds: int) -> str:
    """Each exporter pod's node, from kube-state-metrics' kube_pod_info."""
    return f"max by (pod, node) (last_over_time({selector('kube_pod_info', matchers, ('pod', pods))}[{seconds}s]))"


def _num(value: float) -> str:
    return f"{value:.15g}"


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _regex(value: str) -> str:
    return "".join("\\" + c if c in r".^$*+?()[]{}|\\" else c for c in value)
