"""Owners, names and hours under real set-ups (tests/gpu/sites.py) read from the real Prometheus:
kube-prometheus's exported_* labels, node names, MIG instances, Slurm through dcgm-exporter's
hpc_job and through jobstats' exporter, and a Prometheus without GPU metrics."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.config import Settings
from reports.gpu import config as gpu_config
from reports.gpu import service
from reports.gpu.sources.build import build
from tests.gpu.fleet import OWNERS
from tests.gpu.sites import SITE_PRICES, UIDS

DAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
FAKE_SACCT = Path(__file__).with_name("fake_sacct.py")


def site_config(url: str, cluster: str, **more: Any) -> gpu_config.GpuConfig:
    source = {"type": "prometheus", "name": cluster, "url": url, "matchers": {"cluster": cluster}}
    section = {
        "sources": [source],
        "prices": SITE_PRICES,
        "owners": OWNERS,
        "history_days": 8,
        "slurm": {"uids": UIDS, "job_users_command": [sys.executable, str(FAKE_SACCT), "{jobs}"]},
        **more,
    }
    return gpu_config.load(Settings(file={"gpu": section}))


def refreshed(database, cfg: gpu_config.GpuConfig) -> tuple[service.RefreshResult, service.IdleReport]:
    with database.session() as s:
        result = service.refresh(s, cfg, build(cfg, s), DAY, NOW)
        return result, service.report(s, cfg, DAY, NOW)


def lines(report: service.IdleReport) -> dict[str, tuple[float, float, Decimal, str, str]]:
    return {
        g.label.split(" ")[0]: (g.idle_h, g.held_h, g.cost + g.held_cost, g.owner, g.team)
        for g in report.gpus
        if g.nodata_h < 24
    }


def test_kube_prometheus_labels_name_gpus_by_node_and_owners_by_the_workload(database, prometheus_url):
    result, report = refreshed(database, site_config(prometheus_url, "k8s"))
    assert result.errors == {}
    assert lines(report) == {
        "gpu-node-1/gpu0": (24, 0, Decimal("96.00"), "ada@example.com", "vision"),
        "gpu-node-1/gpu1": (24, 0, Decimal("96.00"), "", "unowned"),  # not allocated: not gpu-operator's
        "gpu-node-2/gpu0": (0, 24, Decimal("96.00"), "grace@example.com", "nlp"),
        "gpu-node-3/gpu0/mig1": (0, 0, Decimal("0.00"), "grace@example.com", "nlp"),
        "gpu-node-3/gpu0/mig2": (24, 0, Decimal("12.00"), "grace@example.com", "nlp"),  # a quarter of an A30's 2.00
        "gpu-node-3/gpu0/mig3": (24, 0, Decimal("12.00"), "", "unowned"),
        "gpu-node-4/gpu0": (0, 0, Decimal("0.00"), "ada@example.com", "vision"),
    }
    labels = {g.label for g in report.gpus}
    assert "gpu-node-3/gpu0/mig2 (NVIDIA A30, 1g.6gb)" in labels
    assert "gpu-node-1/gpu0 (NVIDIA A100-SXM4-80GB)" in labels
    # MIG slices count as their share of a GPU-hour: 24 + 24 + 6 + 6
    assert (report.idle_h, report.idle_cost, report.held_h, report.held_cost) == (
        60,
        Decimal("216.00"),
        24,
        Decimal("96.00"),
    )
    assert report.teams == {
        "unowned": service.TeamTotal(30, 0, Decimal("108.00")),
        "vision": service.TeamTotal(24, 0, Decimal("96.00")),
        "nlp": service.TeamTotal(6, 24, Decimal("108.00")),
    }


def test_slurm_jobs_from_dcgm_hpc_job_are_attributed_to_the_jobs_user(database, prometheus_url):
    result, report = refreshed(database, site_config(prometheus_url, "slurm"))
    assert result.errors == {}
    assert lines(report) == {
        "slurm-g01/gpu0": (24, 0, Decimal("96.00"), "grace", "unowned"),
        "slurm-g01/gpu1": (0, 0, Decimal("0.00"), "ada", "unowned"),
        "slurm-g01/gpu2": (24, 0, Decimal("96.00"), "", "unowned"),
    }
    assert {g.job for g in report.gpus} == {"4242", "4243", ""}


def test_jobstats_exporter_metrics_are_read_and_the_uid_names_the_user(database, prometheus_url):
    result, report = refreshed(database, site_config(prometheus_url, "della"))
    assert result.errors == {}
    assert lines(report) == {
        "della-l02g1/gpu0": (24, 0, Decimal("96.00"), "ada@example.com", "unowned"),
        "della-l02g1/gpu1": (0, 0, Decimal("0.00"), "grace@example.com", "unowned"),
    }
    assert {g.job for g in report.gpus} == {"5001", "5002"}


def test_older_jobstats_exporter_gives_job_and_uid_as_values_and_memory_in_bytes(database, prometheus_url):
    result, report = refreshed(database, site_config(prometheus_url, "della-old"))
    assert result.errors == {}
    assert lines(report) == {"della-l03g1/gpu0": (0, 24, Decimal("96.00"), "grace@example.com", "unowned")}
    assert [g.job for g in report.gpus] == ["6001"]


def test_a_uid_without_a_mapping_is_shown_as_the_uid(database, prometheus_url):
    cfg = site_config(prometheus_url, "della", slurm={})
    _, report = refreshed(database, cfg)
    assert {g.label.split(" ")[0]: g.owner for g in report.gpus} == {
        "della-l02g1/gpu0": "uid 223456",
        "della-l02g1/gpu1": "uid 223457",
    }


def test_a_prometheus_without_gpu_metrics_says_what_it_looked_for_and_what_it_found(database, prometheus_url):
    result, report = refreshed(database, site_config(prometheus_url, "empty"))
    assert report.empty
    assert result.errors == {
        "empty": "Prometheus answered, but has none of the GPU metrics I read (DCGM_FI_PROF_GR_ENGINE_ACTIVE, "
        'DCGM_FI_DEV_GPU_UTIL, nvidia_gpu_duty_cycle) for {cluster="empty"} from 15 Nov to 22 Nov; '
        "it has 2 metrics there: node_load1, up"
    }
    assert report.unavailable == result.errors
