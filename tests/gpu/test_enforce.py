"""Freeing an idle GPU through an admin-only button (gpu.enforce): a dry run by default, the command
when configured, an audit line in the digest channel either way; the k8s and slurm sites of
tests/gpu/sites.py in the real Prometheus, the signed endpoint and the Slack double."""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import jobs
from bot.config import Settings
from bot.errors import UserError
from reports.gpu import config as gpu_config
from reports.gpu import enforce, service
from reports.gpu.models import GpuDay
from reports.gpu.sources.build import build
from tests.conftest import SIGNING_SECRET
from tests.gpu.fleet import OWNERS
from tests.gpu.sites import SITE_PRICES
from tests.slack.double import SlackDouble

SCOPE = "T0001:C0001"
FAKE = str(Path(__file__).with_name("fake_command.py"))
K1 = "k8s:GPU-k1"  # gpu-node-1/gpu0, pod vision/vision-train-0, idle since 13 Nov


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "commands.log"


@pytest.fixture
def gpu_yaml(prometheus_url: str, log: Path) -> dict[str, Any]:
    return {
        "sources": [{"type": "prometheus", "name": "k8s", "url": prometheus_url, "matchers": {"cluster": "k8s"}}],
        "prices": SITE_PRICES,
        "owners": OWNERS,
        "team_leads": {"vision": "U0003"},
        "escalation": {"warn_hours": 24, "lead_hours": 72},
        "enforce": {
            "admins": ["U0003"],
            "delete_pod": [sys.executable, FAKE, str(log), "kubectl", "delete", "pod", "-n", "{namespace}", "{pod}"],
        },
    }


@pytest.fixture
def settings(database_url: str, slack: SlackDouble, gpu_yaml: dict[str, Any]) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
        file={"gpu": gpu_yaml},
    )


def kubectl(log: Path) -> str:
    return shlex.join([sys.executable, FAKE, str(log), "kubectl", "delete", "pod", "-n", "vision", "vision-train-0"])


def test_the_lead_deletes_an_idle_notebook_pod_after_a_dry_run_with_audit_lines(
    signed, runtime, slack, deliver, gpu_yaml, log
):
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("gpu.owners", SCOPE, rt=runtime).ran
    deliver()
    [reminder] = [p for p in slack.posted("U0003") if "gpu-node-1/gpu0" in p["text"]]
    [button] = reminder["blocks"][1]["elements"]
    assert (button["action_id"], button["value"], button["text"]["text"], button["style"]) == (
        "gpu.free",
        K1,
        "Delete pod vision-train-0",
        "danger",
    )
    assert button["confirm"]["text"]["text"].startswith(f"This runs `{kubectl(log)}`")
    [owner_dm] = [p for p in slack.posted("U0001") if "gpu-node-1/gpu0" in p["text"]]
    assert "gpu.free" not in str(owner_dm["blocks"])  # ada is not an enforce admin

    signed.action("gpu.free", K1, user="U0001")
    signed.action("gpu.free", K1, user="U0003")
    gpu_yaml["enforce"]["dry_run"] = False
    signed.action("gpu.free", K1, user="U0003")
    deliver()
    assert [r["text"] for r in slack.responses()] == [
        "Only the admins listed in gpu.enforce.admins can free GPUs.",
        f"Dry run (gpu.enforce.dry_run): I would run `{kubectl(log)}`. Nothing was changed.",
        "Done: deleted pod vision/vision-train-0. I posted an audit line in the GPU digest channel.",
    ]
    assert log.read_text() == "kubectl delete pod -n vision vision-train-0\n"  # once: not on the dry run
    label = "gpu-node-1/gpu0 (NVIDIA A100-SXM4-80GB)"
    assert [p["text"] for p in slack.posted("C0001") if "<@U0003>" in p["text"]] == [
        f":test_tube: Dry run: <@U0003> would have deleted pod vision/vision-train-0 ({label}): `{kubectl(log)}`",
        f":octagonal_sign: <@U0003> deleted pod vision/vision-train-0 ({label}), idle GPU: `{kubectl(log)}`",
    ]


def test_an_idle_slurm_job_is_cancelled_with_scancel(database, prometheus_url, log):
    section = {
        "sources": [{"type": "prometheus", "name": "slurm", "url": prometheus_url, "matchers": {"cluster": "slurm"}}],
        "history_days": 8,
        "enforce": {
            "admins": ["U0003"],
            "dry_run": False,
            "scancel": [sys.executable, FAKE, str(log), "scancel", "{job}"],
        },
    }
    cfg = gpu_config.load(Settings(file={"gpu": section}))
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    with database.session() as s:
        service.refresh(s, cfg, build(cfg, s), date(2026, 11, 22), now)
        assert enforce.enforce(s, cfg, "slurm:GPU-s0", "U0003", now, team_id="T0001") == (
            "Done: cancelled Slurm job 4242. I posted an audit line in the GPU digest channel."
        )
        with pytest.raises(UserError, match="I have no configured way to free slurm-g01/gpu2"):
            enforce.enforce(s, cfg, "slurm:GPU-s2", "U0003", now, team_id="T0001")  # no job on it
    assert log.read_text() == "scancel 4242\n"


