"""What series labels say (reports/gpu/sources/labels.py), MIG shares, and the new settings' errors,
table-driven: the label sets are the ones dcgm-exporter, kube-prometheus and jobstats produce."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from bot.errors import ConfigError
from reports.gpu import config as gpu_config
from reports.gpu import pricing
from reports.gpu.sources.labels import node_of, unit_info, workload

EXPORTER = {"namespace": "gpu-operator", "pod": "nvidia-dcgm-exporter-ax7k2", "Hostname": "nvidia-dcgm-exporter-ax7k2"}


@pytest.mark.parametrize(
    ("labels", "node"),
    [
        ({"node": "gpu-node-1", **EXPORTER}, "gpu-node-1"),  # relabelled from __meta_kubernetes_pod_node_name
        ({"kubernetes_node": "gpu-node-3", **EXPORTER}, "gpu-node-3"),
        ({**EXPORTER, "instance": "gpu-node-2"}, "gpu-node-2"),  # a relabelled instance
        ({**EXPORTER, "instance": "10.42.1.17:9400"}, "nvidia-dcgm-exporter-ax7k2"),  # nothing better known
        ({"Hostname": "box-1", "instance": "10.0.0.5:9400"}, "box-1"),  # bare metal: Hostname is the host
        ({"hostname": "box-1"}, "box-1"),  # dcgm-exporter 4.5 renamed the label
        ({"instance": "della-l02g1:9445"}, "della-l02g1"),  # jobstats
        ({"instance": "[fd00::7]:9445", "Hostname": "x", "pod": "x"}, "x"),  # an address is no node name
    ],
)
def test_the_node_of_a_series(labels, node):
    assert node_of(labels) == node


def test_kube_state_metrics_names_the_node_of_an_exporter_pod():
    labels = {**EXPORTER, "instance": "10.42.1.17:9400"}
    assert node_of(labels, {"nvidia-dcgm-exporter-ax7k2": "gpu-node-4"}) == "gpu-node-4"


@pytest.mark.parametrize(
    ("labels", "found"),
    [
        (
            {**EXPORTER, "exported_namespace": "nlp", "exported_pod": "nb-0", "exported_container": "main"},
            {"namespace": "nlp", "pod": "nb-0", "container": "main"},
        ),  # honorLabels: false
        (EXPORTER, {}),  # honorLabels: false, nothing allocated: the exporter's own labels
        (
            {"namespace": "nlp", "pod": "nb-0", "container": "main", "Hostname": "nvidia-dcgm-exporter-ax7k2"},
            {"namespace": "nlp", "pod": "nb-0", "container": "main"},
        ),  # honorLabels: true
        ({"namespace": "gpu-operator", "pod": "dcgm-exporter-q1", "container": "nvidia-dcgm-exporter"}, {}),
        ({"Hostname": "box-1"}, {}),  # bare metal
    ],
)
def test_the_workload_on_a_gpu(labels, found):
    assert workload(labels) == found


@pytest.mark.parametrize(
    ("profile", "model", "share"),
    [
        ("3g.40gb", "NVIDIA A100-SXM4-80GB", 3 / 7),
        ("1g.10gb", "NVIDIA H100 80GB HBM3", 1 / 7),
        ("7g.80gb", "NVIDIA H100 80GB HBM3", 1.0),
        ("1g.6gb", "NVIDIA A30", 1 / 4),
        ("2g.12gb", "NVIDIA A30", 1 / 2),
        ("", "NVIDIA A100-SXM4-80GB", 1.0),
    ],
)
def test_a_mig_instance_costs_its_compute_slices_share(profile, model, share):
    assert pricing.mig_share(profile, model) == pytest.approx(share)


def test_a_jobstats_mig_device_takes_its_profile_from_its_name():
    labels = {
        "minor_number": "0",
        "uuid": "MIG-265a219d-a49f-578a-825d-222c72699c16",
        "name": "NVIDIA A100-SXM4-40GB MIG 1g.5gb",
        "GPU_I_ID": "3",
        "jobid": "45916256",
        "userid": "262563",
        "instance": "della-l01g2:9445",
    }
    info = unit_info("della", labels)
    assert (info.key, info.host, info.gpu, info.unit, info.profile, info.job) == (
        "della:MIG-265a219d-a49f-578a-825d-222c72699c16:mig3",
        "della-l01g2",
        "0",
        "mig3",
        "1g.5gb",
        "45916256",
    )
    assert info.share == pytest.approx(1 / 7)
    assert info.labels == {"node": "della-l01g2", "uid": "262563"}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"matchers": ["cluster"]}, "gpu.sources[0].matchers must map label names to values"),
        ({"max_samples": 10}, "gpu.sources[0].max_samples must be Prometheus's --query.max-samples"),
        ({"min_idle_minutes": 1000}, "gpu.min_idle_minutes must be at most 720"),
        ({"slurm": {"job_users_command": "sacct -j {jobs}"}}, "gpu.slurm.job_users_command must be a list"),
        ({"enforce": {"scancel": "scancel {job}"}}, "gpu.enforce.scancel must be a list"),
        ({"waste": {"weekday": "someday"}}, "gpu.waste.weekday must be one of mon, tue"),
    ],
)
def test_new_settings_explain_what_to_fix(section, message):
    source = {"type": "prometheus", "url": "http://prom:9090"}
    for key in ("matchers", "max_samples"):
        if key in section:
            source[key] = section.pop(key)
    with pytest.raises(ConfigError, match=re.escape(message)):
        gpu_config.load(Settings(file={"gpu": {"sources": [source], **section}}))
