"""Jobs run once per (job, scope, period), across processes; the scheduler follows the capabilities."""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import jobs, outbox
from bot.models import JobClaim
from bot.scheduler import build_scheduler, sync_jobs
from bot.wiring import build_runtime
from reports.digest import service as digest
from rituals.standup.models import Standup
from tests.standup.helpers import set_up


def _enable_digest(database, clock, channel="C0001", tz="Europe/Berlin", at="09:00"):
    with database.session() as s:
        digest.enable(
            s, team_id="T0001", channel_id=channel, user_id="U0001", now=clock.now(), local_time=at, timezone=tz
        )


def test_two_worker_processes_running_the_same_job_for_the_same_period_post_once(settings, database, clock, slack):
    _enable_digest(database, clock)
    env = slack.process_env(settings.database_url)
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
    ran = [out for out, _ in outputs if "digest.post ran for scope=T0001:C0001" in out]
    skipped = [out for out, _ in outputs if "already ran" in out or "is running for scope=T0001:C0001" in out]
    assert (len(ran), len(skipped)) == (1, 1), outputs  # the second finds the first done, or still running
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


# -- claims carry a heartbeat; a dead run's claim is taken over once ---------------------------------


def _dead_claim(database, clock, name, *, heartbeat_ago, attempts=1, owner="gone-host:4242"):
    with database.session() as s:
        s.add(
            JobClaim(
                job=name,
                scope="s",
                period="2026-11-23",
                status="running",
                owner=owner,
                claimed_at=clock.now() - timedelta(hours=3),
                heartbeat_at=clock.now() - heartbeat_ago,
                attempts=attempts,
            )
        )


@pytest.fixture
def probe_job():
    calls = []

    @jobs.job("test.probe")
    def probe(rt, scope, period):
        calls.append(period)

    yield calls
    jobs.REGISTRY.pop("test.probe")


def test_a_claim_whose_job_died_is_taken_over_and_reported(runtime, database, clock, probe_job, caplog):
    _dead_claim(database, clock, "test.probe", heartbeat_ago=runtime.settings.job_stale + timedelta(seconds=1))
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        outcome = jobs.run("test.probe", "s", rt=runtime)
    assert (outcome.ran, outcome.took_over, probe_job) == (True, True, ["2026-11-23"])
    assert "took over" in caplog.text and "gone-host:4242" in caplog.text
    with database.session() as s:
        claim = s.scalars(select(JobClaim)).one()
        assert (claim.status, claim.attempts) == ("done", 2) and claim.owner != "gone-host:4242"
    assert jobs.run("test.probe", "s", rt=runtime).state == "done"


def test_a_claim_with_a_fresh_heartbeat_is_left_to_its_owner(runtime, database, clock, probe_job):
    _dead_claim(database, clock, "test.probe", heartbeat_ago=timedelta(minutes=1))
    outcome = jobs.run("test.probe", "s", rt=runtime)
    assert (outcome.ran, outcome.state, probe_job) == (False, "running", [])


def test_a_period_whose_job_died_twice_is_given_up_and_reported(runtime, database, clock, probe_job, caplog):
    _dead_claim(database, clock, "test.probe", heartbeat_ago=timedelta(hours=1), attempts=2)
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        outcome = jobs.run("test.probe", "s", rt=runtime)
    assert (outcome.ran, outcome.state, probe_job) == (False, "dead", [])
    assert "died twice" in caplog.text
    with database.session() as s:
        claim = s.scalars(select(JobClaim)).one()
        assert claim.status == "dead" and "died twice" in (claim.error or "")


def test_the_heartbeat_keeps_a_long_running_claim_from_being_taken_over(settings, database, clock):
    rt = build_runtime(replace(settings, job_stale=timedelta(seconds=1)), clock=clock, database=database)
    seen = []

    @jobs.job("test.long")
    def long(rt_, scope, period):
        clock.advance(hours=1)  # far past the staleness limit
        beat = jobs.current_heartbeat()
        assert beat is not None and beat.wait_for(beat.count + 1, timeout=10)
        seen.append(jobs.run("test.long", "s", rt=rt_))  # another worker tries the same period meanwhile

    try:
        assert jobs.run("test.long", "s", rt=rt).ran
        assert [(o.ran, o.state) for o in seen] == [(False, "running")]
        with database.session() as s:
            claim = s.scalars(select(JobClaim)).one()
            assert claim.heartbeat_at == clock.now()
    finally:
        jobs.REGISTRY.pop("test.long")


def test_a_job_killed_mid_run_is_taken_over_by_the_next_run_job(signed, slack, settings, database):
    set_up(signed, slack, ["U0001", "U0002"])
    with database.session() as s:
        standup_id = s.scalars(select(Standup.id)).one()
    slack.hang_next("conversations.members")  # the roster check hangs: the job is mid-run
    env = slack.process_env(settings.database_url)
    cmd = [sys.executable, "-m", "bot.cli", "run-job", "standup.digest", "--scope", str(standup_id)]
    cmd += ["--period", "2026-11-23"]
    killed = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert slack.wait_until(lambda d: len(d.calls_to("conversations.members", ok_only=False)) == 1, timeout=60)
    finally:
        killed.kill()
        killed.wait(timeout=30)
        slack.release()
    with database.session() as s:  # an hour passes: the dead run's heartbeat is stale
        claim = s.scalars(select(JobClaim)).one()
        assert claim.status == "running"
        claim.heartbeat_at -= timedelta(hours=1)
        claim.claimed_at -= timedelta(hours=1)
    retried = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert retried.returncode == 0, retried.stderr
    assert "took over a dead claim" in retried.stdout and "already ran" not in retried.stdout
    with database.session() as s:
        digest_row = outbox.find_by_ref(s, f"standup:{standup_id}:2026-11-23:digest")
        assert digest_row is not None and digest_row.status == "sent"
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert "already ran" in again.stdout
    assert [p["text"] for p in slack.posted("C0001")].count(digest_row.payload["text"]) == 1