MIG2 = "k8s:GPU-k4:mig2"  # gpu-node-3/gpu0/mig2, pod nlp/nlp-serve-5d8f7b9c4-x2k9p of Deployment nlp-serve, idle


def test_the_lead_scales_an_idle_deployment_to_zero_after_a_dry_run_with_audit_lines(
    signed, runtime, slack, deliver, gpu_yaml, log
):
    scale = [sys.executable, FAKE, str(log), "kubectl", "scale", "deployment/{deployment}", "-n", "{namespace}"]
    gpu_yaml["enforce"]["scale_deployment"] = [*scale, "--replicas=0"]
    gpu_yaml["team_leads"] = {"nlp": "U0003"}
    command = shlex.join(
        [sys.executable, FAKE, str(log), "kubectl", "scale", "deployment/nlp-serve", "-n", "nlp", "--replicas=0"]
    )
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("gpu.owners", SCOPE, rt=runtime).ran
    deliver()
    [reminder] = [p for p in slack.posted("U0003") if "gpu-node-3/gpu0/mig2" in p["text"]]
    [button] = reminder["blocks"][1]["elements"]
    assert (button["action_id"], button["value"], button["text"]["text"]) == ("gpu.free", MIG2, "Scale nlp-serve to 0")
    assert button["confirm"]["text"]["text"].startswith(
        f"It stops every pod of Deployment nlp/nlp-serve, not only this one. This runs `{command}`"
    )

    signed.action("gpu.free", MIG2, user="U0002")
    signed.action("gpu.free", MIG2, user="U0003")
    assert not log.exists()  # refused, then a dry run: nothing ran
    gpu_yaml["enforce"]["dry_run"] = False
    signed.action("gpu.free", MIG2, user="U0003")
    deliver()
    assert [r["text"] for r in slack.responses()] == [
        "Only the admins listed in gpu.enforce.admins can free GPUs.",
        f"Dry run (gpu.enforce.dry_run): I would run `{command}`. Nothing was changed.",
        "Done: scaled deployment nlp/nlp-serve to 0. I posted an audit line in the GPU digest channel.",
    ]
    assert log.read_text() == "kubectl scale deployment/nlp-serve -n nlp --replicas=0\n"
    label = "gpu-node-3/gpu0/mig2 (NVIDIA A30, 1g.6gb)"
    assert [p["text"] for p in slack.posted("C0001") if "<@U0003>" in p["text"]] == [
        f":test_tube: Dry run: <@U0003> would have scaled deployment nlp/nlp-serve to 0 ({label}): `{command}`",
        f":octagonal_sign: <@U0003> scaled deployment nlp/nlp-serve to 0 ({label}), idle GPU: `{command}`",
    ]


@pytest.mark.parametrize(
    ("pod", "deployment"),
    [
        ("nlp-serve-5d8f7b9c4-x2k9p", "nlp-serve"),
        ("web-7c9d8b6f5d-4xk2z", "web"),
        ("jupyter-grace-0", ""),  # a StatefulSet's pod
        ("vision-train-0", ""),
        ("train-job-abcde", ""),  # a Job's pod: no pod-template hash
        ("serve-5d8f7b9c4-x2k9a", ""),  # 'a' is not in Kubernetes' suffix alphabet
    ],
)
def test_the_deployment_of_a_pod_is_read_from_its_name(pod, deployment):
    assert enforce.deployment_of(pod) == deployment


def test_a_pod_of_a_deployment_is_scaled_not_deleted():
    row = GpuDay(job="", namespace="nlp", pod="nlp-serve-5d8f7b9c4-x2k9p")
    rules: dict[str, Any] = {"delete_pod": ["kubectl", "delete", "{pod}"]}
    section = {"sources": [{"type": "sample", "path": "-"}], "enforce": rules}
    assert enforce.remedy(row, gpu_config.load(Settings(file={"gpu": section}))) is None  # it would only restart
    rules["scale_deployment"] = ["kubectl", "scale", "deployment/{deployment}", "--replicas=0"]
    found = enforce.remedy(row, gpu_config.load(Settings(file={"gpu": section})))
    assert found is not None and found.argv == ("kubectl", "scale", "deployment/nlp-serve", "--replicas=0")
