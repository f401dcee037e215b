"""Retention: the daily job deletes what no later edit, thread or de-duplication needs, keeps the rest
(without its bulky payload), and runs from the worker like any job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import jobs, outbox, retention
from bot.cli import main
from bot.config import RetentionSettings, load_settings
from bot.errors import ConfigError
from bot.models import JobClaim, OutboxMessage, ProcessedEvent
from bot.scheduler import build_scheduler

POLICY = RetentionSettings(days=30, keep_days=365)
BIG = {"channel": "C0001", "text": "x" * 2000}


def _outbox(s, now, *, age, status="sent", **links):
    created = now - age
    row = OutboxMessage(
        team_id="T0001",
        method=links.pop("method", "chat.postMessage"),
        payload=dict(BIG),
        status=status,
        attempts=1,
        next_attempt_at=created,
        created_at=created,
        sent_at=created if status == "sent" else None,
        channel="C0001",
        ts=f"{created.timestamp():.6f}",
        **links,
    )
    s.add(row)
    s.flush()
    return row.id


def _rows(database):
    with database.session() as s:
        return {r.id: r for r in s.scalars(select(OutboxMessage))}


def test_old_outbox_rows_go_unless_an_edit_thread_or_dedupe_needs_them(database, clock):
    now, old, ancient = clock.now(), timedelta(days=40), timedelta(days=400)
    with database.session() as s:
        plain = _outbox(s, now, age=old)
        failed = _outbox(s, now, age=old, status="failed")
        recent = _outbox(s, now, age=timedelta(days=1))
        stuck = _outbox(s, now, age=old, status="pending")
        edited_later = _outbox(s, now, age=old)
        pending_edit = _outbox(s, now, age=timedelta(0), status="pending", update_of_id=edited_later)
        older_same_ref = _outbox(s, now, age=old + timedelta(days=1), ref="gpu:dm:x")
        newest_of_ref = _outbox(s, now, age=old, ref="gpu:dm:x")
        old_edit = _outbox(s, now, age=old, status="superseded", method="chat.update", update_of_id=newest_of_ref)
        old_parent = _outbox(s, now, age=old)
        old_reply = _outbox(s, now, age=old, thread_of_id=old_parent)
        parent_of_recent = _outbox(s, now, age=old)
        recent_reply = _outbox(s, now, age=timedelta(days=2), thread_of_id=parent_of_recent)
        dedupe = _outbox(s, now, age=old, dedupe_key="gpu:lead:x:2026-10-01")
        ancient_dedupe = _outbox(s, now, age=ancient, dedupe_key="gpu:lead:x:2025-10-01")
        ancient_ref = _outbox(s, now, age=ancient, ref="spend:2025-10")

    purged = retention.purge(database, now, POLICY)

    rows = _rows(database)
    gone = {plain, failed, older_same_ref, old_edit, old_parent, old_reply, ancient_dedupe, ancient_ref}
    assert gone.isdisjoint(rows)
    kept = {recent, stuck, edited_later, pending_edit, newest_of_ref, parent_of_recent, recent_reply, dedupe}
    assert set(rows) == kept
    assert purged.outbox_deleted == len(gone)
    compacted = {parent_of_recent, dedupe, edited_later}
    assert {i for i, r in rows.items() if r.payload == {}} == compacted, "kept for its ts or key, not its payload"
    assert rows[newest_of_ref].payload == BIG, "an edit of a ref's message may rebuild from its payload"
    assert purged.outbox_compacted == len(compacted)
    assert rows[edited_later].ts and rows[edited_later].channel == "C0001", "what the pending edit needs"
    with database.session() as s:
        assert outbox.find_by_ref(s, "gpu:dm:x").id == newest_of_ref
        assert outbox.already_enqueued(s, "gpu:lead:x:2026-10-01")
    again = retention.purge(database, now, POLICY)
    assert (again.outbox_deleted, again.outbox_compacted) == (0, 0)


def test_old_processed_events_and_finished_job_claims_go(database, clock):
    now = clock.now()
    with database.session() as s:
        s.add_all(
            [
                ProcessedEvent(event_id="Ev-old", received_at=now - timedelta(days=31)),
                ProcessedEvent(event_id="Ev-new", received_at=now - timedelta(hours=1)),
            ]
        )
        for period, age, status in [
            ("2026-09-01", 83, "done"),
            ("2026-09-02", 82, "done"),  # the newest finished run of its job: `jobs.last_run` reads it
            ("2026-11-22", 1, "done"),
        ]:
            when = now - timedelta(days=age)
            scope = "T0001:C0001" if period != "2026-09-02" else "T0001:C0002"
            s.add(
                JobClaim(
                    job="digest.post",
                    scope=scope,
                    period=period,
                    status=status,
                    owner="w",
                    claimed_at=when,
                    finished_at=when,
                    heartbeat_at=when,
                )
            )
        long_running = now - timedelta(days=40)
        s.add(
            JobClaim(
                job="standup.digest",
                scope="1",
                period="2026-10-14",
                status="running",
                owner="w",
                claimed_at=long_running,
                heartbeat_at=long_running,
            )
        )
    purged = retention.purge(database, now, POLICY)
    with database.session() as s:
        assert list(s.scalars(select(ProcessedEvent.event_id))) == ["Ev-new"]
        left = sorted(s.scalars(select(JobClaim.period)))
    assert left == ["2026-09-02", "2026-10-14", "2026-11-22"]
    assert (purged.events_deleted, purged.claims_deleted) == (1, 1)


def test_retention_is_a_daily_job_the_worker_schedules_and_run_job_lists(runtime, clock, capsys, monkeypatch):
    scheduler = build_scheduler(runtime)
    scheduler.start(paused=True)
    try:
        job = next(j for j in scheduler.get_jobs() if list(j.args) == ["retention.daily", ""])
        first = job.trigger.get_next_fire_time(None, clock.now())
        assert job.trigger.get_next_fire_time(first, first) - first == timedelta(days=1)
    finally:
        scheduler.shutdown(wait=False)
    with runtime.database.session() as s:
        s.add(ProcessedEvent(event_id="Ev-old", received_at=clock.now() - timedelta(days=90)))
    assert jobs.run("retention.daily", rt=runtime).ran
    assert not jobs.run("retention.daily", rt=runtime).ran, "once a day"
    with runtime.database.session() as s:
        assert s.scalar(select(ProcessedEvent.event_id)) is None
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("RITUALBOT_AUTO_MIGRATE", "false")
    assert main(["run-job", "--list"]) == 0
    assert "retention.daily" in capsys.readouterr().out


def test_retention_days_come_from_ritualbot_yaml_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings({}).retention == RetentionSettings(days=30, keep_days=365)
    (tmp_path / "ritualbot.yaml").write_text("retention:\n  days: 10\n  keep_days: 100\n")
    assert load_settings({}).retention == RetentionSettings(days=10, keep_days=100)
    assert load_settings({"RITUALBOT_RETENTION_DAYS": "5"}).retention.days == 5
    with pytest.raises(ConfigError, match="RITUALBOT_RETENTION_DAYS"):
        load_settings({"RITUALBOT_RETENTION_DAYS": "soon"})
    (tmp_path / "ritualbot.yaml").write_text("retention:\n  days: 90\n  keep_days: 30\n")
    with pytest.raises(ConfigError, match="keep_days"):
        load_settings({})
