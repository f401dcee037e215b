"""Stopping an idle EC2 instance (opt-in, admins only) against moto, and NVML sampling with a fake library."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from bot import jobs
from bot.config import Settings
from reports.gpu import config as gpu_config
from reports.gpu import service
from reports.gpu.sources import nvml
from reports.gpu.sources.build import build
from tests.conftest import SIGNING_SECRET
from tests.slack.double import SlackDouble
from tests.spend.aws import client, moto_server

SCOPE = "T0001:C0001"


@pytest.fixture
def moto_url(monkeypatch: pytest.MonkeyPatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with moto_server() as url:
        yield url


@pytest.fixture
def settings(database_url: str, slack: SlackDouble, moto_url: str) -> Settings:
    gpu = {
        "sources": [{"type": "cloudwatch", "name": "cw", "endpoint_url": moto_url, "region": "us-east-1"}],
        "step_seconds": 900,
        "history_days": 8,
        "stop_instances": {"enabled": True, "admins": ["U0001"]},
    }
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
        file={"gpu": gpu},
    )


def idle_notebook(url: str) -> str:
    """One g4dn.xlarge owned by ada, idle (0 %) for the 2 days before Mon 23 Nov (no data before)."""
    ec2, cloudwatch = client("ec2", url), client("cloudwatch", url)
    image = "ami-12c6146b"  # one of moto's built-in images; describe_images is slow on moto
    instance = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        InstanceType="g4dn.xlarge",
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": "Name", "Value": "nb-ada"}, {"Key": "Owner", "Value": "ada@example.com"}],
            }
        ],
    )
    instance_id = instance["Instances"][0]["InstanceId"]
    dims = [{"Name": "InstanceId", "Value": instance_id}, {"Name": "index", "Value": "0"}]
    start = datetime(2026, 11, 21, tzinfo=UTC)
    data = [
        {
            "MetricName": "nvidia_smi_utilization_gpu",
            "Dimensions": dims,
            "Value": 0.0,
            "Timestamp": start + timedelta(minutes=15 * n + 7),
        }
        for n in range(2 * 96)
    ]
    for n in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace="CWAgent", MetricData=data[n : n + 1000])
    return instance_id


def test_admin_stops_an_idle_instance_after_confirming_and_the_channel_gets_an_audit_line(
    signed, runtime, slack, deliver, moto_url
):
    instance_id = idle_notebook(moto_url)
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("gpu.owners", SCOPE, rt=runtime).ran
    deliver()
    [dm] = [p for p in slack.posted("U0001")]
    stop = dm["blocks"][1]["elements"][3]
    assert (stop["action_id"], stop["style"], stop["confirm"]["title"]["text"]) == (
        "gpu.stop",
        "danger",
        "Stop the instance?",
    )

    refused = signed.action("gpu.stop", stop["value"], user="U0002")
    assert refused.status_code == 200
    signed.action("gpu.stop", stop["value"], user="U0001")
    deliver()
    replies = [r["text"] for r in slack.responses()]
    assert replies == [
        "Only the admins listed in gpu.stop_instances.admins can stop instances.",
        f"Stopping `{instance_id}`. I posted an audit line in the GPU digest channel.",
    ]
    state = client("ec2", moto_url).describe_instances(InstanceIds=[instance_id])
    assert state["Reservations"][0]["Instances"][0]["State"]["Name"] in ("stopping", "stopped")
    assert [p["text"] for p in slack.posted("C0001")] == [
        f":octagonal_sign: <@U0001> stopped EC2 instance `{instance_id}` (nb-ada, idle GPU 0)."
    ]


def test_a_dry_run_stop_changes_nothing_and_says_so_in_the_channel(signed, runtime, slack, deliver, moto_url, settings):
    instance_id = idle_notebook(moto_url)
    settings.file["gpu"]["stop_instances"]["dry_run"] = True
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("gpu.owners", SCOPE, rt=runtime).ran
    deliver()
    [dm] = [p for p in slack.posted("U0001") if instance_id in p["blocks"][1]["elements"][3]["value"]]
    signed.action("gpu.stop", dm["blocks"][1]["elements"][3]["value"], user="U0001")
    deliver()
    assert [r["text"] for r in slack.responses()] == [
        f"Dry run (gpu.stop_instances.dry_run): I would stop `{instance_id}`. Nothing was changed."
    ]
    state = client("ec2", moto_url).describe_instances(InstanceIds=[instance_id])
    assert state["Reservations"][0]["Instances"][0]["State"]["Name"] == "running"
    assert [p["text"] for p in slack.posted("C0001") if "Dry run" in p["text"]] == [
        f":test_tube: Dry run: <@U0001> would have stopped EC2 instance `{instance_id}` (nb-ada, idle GPU 0)."
    ]


class FakeNvml:
    """The functions of nvidia-ml-py that sample() calls, for two GPUs: one busy, one pinned by a notebook."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.gpus = [
            (b"GPU-busy", "NVIDIA A100-SXM4-80GB", 97, 70000, [(4242, 70000)]),
            (b"GPU-held", "NVIDIA A100-SXM4-80GB", 0, 18000, [(5151, 18000)]),
        ]

    def nvmlInit(self) -> None:  # noqa: N802 — NVML's names
        self.calls.append("init")

    def nvmlShutdown(self) -> None:  # noqa: N802
        self.calls.append("shutdown")

    def nvmlDeviceGetCount(self) -> int:  # noqa: N802
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:  # noqa: N802
        return index

    def nvmlDeviceGetUUID(self, h: int) -> bytes:  # noqa: N802
        return self.gpus[h][0]

    def nvmlDeviceGetName(self, h: int) -> str:  # noqa: N802
        return self.gpus[h][1]

    def nvmlDeviceGetUtilizationRates(self, h: int) -> Any:  # noqa: N802
        return SimpleNamespace(gpu=self.gpus[h][2], memory=0)

    def nvmlDeviceGetMemoryInfo(self, h: int) -> Any:  # noqa: N802
        return SimpleNamespace(used=self.gpus[h][3] * nvml.MIB, total=81920 * nvml.MIB)

    def nvmlDeviceGetComputeRunningProcesses(self, h: int) -> list[Any]:  # noqa: N802
        return [SimpleNamespace(pid=pid, usedGpuMemory=mib * nvml.MIB) for pid, mib in self.gpus[h][4]]


def test_nvml_samples_show_memory_held_with_no_compute_as_its_own_category(database):
    fake = FakeNvml()
    start = datetime(2026, 11, 22, tzinfo=UTC)
    with database.session() as s:
        for n in range(24 * 12):  # every 5 minutes for a day
            nvml.sample(s, fake, start + timedelta(minutes=5 * n), host="box")
    assert fake.calls[:2] == ["init", "shutdown"]
    cfg = gpu_config.load(
        Settings(file={"gpu": {"sources": [{"type": "nvml", "name": "box"}], "history_days": 8, "prices": {"A100": 4}}})
    )
    with database.session() as s:
        service.refresh(s, cfg, build(cfg, s), date(2026, 11, 22), start + timedelta(days=1))
        report = service.report(s, cfg, date(2026, 11, 22), start + timedelta(days=1))
    lines = {g.key: (g.idle_h, g.held_h, g.held_cost) for g in report.gpus}
    assert lines == {"box:GPU-busy": (0, 0, 0), "box:GPU-held": (0, 24, 96)}
    assert (report.idle_h, report.held_h) == (0, 24)
