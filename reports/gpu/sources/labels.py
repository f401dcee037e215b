"""What a GPU series' labels say: which unit it is, on which node, and which workload held it.

dcgm-exporter (github.com/NVIDIA/dcgm-exporter) labels each GPU `gpu`, `UUID`, `modelName`,
`Hostname` (`hostname` since 4.5), MIG instances `GPU_I_ID` and `GPU_I_PROFILE`, the Kubernetes
workload `namespace`/`pod`/`container`, and a Slurm job `hpc_job`. With kube-prometheus's
ServiceMonitor and `honorLabels: false` the workload's labels are stored as `exported_namespace`,
`exported_pod`, `exported_container`, and `namespace`/`pod`/`container` are the exporter pod's own;
in Kubernetes `Hostname` is the exporter pod's name, not the node's. The jobstats GPU exporter
(github.com/plazonic/nvidia_gpu_prometheus_exporter) labels `ordinal`, `minor_number`, `uuid`,
`name`, `GPU_I_ID` and, since 0.2.2, `jobid` and `userid` (older versions give the job and uid only
as the values of `nvidia_gpu_jobId` / `nvidia_gpu_jobUid`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from reports.gpu import pricing
from reports.gpu.sources import GpuInfo

NODE_LABELS = ("kubernetes_node", "node", "nodename")
KUBERNETES = ("exported_namespace", "exported_pod", "namespace", "pod", "service", "endpoint")
WORKLOAD = ("namespace", "pod", "container")
PROFILE = re.compile(r"\b(\d+g\.\d+gb)\b")


def is_kubernetes(labels: Mapping[str, str]) -> bool:
    return any(labels.get(k) for k in KUBERNETES)


def exporter_pod(labels: Mapping[str, str]) -> str:
    """The exporter pod's name when the series comes from dcgm-exporter in Kubernetes ('' otherwise)."""
    if not is_kubernetes(labels):
        return ""
    return labels.get("Hostname") or labels.get("hostname") or ""


def node_of(labels: Mapping[str, str], pod_nodes: Mapping[str, str] | None = None) -> str:
    """The node: a node label, the exporter's host outside Kubernetes, a host-named (relabelled)
    `instance`, the exporter pod's node from kube-state-metrics, and only then what is left."""
    for name in NODE_LABELS:
        if labels.get(name):
            return labels[name]
    pod = exporter_pod(labels)
    if not pod and (labels.get("Hostname") or labels.get("hostname")):
        return labels.get("Hostname") or labels["hostname"]
    host = instance_host(labels.get("instance", ""))
    if host:
        return host
    if pod and pod_nodes and pod in pod_nodes:
        return pod_nodes[pod]
    return pod or labels.get("instance", "")


def instance_host(instance: str) -> str:
    """`instance` without its port, unless it is an address (a pod IP says nothing about the node)."""
    host = re.sub(r":\d+$", "", instance).strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return ""


def workload(labels: Mapping[str, str]) -> dict[str, str]:
    """namespace/pod/container of the workload on the GPU: the exported_* labels when Prometheus
    renamed them, else the plain ones unless they are the exporter pod's own (an unallocated GPU)."""
    if any(labels.get(f"exported_{k}") for k in WORKLOAD):
        return {k: labels[f"exported_{k}"] for k in WORKLOAD if labels.get(f"exported_{k}")}
    pod = labels.get("pod", "")
    own = pod and (pod == exporter_pod(labels) or "dcgm-exporter" in labels.get("container", ""))
    if own or not pod:
        return {}
    return {k: labels[k] for k in WORKLOAD if labels.get(k)}


def unit_info(source: str, labels: Mapping[str, str], pod_nodes: Mapping[str, str] | None = None) -> GpuInfo:
    node = node_of(labels, pod_nodes)
    gpu = labels.get("gpu") or labels.get("ordinal") or labels.get("minor_number", "")
    uuid = labels.get("UUID") or labels.get("uuid", "")
    model = labels.get("modelName") or labels.get("name", "")
    instance_id = labels.get("GPU_I_ID", "")
    unit = f"mig{instance_id}" if instance_id else ""
    profile = labels.get("GPU_I_PROFILE", "")
    if unit and not profile:
        found = PROFILE.search(model)  # jobstats names a MIG device "NVIDIA A100-SXM4-40GB MIG 1g.5gb"
        profile = found.group(1) if found else ""
    key = f"{source}:{uuid}" if uuid else f"{source}:{node}:{gpu}"
    extra = workload(labels)
    extra.update(node=node)
    job = labels.get("hpc_job") or labels.get("jobid", "")
    if labels.get("userid"):
        extra["uid"] = labels["userid"]
    user = labels.get("user") or labels.get("username", "")
    return GpuInfo(
        key=key + (f":{unit}" if unit else ""),
        source=source,
        host=node,
        gpu=gpu,
        model=model,
        uuid=uuid,
        owner=user,
        labels=extra,
        unit=unit,
        profile=profile,
        share=pricing.mig_share(profile, model) if unit else 1.0,
        job=job,
    )
