"""GPU sites as real set-ups label them, one `cluster` label each, in the same Prometheus as the lab fleet.

Every unit is either busy, idle (0 %, no memory) or held (0 %, memory in use) all the time, so each
day is 24 h of one kind. Prices: A100 4.00, A30 2.00 per GPU-hour.

k8s — dcgm-exporter's Helm chart with kube-prometheus's ServiceMonitor (`honorLabels: false`): the
workload's labels arrive as `exported_namespace/pod/container`; `namespace`, `pod`, `container` and
`Hostname` are the exporter pod's own. Nodes are named three ways: a relabelled `node` label, a
relabelled `instance`, `kubernetes_node`.
  gpu-node-1/gpu0 A100  vision-train-0 (vision)     idle   24 GPU-h  $96.00  -> ada (owners map)
  gpu-node-1/gpu1 A100  not allocated               idle   24 GPU-h  $96.00  -> unowned
  gpu-node-2/gpu0 A100  jupyter-grace-0 (nlp)       held   24 GPU-h  $96.00  -> nlp
  gpu-node-4/gpu0 A100  vision-train-1 (vision)     busy   (no node label: the exporter pod's node
                                                    from kube-state-metrics' kube_pod_info)
  gpu-node-3/gpu0 A30 in MIG mode (4 compute slices):
      mig1 2g.12gb  nlp-serve-5d8f7b9c4-m7q2r (nlp)   busy    (two pods of Deployment nlp-serve)
      mig2 1g.6gb   nlp-serve-5d8f7b9c4-x2k9p (nlp)   idle   24 h = 6 GPU-h   $12.00
      mig3 1g.6gb   not allocated       idle   24 h = 6 GPU-h   $12.00
  Sun 22 Nov idle: 24 + 24 + 6 + 6 = 60 GPU-h, $216.00; held 24 GPU-h, $96.00.
slurm — dcgm-exporter on bare metal with the HPC job mapping (`hpc_job`); Hostname is the real host.
  slurm-g01/gpu0 A100 job 4242 idle (its user: grace, from the job-users command); gpu1 job 4243 busy;
  gpu2 no job, idle -> unowned.
della — the jobstats GPU exporter (0.2.2+): `jobid` and `userid` labels on every metric.
  della-l02g1/gpu0 A100 job 5001 uid 223456 idle (uid map: ada); gpu1 job 5002 uid 223457 busy.
della-old — the older jobstats exporter: no job labels; the job and uid are the values of
  `nvidia_gpu_jobId` / `nvidia_gpu_jobUid`. della-l03g1/gpu0 A100 job 6001 uid 223457 (grace) held
  (30 GB in use, reported in bytes).
empty — a Prometheus that answers but has only node_exporter's `node_load1` and `up`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.gpu.fleet import A100, STEP

SITES_START = datetime(2026, 11, 13, tzinfo=UTC)
SITES_END = datetime(2026, 11, 24, tzinfo=UTC)
A30 = "NVIDIA A30"
SITE_PRICES = {"A100": 4.00, "A30": 2.00}
UIDS = {"223456": "ada@example.com", "223457": "grace@example.com"}
EXPORTER = {  # the target labels kube-prometheus adds with honorLabels: false
    "namespace": "gpu-operator",
    "container": "nvidia-dcgm-exporter",
    "service": "nvidia-dcgm-exporter",
    "endpoint": "gpu-metrics",
    "job": "nvidia-dcgm-exporter",
}


@dataclass(frozen=True)
class Unit:
    cluster: str
    kind: str  # busy | idle | held
    labels: dict[str, str]
    family: str = "dcgm"  # dcgm | jobstats
    extra: dict[str, float] = field(default_factory=dict)  # jobstats' old jobId / jobUid gauges


def _k8s(node_labels: dict[str, str], exporter_pod: str, gpu: str, uuid: str, model: str, **more: str) -> dict:
    return {
        **EXPORTER,
        **node_labels,
        "pod": exporter_pod,
        "Hostname": exporter_pod,
        "gpu": gpu,
        "UUID": uuid,
        "device": f"nvidia{gpu}",
        "modelName": model,
        "instance": node_labels.get("instance", "10.42.1.17:9400"),
        **more,
    }


def _workload(namespace: str, pod: str) -> dict[str, str]:
    return {"exported_namespace": namespace, "exported_pod": pod, "exported_container": "main"}


def _mig(gpu_i_id: str, profile: str) -> dict[str, str]:
    return {"GPU_I_ID": gpu_i_id, "GPU_I_PROFILE": profile}


NODE1 = {"node": "gpu-node-1", "instance": "10.42.1.17:9400"}
NODE2 = {"instance": "gpu-node-2"}  # relabelled instance
NODE3 = {"kubernetes_node": "gpu-node-3", "instance": "10.42.3.5:9400"}
NODE4 = {"instance": "10.42.4.9:9400"}  # no node label: kube-state-metrics' kube_pod_info knows the node
EXP1, EXP2, EXP3 = "nvidia-dcgm-exporter-ax7k2", "nvidia-dcgm-exporter-q8d1m", "nvidia-dcgm-exporter-z2x9p"
EXP4 = "nvidia-dcgm-exporter-m3k8w"
POD_NODES = {EXP1: "gpu-node-1", EXP2: "gpu-node-2", EXP3: "gpu-node-3", EXP4: "gpu-node-4"}
K = "k8s"
SRV = "nlp-serve-5d8f7b9c4"  # Deployment nlp-serve's ReplicaSet: its pods are SRV-<suffix>
UNITS = [
    Unit(K, "idle", _k8s(NODE1, EXP1, "0", "GPU-k1", A100, **_workload("vision", "vision-train-0"))),
    Unit(K, "idle", _k8s(NODE1, EXP1, "1", "GPU-k2", A100)),
    Unit(K, "held", _k8s(NODE2, EXP2, "0", "GPU-k3", A100, **_workload("nlp", "jupyter-grace-0"))),
    Unit(K, "busy", _k8s(NODE3, EXP3, "0", "GPU-k4", A30, **_mig("1", "2g.12gb"), **_workload("nlp", f"{SRV}-m7q2r"))),
    Unit(K, "idle", _k8s(NODE3, EXP3, "0", "GPU-k4", A30, **_mig("2", "1g.6gb"), **_workload("nlp", f"{SRV}-x2k9p"))),
    Unit(K, "idle", _k8s(NODE3, EXP3, "0", "GPU-k4", A30, **_mig("3", "1g.6gb"))),
    Unit(K, "busy", _k8s(NODE4, EXP4, "0", "GPU-k5", A100, **_workload("vision", "vision-train-1"))),
    *[
        Unit(
            "slurm",
            kind,
            {
                "gpu": gpu,
                "UUID": f"GPU-s{gpu}",
                "device": f"nvidia{gpu}",
                "modelName": A100,
                "Hostname": "slurm-g01",
                "instance": "slurm-g01:9400",
                "job": "dcgm",
                **({"hpc_job": job} if job else {}),
            },
        )
        for gpu, kind, job in (("0", "idle", "4242"), ("1", "busy", "4243"), ("2", "idle", ""))
    ],
    *[
        Unit(
            "della",
            kind,
            {
                "ordinal": minor,
                "minor_number": minor,
                "uuid": f"GPU-j{minor}",
                "name": A100,
                "GPU_I_ID": "",
                "jobid": job,
                "userid": uid,
                "instance": "della-l02g1:9445",
                "job": "Della GPU Nodes",
            },
            family="jobstats",
        )
        for minor, kind, job, uid in (("0", "idle", "5001", "223456"), ("1", "busy", "5002", "223457"))
    ],
    Unit(
        "della-old",
        "held",
        {"minor_number": "0", "uuid": "GPU-o0", "name": A100, "instance": "della-l03g1:9445", "job": "TigerGPU"},
        family="jobstats",
        extra={"nvidia_gpu_jobId": 6001, "nvidia_gpu_jobUid": 223457},
    ),
]


def _value(unit: Unit, metric: str) -> float | None:
    busy, held = unit.kind == "busy", unit.kind == "held"
    mig = "GPU_I_ID" in unit.labels and unit.family == "dcgm"
    values = {
        "DCGM_FI_DEV_GPU_UTIL": None if mig else (85.0 if busy else 0.0),  # not reported in MIG mode
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE": (0.6 if busy else 0.0) if mig else None,
        "DCGM_FI_DEV_FB_USED": 30000.0 if busy or held else 0.0,
        "nvidia_gpu_duty_cycle": 90.0 if busy else 0.0,
        "nvidia_gpu_memory_used_bytes": 30e9 if busy or held else 0.0,
    }
    return values[metric]


def _steps() -> Iterator[int]:
    t = int(SITES_START.timestamp())
    while t < SITES_END.timestamp():
        yield t
        t += STEP


def _series(name: str, labels: dict[str, str], values: Iterator[tuple[int, float]]) -> Iterator[str]:
    text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for t, value in values:
        yield f"{name}{{{text}}} {value} {t + STEP // 2}"


def site_families() -> Iterator[tuple[str, list[str]]]:
    """(metric name, OpenMetrics sample lines) for every site, in the order promtool wants them."""
    dcgm = ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_DEV_FB_USED"]
    jobstats = ["nvidia_gpu_duty_cycle", "nvidia_gpu_memory_used_bytes"]
    for name in dcgm + jobstats:
        lines: list[str] = []
        for unit in UNITS:
            value = _value(unit, name) if name in (dcgm if unit.family == "dcgm" else jobstats) else None
            if value is not None:
                labels = {**unit.labels, "cluster": unit.cluster}
                lines += _series(name, labels, ((t, value) for t in _steps()))
        yield name, lines
    for name in ("nvidia_gpu_jobId", "nvidia_gpu_jobUid"):
        lines = []
        for unit in UNITS:
            if name in unit.extra:
                labels = {**unit.labels, "cluster": unit.cluster}
                lines += _series(name, labels, ((t, unit.extra[name]) for t in _steps()))
        yield name, lines
    ksm = {"job": "kube-state-metrics", "instance": "10.42.0.3:8080", "cluster": K, "namespace": "gpu-operator"}
    yield (
        "kube_pod_info",
        [
            line
            for pod, node in POD_NODES.items()
            for line in _series("kube_pod_info", {**ksm, "pod": pod, "node": node}, ((t, 1.0) for t in _steps()))
        ],
    )
    empty = {"cluster": "empty", "instance": "cpu-1:9100", "job": "node"}
    for name, value in (("node_load1", 0.5), ("up", 1.0)):
        yield name, list(_series(name, empty, ((t, value) for t in _steps())))
