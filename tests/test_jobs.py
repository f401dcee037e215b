"""Jobs run once per (job, scope, period), across processes; the scheduler follows the capabilities."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import jobs
from bot.models import JobClaim
from bot.scheduler import build_scheduler, sync_jobs
from reports.digest import service as digest


def _enable_digest(database, clock, channel="C0001", tz="Europe/Berlin", at="09:00"):
    with database.session() as s:
        digest.enable(
            s, team_id="T0001", channel_id=channel, user_id="U0001", now=clock.now(), local_time=at, timezone=tz
        )


def test_two_worker_processes_running_the_same_job_for_the_same_period_post_once(settings, database, clock, slack):
    _enable_digest(database, clock)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.base_url,
        "SLACK_SIGNING_SECRET": "x",
        "RITUALBOT_AUTO_MIGRATE": "false",
        "LOG_LEVEL": "WARNING",
    }
    cmd = [
        sys.executable,
        "-m",
        "bot.cli",
        "run-job",
        "digest.post",
        "--scope",
        "T0001:C0001",
        "--period",
        "2026-11-23",
    ]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    said = " ".join(out for out, _ in outputs)
    assert "ran for scope=T0001:C0001" in said and "already ran" in said
    posts = slack.posted("C0001")
    assert len(posts) == 1
    assert "Daily digest" in posts[0]["text"]
    with database.session() as s:
        claims = s.scalars(select(JobClaim)).all()
        assert [(c.job, c.scope, c.period, c.status) for c in claims] == [
            ("digest.post", "T0001:C0001", "2026-11-23", "done")
        ]


def test_replayed_misfire_in_the_same_period_is_skipped(runtime, database, clock, slack):
    _enable_digest(database, clock)
    first = jobs.run("digest.post", "T0001:C0001", rt=runtime)
    runtime.sender.deliver_due()
    clock.advance(hours=3)
    replay = jobs.run("digest.post", "T0001:C0001", rt=runtime)
    assert (first.ran, replay.ran) == (True, False)
    assert first.period == "2026-11-23"
    assert len(slack.posted("C0001")) == 1


def test_the_digest_period_is_the_channels_local_day(runtime, database, clock):
    _enable_digest(database, clock, tz="Pacific/Auckland")
    clock.set(datetime(2026, 11, 23, 12, 30, tzinfo=UTC))  # already Tuesday 01:30 in Auckland
    assert jobs.run("digest.post", "T0001:C0001", rt=runtime).period == "2026-11-24"


def test_a_failing_job_releases_its_claim_so_it_can_be_retried(runtime):
    calls = []

    @jobs.job("test.flaky")
    def flaky(rt, scope, period):
        calls.append(period)
        if len(calls) == 1:
            raise RuntimeError("source down")

    try:
        with pytest.raises(RuntimeError):
            jobs.run("test.flaky", "s", rt=runtime)
        assert jobs.run("test.flaky", "s", rt=runtime).ran
        assert not jobs.run("test.flaky", "s", rt=runtime).ran
        assert calls == ["2026-11-23", "2026-11-23"]
    finally:
        jobs.REGISTRY.pop("test.flaky")


def test_unknown_job_is_a_user_error_listing_the_known_ones(runtime):
    from bot.errors import UserError

    with pytest.raises(UserError, match="digest.post"):
        jobs.run("nope", rt=runtime)


def test_scheduler_keeps_the_job_store_in_sync_with_the_channels(runtime, database, clock):
    _enable_digest(database, clock, tz="Europe/Berlin", at="09:00")
    scheduler = build_scheduler(runtime)
    scheduler.start(paused=True)
    try:
        assert sync_jobs(scheduler, runtime) == (1, 0)
        assert sync_jobs(scheduler, runtime) == (0, 0), "unchanged jobs are left alone"
        job = scheduler.get_job("rb:digest:T0001:C0001")
        assert job.args == ("digest.post", "T0001:C0001")
        fire = job.trigger.get_next_fire_time(None, clock.now())
        assert fire.astimezone(UTC) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 CET
        with database.session() as s:
            digest.disable(s, team_id="T0001", channel_id="C0001", now=clock.now())
        assert sync_jobs(scheduler, runtime) == (0, 1)
        assert scheduler.get_job("rb:digest:T0001:C0001") is None
    finally:
        scheduler.shutdown(wait=False)
