"""The GPU section, owner DMs and their buttons through the real jobs, outbox, signed endpoint and Slack
double, on the known sample in a real Prometheus (see tests/gpu/fleet.py for the hand calculation)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot import jobs
from bot.config import Settings
from reports.gpu import config as gpu_config
from reports.gpu import render, service
from tests.conftest import SIGNING_SECRET
from tests.gpu.fleet import OWNERS, PRICES
from tests.slack.double import SlackDouble

SCOPE = "T0001:C0001"


@pytest.fixture
def gpu_yaml(prometheus_url: str) -> dict[str, Any]:
    return {
        "sources": [{"type": "prometheus", "name": "dcgm", "url": prometheus_url, "matchers": {"cluster": "lab"}}],
        "prices": PRICES,
        "owners": OWNERS,
        "team_leads": {"nlp": "U0003"},
        "escalation": {"warn_hours": 24, "lead_hours": 72},
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


def run_digest(runtime, deliver) -> None:
    assert jobs.run("digest.post", SCOPE, rt=runtime).ran
    assert jobs.run("gpu.owners", SCOPE, rt=runtime).ran
    deliver()


def gpu_section(slack) -> str:
    digest = [p for p in slack.posted("C0001") if p["text"].startswith("Daily digest")][-1]
    texts = [b["text"]["text"] for b in digest["blocks"] if b["type"] == "section"]
    start = next(n for n, t in enumerate(texts) if t.startswith("*Idle GPUs*"))
    contexts = [e["text"] for b in digest["blocks"] if b["type"] == "context" for e in b["elements"]]
    return "\n".join(texts[start : start + 4] + contexts)


def test_digest_section_matches_the_hand_calculation(signed, runtime, slack, deliver):
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    assert gpu_section(slack) == (
        "*Idle GPUs* · Sun 22 Nov\n"
        "Yesterday *69 idle GPU-hours* ($276.00), +6.9 GPU-h vs the 7-day average of 62.1 ($248.57).\n"
        "Memory held with no compute: *24 GPU-hours* ($12.00) — likely a forgotten notebook.\n"
        "*Top idle GPUs*\n"
        "• *train-2/gpu1 (NVIDIA A100-SXM4-80GB)* — 24 h idle ($96.00), idle 7 days · grace@example.com\n"
        "• *train-3/gpu0 (NVIDIA A100-SXM4-80GB)* — 24 h idle ($96.00), idle 4 days · unowned\n"
        "• *train-1/gpu1 (NVIDIA A100-SXM4-80GB)* — 21 h idle ($84.00) · ada@example.com\n"
        "*Memory held, no compute*\n"
        "• *nb-1/gpu0 (Tesla T4)* — 24 h held ($12.00), idle 14 days · unowned\n"
        "*Per team*, idle and memory-held GPU-hours\n"
        "• *unowned* 48 GPU-h (24 idle, 24 held, $108.00) · 648 in 14 days\n"
        "• *nlp* 24 GPU-h (24 idle, $96.00) · 168 in 14 days\n"
        "• *vision* 21 GPU-h (21 idle, $84.00) · 294 in 14 days"
    )
    uploads = slack.calls_to("files.completeUploadExternal")
    assert [u.params["files"][0]["title"] for u in uploads] == ["Idle and memory-held GPU-hours by team to 22 Nov"]
    assert uploads[0].params["channel_id"] == "C0001" and uploads[0].params.get("thread_ts")
    [asked] = slack.calls_to("files.getUploadURLExternal")
    assert asked.params["alt_txt"].startswith("Stacked bar chart: Idle and memory-held GPU-hours per day by team")
    assert "vision 294.0 in all, 21.0 on 22 Nov" in asked.params["alt_txt"], "the chart's numbers, in words"


def test_the_chart_shows_the_numbers_and_teams_the_text_shows(signed, runtime, slack, deliver):
    """The chart is drawn from `render.chart_data`; its last day and 14-day sums are the text's."""
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    with runtime.database.session() as s:
        report = service.report(s, gpu_config.load(runtime.settings), date(2026, 11, 22), runtime.clock.now())
    data = render.chart_data(report)
    assert data.title == "Idle and memory-held GPU-hours per day by team, 09 Nov – 22 Nov"
    text = gpu_section(slack).split("*Per team*, idle and memory-held GPU-hours\n")[1]
    shown = {}
    for line in text.split("\n"):
        if line.startswith("• *"):
            team, rest = line[3:].split("* ", 1)
            shown[team] = (float(rest.split(" GPU-h")[0]), float(rest.split("· ")[1].split(" in")[0]))
    assert shown == {team: (values[-1], sum(values)) for team, values in data.teams.items()}
    assert list(data.teams) == ["unowned", "nlp", "vision"]


