"""The outbox delivers every message exactly once, survives crashes, honours 429 and splits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import outbox
from bot.models import OutboxMessage
from bot.wiring import build_runtime


def _post(runtime, **kwargs):
    with runtime.database.session() as s:
        row = outbox.post(
            s,
            channel=kwargs.pop("channel", "C0001"),
            text=kwargs.pop("text", "hello"),
            now=runtime.clock.now(),
            **kwargs,
        )
        return row.id


def test_row_enqueued_before_a_crash_is_delivered_once_by_the_next_process(settings, clock, database, slack):
    crashed = build_runtime(settings, clock=clock, database=database)
    _post(crashed, text="survives")
    del crashed  # the process dies before its sender ran
    restarted = build_runtime(settings, clock=clock, database=database)
    first = restarted.sender.deliver_due()
    second = restarted.sender.deliver_due()
    assert (first.sent, second.sent) == (1, 0)
    assert [p["text"] for p in slack.posted("C0001")] == ["survives"]
    with database.session() as s:
        row = s.scalars(select(OutboxMessage)).one()
        assert row.status == "sent" and row.ts and row.channel == "C0001"


def test_two_senders_never_send_the_same_row_twice(settings, clock, database, slack):
    runtime = build_runtime(settings, clock=clock, database=database)
    for n in range(5):
        _post(runtime, text=f"m{n}")
    other = build_runtime(settings, clock=clock, database=database)
    sent = runtime.sender.deliver_due().sent + other.sender.deliver_due().sent
    assert sent == 5
    assert sorted(p["text"] for p in slack.posted()) == [f"m{n}" for n in range(5)]


def test_429_with_retry_after_delays_then_delivers(runtime, clock, slack):
    _post(runtime, text="later")
    slack.fail_next("chat.postMessage", status=429, retry_after=3)
    assert runtime.sender.deliver_due().sent == 0
    assert runtime.sender.deliver_due().sent == 0, "must wait out Retry-After"
    clock.advance(seconds=2)
    assert runtime.sender.deliver_due().sent == 0
    clock.advance(seconds=1)
    assert runtime.sender.deliver_due().sent == 1
    attempts = slack.calls_to("chat.postMessage", ok_only=False)
    assert [c.error for c in attempts] == ["ratelimited", None]


def test_transient_5xx_is_retried_with_backoff_and_permanent_error_is_not(runtime, clock, slack, database):
    ok_id = _post(runtime, text="retry me")
    slack.fail_next("chat.postMessage", status=503, error="service_unavailable")
    runtime.sender.deliver_due()
    clock.advance(seconds=2)
    runtime.sender.deliver_due()
    bad_id = _post(runtime, channel="", text="no channel")
    report = runtime.sender.deliver_due()
    assert report.failed == 1 and report.errors == ["invalid_arguments"]
    with database.session() as s:
        assert s.get(OutboxMessage, ok_id).status == "sent"
        failed = s.get(OutboxMessage, bad_id)
        assert failed.status == "failed" and failed.last_error == "invalid_arguments"


def test_oversized_message_is_split_not_rejected(runtime, slack):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"line {n}"}} for n in range(120)]
    blocks.insert(0, {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(["x" * 90] * 80)}})
    _post(runtime, text="big", blocks=blocks)
    report = runtime.sender.deliver_due()
    calls = slack.calls_to("chat.postMessage", ok_only=False)
    assert report.failed == 0 and all(c.ok for c in calls)
    assert len(calls) == 3
    assert all(len(c.params["blocks"]) <= 50 for c in calls)
    texts = [b["text"]["text"] for c in calls for b in c.params["blocks"]]
    assert all(len(t) <= 3000 for t in texts)
    assert sum(t.startswith("line ") for t in texts) == 120, "no content lost"


def test_update_waits_for_the_original_and_only_the_latest_edit_is_sent(runtime, slack, database):
    with database.session() as s:
        root = outbox.post(s, channel="C0001", text="v1", now=runtime.clock.now())
        outbox.update(s, root, text="v2", now=runtime.clock.now())
        outbox.update(s, root, text="v3", now=runtime.clock.now())
        reply = outbox.post(s, channel="C0001", text="in thread", now=runtime.clock.now(), thread_of=root)
        reply_id = reply.id
    runtime.sender.deliver_due()
    runtime.sender.deliver_due()
    posted = slack.calls_to("chat.postMessage")
    updates = slack.calls_to("chat.update")
    assert [u.params["text"] for u in updates] == ["v3"]
    assert updates[0].params["ts"] == posted[0].params.get("ts") or posted[0].params["channel"] == "C0001"
    thread = [p for p in slack.posted() if p.get("thread_ts")]
    assert len(thread) == 1 and thread[0]["text"] == "in thread"
    with database.session() as s:
        root_row = s.get(OutboxMessage, root.id)
        assert thread[0]["thread_ts"] == root_row.ts
        assert updates[0].params["ts"] == root_row.ts
        assert s.get(OutboxMessage, reply_id).status == "sent"


def test_expired_lease_of_a_crashed_sender_is_taken_over(runtime, clock, database, slack):
    row_id = _post(runtime, text="in flight")
    with database.session() as s:
        row = s.get(OutboxMessage, row_id)
        row.status, row.locked_until = "sending", clock.now() + timedelta(minutes=2)
    assert runtime.sender.deliver_due().sent == 0, "another sender holds the lease"
    clock.advance(minutes=3)
    assert runtime.sender.deliver_due().sent == 1


def test_chart_upload_uses_the_two_step_external_upload(runtime, slack, database):
    with database.session() as s:
        root = outbox.post(s, channel="C0001", text="digest", now=runtime.clock.now())
        outbox.upload(
            s,
            channel="C0001",
            filename="chart.png",
            content=b"\x89PNG fake",
            now=runtime.clock.now(),
            title="Chart",
            thread_of=root,
        )
    runtime.sender.deliver_due()
    runtime.sender.deliver_due()
    step1 = slack.calls_to("files.getUploadURLExternal")
    step2 = slack.calls_to("files.completeUploadExternal")
    assert len(step1) == 1 and len(step2) == 1
    assert step1[0].params["filename"] == "chart.png"
    assert list(slack.uploads.values()) == [b"\x89PNG fake"]
    assert step2[0].params["channel_id"] == "C0001"
    assert step2[0].params.get("thread_ts")
