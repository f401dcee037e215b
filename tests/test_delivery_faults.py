"""A sender that dies mid-send costs seconds and no duplicate: its short lease runs out, the next sender
takes the rows over and checks the channel's history for the ones that landed; a live sender's
heartbeat keeps its lease however long Slack takes."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import outbox
from bot.models import OutboxMessage
from bot.sender import OUTBOX_EVENT, OutboxSender
from bot.wiring import build_runtime

CHANNELS = ["C0001", "C0002", "C0003", "C0004", "C0005", "C0006"]


def _post(runtime, channel="C0001", text="hello"):
    with runtime.database.session() as s:
        return outbox.post(s, channel=channel, text=text, now=runtime.clock.now()).id


def _seen_in_slack(slack):
    """How many times each text is in a conversation, as people in Slack see it."""
    return Counter(m["text"] for messages in slack.history.values() for m in messages)


def test_rows_of_a_sender_that_died_are_delivered_once_after_its_lease(runtime, clock, database, slack):
    landed, lost, waiting = (_post(runtime, channel=c, text=f"to {c}") for c in CHANNELS[:3])
    with database.session() as s:  # a sender claimed two rows and died; one of its posts had landed
        for row_id in (landed, lost):
            row = s.get(OutboxMessage, row_id)
            row.status, row.attempts, row.lease_owner = "sending", 1, "dead-host:4242"
            row.locked_until = clock.now() + runtime.sender.lease
    event = {"event_type": OUTBOX_EVENT, "event_payload": {"outbox_id": landed}}
    landed_ts = slack.add_message("C0001", "to C0001", metadata=event)
    assert runtime.sender.deliver_due().sent == 1, "the row nobody held goes at once"
    assert runtime.sender.deliver_due().sent == 0, "the dead sender's rows wait for its lease"
    clock.advance(runtime.sender.lease + timedelta(seconds=1))
    assert runtime.sender.deliver_due().sent == 2
    assert _seen_in_slack(slack) == {f"to {c}": 1 for c in CHANNELS[:3]}
    assert [p["text"] for p in slack.posted()] == ["to C0003", "to C0002"]
    with database.session() as s:
        row = s.get(OutboxMessage, landed)
        assert (row.status, row.ts) == ("sent", landed_ts)
        assert s.get(OutboxMessage, lost).status == "sent" and s.get(OutboxMessage, waiting).status == "sent"


def test_a_live_senders_heartbeat_keeps_its_lease_while_slack_is_slow(settings, clock, database, slack):
    busy = build_runtime(settings, clock=clock, database=database)
    other = build_runtime(settings, clock=clock, database=database)
    row_id = _post(busy, text="slow")
    slack.hang_next("chat.postMessage", lands=True)
    sending = threading.Thread(target=busy.sender.deliver_due)
    sending.start()
    try:
        assert slack.wait_until(lambda d: len(d.posted()) == 1)
        for _ in range(4):  # far past the lease, but renewed
            clock.advance(busy.sender.lease * 0.6)
            busy.sender.heartbeat()
            assert other.sender.deliver_due().sent == 0
    finally:
        slack.release()
        sending.join(timeout=30)
    assert [p["text"] for p in slack.posted()] == ["slow"]
    with database.session() as s:
        assert s.get(OutboxMessage, row_id).status == "sent"


def test_the_heartbeat_runs_by_itself_while_a_call_is_in_flight(runtime, clock, database, slack):
    sender = OutboxSender(database, runtime.clients, clock, lease=timedelta(seconds=0.3))
    other = build_runtime(runtime.settings, clock=clock, database=database)
    _post(runtime, text="slow")
    slack.hang_next("chat.postMessage", lands=True)
    sending = threading.Thread(target=sender.deliver_due)
    sending.start()
    try:
        assert slack.wait_until(lambda d: len(d.posted()) == 1)
        clock.advance(minutes=5)
        beats = sender.heartbeats.count
        assert sender.heartbeats.wait_for(beats + 1, timeout=10)
        assert other.sender.deliver_due().sent == 0, "the lease was renewed against the new time"
    finally:
        slack.release()
        sending.join(timeout=30)
    assert [p["text"] for p in slack.posted()] == ["slow"]


def test_kill_9_of_the_worker_mid_delivery_loses_and_duplicates_nothing(settings, clock, database, slack):
    rt = build_runtime(settings, clock=clock, database=database)
    for channel in CHANNELS:
        _post(rt, channel=channel, text=f"to {channel}")
    slack.hang_next("chat.postMessage", lands=True)  # Slack posts it; the answer never comes back
    slack.hang_next("chat.postMessage", lands=False)  # lost on the way
    slack.hang_next("chat.postMessage", lands=True, times=len(CHANNELS))
    env = slack.process_env(settings.database_url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        in_flight = slack.wait_until(lambda d: len(d.calls_to("chat.postMessage", ok_only=False)) >= 2, timeout=60)
    finally:
        worker.kill()  # SIGKILL: no cleanup, its rows stay claimed
        worker.wait(timeout=30)
        slack.release()
    assert in_flight, worker.stderr.read().decode() if worker.stderr else ""
    clock.set(datetime.now(UTC))
    rt.sender.deliver_due()  # rows the dead worker never claimed go at once
    clock.advance(rt.sender.lease + timedelta(seconds=1))
    rt.sender.deliver_due()
    assert _seen_in_slack(slack) == {f"to {c}": 1 for c in CHANNELS}
    with database.session() as s:
        rows = s.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"sent"} and all(r.ts for r in rows)