def test_a_prometheus_without_gpu_metrics_gets_a_digest_line_naming_what_was_missing(
    signed, runtime, slack, deliver, gpu_yaml
):
    gpu_yaml["sources"] = [{**gpu_yaml["sources"][0], "name": "ops-prom", "matchers": {"cluster": "empty"}}]
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    body = gpu_section(slack)
    assert "No GPU metrics for this day yet" not in body
    assert body.startswith("*Idle GPUs* · Sun 22 Nov\nNo GPU figures: the source below did not give any.")
    assert (
        ":warning: source *ops-prom* was unavailable: Prometheus answered, but has none of the GPU metrics I "
        "read (DCGM_FI_PROF_GR_ENGINE_ACTIVE, DCGM_FI_DEV_GPU_UTIL, nvidia_gpu_duty_cycle)"
    ) in body


def test_kubernetes_gpus_are_named_by_node_in_the_digest(signed, runtime, slack, deliver, gpu_yaml):
    gpu_yaml["sources"] = [{**gpu_yaml["sources"][0], "name": "k8s", "matchers": {"cluster": "k8s"}}]
    gpu_yaml["prices"] = {"A100": 4.00, "A30": 2.00}
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    body = gpu_section(slack)
    assert "nvidia-dcgm-exporter" not in body
    assert "• *gpu-node-1/gpu0 (NVIDIA A100-SXM4-80GB)* — 24 h idle ($96.00), idle 10 days · ada@example.com" in body
    assert (
        "• *gpu-node-3/gpu0/mig2 (NVIDIA A30, 1g.6gb)* — 24 h idle ($12.00), idle 10 days · grace@example.com" in body
    )


def test_owner_of_a_gpu_idle_a_day_gets_a_dm_with_buttons_and_the_lead_a_reminder(signed, runtime, slack, deliver):
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    [lookup] = [c.params["email"] for c in slack.calls_to("users.lookupByEmail")]
    assert lookup == "grace@example.com"  # only D (grace) is idle >= 24 h and owned; F is unowned
    # sorted by recipient: the sender promises order within a conversation, not across them
    dms = sorted((p for p in slack.posted() if p["channel"] in ("U0002", "U0003")), key=lambda p: p["channel"])
    assert [(p["channel"], p["text"]) for p in dms] == [
        (
            "U0002",
            ":zzz: *train-2/gpu1 (NVIDIA A100-SXM4-80GB)* has been idle for 7 days, $96.00 yesterday alone. "
            "You are listed as its owner (nlp).\nStill using it? Tell me below, or release it so someone else "
            "can.",
        ),
        (
            "U0003",
            ":bell: *train-2/gpu1 (NVIDIA A100-SXM4-80GB)* (nlp) has been idle for 7 days, $96.00 a day. "
            "Its owner grace@example.com was asked 24 h in; please check in with them.",
        ),
    ]
    buttons = dms[0]["blocks"][1]["elements"]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("In use", "gpu.in_use", "dcgm:GPU-dddddddd"),
        ("I'll release it", "gpu.release", "dcgm:GPU-dddddddd"),
        ("Snooze 3 days", "gpu.snooze", "dcgm:GPU-dddddddd"),
    ]  # no Stop button: off by default


def test_in_use_answer_is_stored_shown_in_the_next_digest_and_stops_the_dm(signed, runtime, slack, deliver, clock):
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    response = signed.action(
        "gpu.in_use",
        "dcgm:GPU-dddddddd",
        user="U0002",
        message={"text": "train-2/gpu1 idle", "ts": "1800000000.000001"},
    )
    assert response.status_code == 200
    [reply] = slack.responses()
    assert reply["replace_original"] is True
    assert reply["text"] == "train-2/gpu1 idle\nNoted: in use. I won't ask about it again today."
    slack.calls.clear()
    clock.advance(timedelta(days=1))
    run_digest(runtime, deliver)
    body = gpu_section(slack)
    assert "idle 8 days · grace@example.com · _in use, says the owner_" in body
    assert not [p for p in slack.posted() if p["channel"] == "U0002"]


def test_a_failing_source_is_named_and_the_rest_of_the_digest_posts(signed, runtime, slack, deliver, gpu_yaml):
    gpu_yaml["sources"].append({"type": "prometheus", "name": "lab-prom", "url": "http://127.0.0.1:9"})
    signed.command("/ritual", "digest on 09:00 UTC")
    run_digest(runtime, deliver)
    body = gpu_section(slack)
    assert "Yesterday *69 idle GPU-hours* ($276.00)" in body
    assert (
        ":warning: source *lab-prom* was unavailable: lab-prom: cannot reach Prometheus at "
        "http://127.0.0.1:9 (ConnectError)"
    ) in body


