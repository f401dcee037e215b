"""The digest through the real job and outbox: what needs attention first, one line per report, the
details in the thread, the window since the channel's last digest, and Monday's week over week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import jobs
from reports.digest.models import DigestChannel
from reports.runs.models import AnnouncedRun, RunWatch
from tests.digest import view

SCOPE = "T0001:C0001"
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _watch(database) -> int:
    with database.session() as s:
        watch = RunWatch(
            team_id="T0001",
            channel_id="C0001",
            experiment_id="7",
            experiment_name="churn-model",
            watermark_ms=0,
            created_by="U0001",
            created_at=MONDAY - timedelta(days=30),
        )
        s.add(watch)
        s.flush()
        return watch.id


def _ended(database, watch_id: int, run_id: str, status: str, when: datetime) -> None:
    with database.session() as s:
        s.add(
            AnnouncedRun(
                watch_id=watch_id,
                run_id=run_id,
                status=status,
                end_time_ms=int(when.timestamp() * 1000),
                kind="failed" if status != "FINISHED" else "card",
                announced_at=when,
            )
        )


def _post(runtime, deliver) -> None:
    assert jobs.run("digest.post", SCOPE, rt=runtime).ran
    deliver()


def test_the_digest_leads_with_what_needs_attention_and_keeps_the_details_in_its_thread(
    signed, runtime, database, clock, deliver, slack
):
    signed.command("/ritual", "digest on 09:00 UTC")
    watch = _watch(database)
    _ended(database, watch, "aaaaaaaa1111", "FAILED", MONDAY - timedelta(hours=3))
    _ended(database, watch, "bbbbbbbb2222", "FINISHED", MONDAY - timedelta(hours=2))
    _post(runtime, deliver)

    [[root, *thread]] = view.digests(slack)
    kinds = [b["type"] for b in root["blocks"]]
    assert kinds[:3] == ["header", "context", "section"]
    texts = [b["text"]["text"] for b in root["blocks"] if b["type"] == "section"]
    assert texts[0] == "*Needs attention*\n:x: Run `aaaaaaaa` in *churn-model* failed"
    assert texts[1] == "*At a glance*\n• *MLflow runs* — 2 MLflow runs finished (1 failed) · `/runs`"
    assert "In this channel" not in str(root["blocks"])  # the configuration list lives in App Home
    assert all(p["thread_ts"] for p in thread)
    assert view.part(thread, "*MLflow runs*")["text"].startswith("Daily digest — Mon 23 Nov 2026")


def test_the_window_is_since_the_last_digest_so_overnight_runs_are_in_the_next_one(
    signed, runtime, database, clock, deliver, slack
):
    signed.command("/ritual", "digest on 09:00 UTC")
    watch = _watch(database)
    _ended(database, watch, "before0first", "FAILED", MONDAY - timedelta(hours=1))
    _post(runtime, deliver)
    with database.session() as s:
        assert s.scalars(select(DigestChannel)).one().last_sent_at == MONDAY

    _ended(database, watch, "overnight0001", "KILLED", MONDAY + timedelta(hours=15))  # after Monday's digest
    _ended(database, watch, "finished00001", "FINISHED", MONDAY + timedelta(hours=20))
    clock.set(MONDAY + timedelta(days=1))
    _post(runtime, deliver)

    first, second = view.digests(slack)
    assert "before0f" in view.sections(first) and "overnigh" not in view.sections(first)
    body = view.sections(second)
    window = (
        "Since the last digest, <!date^1795424400^{date_short_pretty} {time}|Mon 23 Nov 09:00 UTC>"
        " – <!date^1795510800^{date_short_pretty} {time}|Tue 24 Nov 09:00 UTC>"
    )
    assert window in str(second[0]["blocks"]), "each reader sees the window in their own timezone"
    assert ":x: Run `overnigh` in *churn-model* killed" in body
    assert "before0f" not in body  # reported by Monday's digest already
    assert "*MLflow runs* · since Mon 23 Nov 09:00\n• *churn-model*: 1 finished, 1 failed or killed" in body


def test_monday_adds_the_week_over_week_and_tuesday_does_not(signed, runtime, database, clock, deliver, slack):
    signed.command("/ritual", "digest on 09:00 UTC")
    watch = _watch(database)
    for n in range(3):  # this week (16-22 Nov): 3 finished; the week before (9-15 Nov): 1 finished, 1 failed
        _ended(database, watch, f"this{n}", "FINISHED", MONDAY - timedelta(days=2, hours=n))
    _ended(database, watch, "last0", "FINISHED", MONDAY - timedelta(days=9))
    _ended(database, watch, "last1", "FAILED", MONDAY - timedelta(days=10))
    _post(runtime, deliver)
    clock.set(MONDAY + timedelta(days=1))
    _post(runtime, deliver)

    monday, tuesday = view.digests(slack)
    assert monday[0]["blocks"][0]["text"]["text"] == "Daily digest — Mon 23 Nov 2026 · the week in review"
    week = view.part(monday, "*Week over week*")
    assert week["blocks"][0]["text"]["text"] == (
        "*Week over week* · from Mon 16 Nov, against the week from Mon 09 Nov\n"
        "• *MLflow runs finished (churn-model)*: 3 (week before 1, +200%)\n"
        "• *MLflow runs failed or killed*: 0 (week before 1, -100%)"
    )
    assert tuesday[0]["blocks"][0]["text"]["text"] == "Daily digest — Tue 24 Nov 2026"
    assert "Week over week" not in str([m["blocks"] for m in tuesday])