def test_gpu_idle_for_a_team_and_gpu_owners_answer_ephemerally(signed, slack):
    idle = signed.command("/gpu", "idle nlp").json()
    assert idle["response_type"] == "ephemeral"
    assert idle["text"] == "Idle GPUs for nlp: 24 idle GPU-hours ($96.00) on Sun 22 Nov"
    owners = signed.command("/gpu", "owners").json()
    assert owners["text"] == "GPU owners: 6 GPUs"
    lines = owners["blocks"][1]["text"]["text"].split("\n")
    assert lines[0] == "• *train-2/gpu0* — grace@example.com · nlp"
    assert "• *nb-1/gpu0* — unowned · unowned" in lines


def test_gpu_idle_counts_days_in_the_digest_channels_timezone_not_the_bots(signed, slack, clock):
    """Tue 24 Nov 08:00 in Auckland (UTC+13) is still Mon 23 Nov in UTC: yesterday is Mon 23 Nov there,
    22 Nov 11:00 to 23 Nov 11:00 UTC, so D (idle since 16 Nov 00:00 UTC) has been idle 179 h at its end
    and F (no data on 18 Nov UTC) 107 h; in UTC it would be Sun 22 Nov with 168 h and 96 h. B's day ends
    45 minutes into an idle run that counts only once it reaches 60 (the next day): 20.25 h, not 21."""
    signed.command("/ritual", "digest on 09:00 Pacific/Auckland")
    clock.advance(timedelta(hours=10))  # Mon 23 Nov 19:00 UTC
    expected = "Idle GPUs: 68.2 idle GPU-hours ($273.00) on Mon 23 Nov"  # 20.25 + 24 + 24
    for channel in ("C0001", "C0002"):  # the digest channel, and another channel of the same team
        idle = signed.command("/gpu", "idle", channel=channel).json()
        assert idle["text"] == expected
        body = "\n".join(b["text"]["text"] for b in idle["blocks"] if b["type"] == "section")
        assert body.startswith("*Idle GPUs* · Mon 23 Nov\n")
        assert "• *train-2/gpu1 (NVIDIA A100-SXM4-80GB)* — 24 h idle ($96.00), idle 7.5 days" in body
        assert "• *train-3/gpu0 (NVIDIA A100-SXM4-80GB)* — 24 h idle ($96.00), idle 4.5 days" in body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Use `/gpu idle [team]` for yesterday's idle GPUs or `/gpu owners` for the owner map."),
        ("idle robotics", "I have no GPUs for team `robotics` yesterday. `/gpu owners` lists the teams."),
    ],
)
def test_bad_gpu_commands_explain_themselves(signed, text, message):
    answer = signed.command("/gpu", text).json()
    assert (answer["response_type"], answer["text"]) == ("ephemeral", message)


def test_weekly_waste_dms_owners_over_the_threshold_and_gives_the_lead_the_list(
    signed, runtime, slack, deliver, gpu_yaml
):
    """16-22 Nov: ada's B 21 h x 7 = 147 GPU-h, grace's D 168, unowned F 144 (no data on the 18th) + E held 168."""
    gpu_yaml["waste"] = {"threshold_gpu_hours": 150, "lead": "U0003"}
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("gpu.waste", SCOPE, rt=runtime).ran
    deliver()
    dms = {p["channel"]: p["text"] for p in slack.posted() if p["channel"].startswith("U")}
    assert dms == {
        "U0002": ":hourglass: From 16 Nov to 22 Nov your GPUs sat unused for *168 GPU-hours* ($672.00): 168 idle. "
        "Most of it on *train-2/gpu1 (NVIDIA A100-SXM4-80GB)* (168 h).\n"
        "Release what you are not using, so others can run on it.",
        "U0003": "*GPU waste, 16 Nov – 22 Nov*: 627 GPU-hours idle or memory-held ($1,920.00), by owner:\n"
        "• unowned 312 GPU-h ($660.00), most on nb-1/gpu0 (Tesla T4)\n"
        "• <@U0002> 168 GPU-h ($672.00), most on train-2/gpu1 (NVIDIA A100-SXM4-80GB) · DM sent\n"
        "• ada@example.com 147 GPU-h ($588.00), most on train-1/gpu1 (NVIDIA A100-SXM4-80GB)",
    }  # ada is under the threshold: no DM
    assert not jobs.run("gpu.waste", SCOPE, rt=runtime).ran  # once a week
    with runtime.database.session() as s:
        desired = {j.job: j for j in runtime.capabilities.desired_jobs(s) if j.job.startswith("gpu.")}
    assert str(desired["gpu.waste"].trigger.fields[4]) == "mon"
