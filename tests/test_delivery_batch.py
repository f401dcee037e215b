"""The sender claims a round's rows in one statement and one commit and writes a lane's outcomes in one
commit, without giving up exactly-once: two senders never both take a row (on PostgreSQL the second skips
rows the first is claiming instead of waiting), a sender that dies between the claim and the outcome leaves
its rows to be taken over in doubt and looked up, and rows a lane did not attempt are given back."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from bot import leases, outbox
from bot.models import OutboxMessage
from bot.sender import OUTBOX_EVENT
from bot.wiring import build_runtime

CHANNELS = ["C0001", "C0002", "C0003", "C0004"]


def _post(runtime, channel="C0001", text="hello"):
    with runtime.database.session() as s:
        return outbox.post(s, channel=channel, text=text, now=runtime.clock.now()).id


def _seen_in_slack(slack):
    return Counter(m["text"] for messages in slack.history.values() for m in messages)


def _claim(runtime, ids, owner):
    return leases.claim(
        runtime.database,
        ids,
        runtime.clock.now(),
        owner=owner,
        lease=runtime.sender.lease,
        rate_limited=lambda team_id, method: False,
    )


class WriteCommits:
    """Commits of transactions that wrote (the durable ones), counted on the engine."""

    def __init__(self, engine) -> None:
        self.count = 0
        self._engine = engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            conn.info["wrote"] = True

    def _commit(self, conn) -> None:
        if conn.info.pop("wrote", False):
            self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)
        event.remove(self._engine, "commit", self._commit)


def test_a_lane_of_rows_costs_one_claim_commit_and_one_outcome_commit(runtime, database, slack):
    for n in range(5):
        _post(runtime, text=f"step {n}")
    commits = WriteCommits(database.engine)
    try:
        report = runtime.sender.deliver_due()
    finally:
        commits.close()
    assert report.sent == 5
    assert [p["text"] for p in slack.posted("C0001")] == [f"step {n}" for n in range(5)]
    assert commits.count == 2, "one claim and one outcome commit for the five rows, not two per row"


def test_two_senders_at_once_deliver_every_row_once(settings, clock, database, slack):
    first = build_runtime(settings, clock=clock, database=database)
    second = build_runtime(settings, clock=clock, database=database)
    for round_ in range(3):
        for channel in CHANNELS:
            _post(first, channel=channel, text=f"{round_} to {channel}")
    start = threading.Barrier(2)
    reports = []

    def deliver(rt):
        start.wait()
        reports.append(rt.sender.deliver_due())

    threads = [threading.Thread(target=deliver, args=(rt,)) for rt in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    assert _seen_in_slack(slack) == {f"{r} to {c}": 1 for r in range(3) for c in CHANNELS}
    for channel in CHANNELS:
        assert [p["text"] for p in slack.posted(channel)] == [f"{r} to {channel}" for r in range(3)]


def test_a_row_claimed_by_one_sender_is_not_claimed_by_another(runtime):
    ids = [_post(runtime, channel=c) for c in CHANNELS]
    taken, _ = _claim(runtime, ids[:2], "sender-a")
    assert [r.id for r in taken] == ids[:2]
    again, _ = _claim(runtime, ids, "sender-b")
    assert [r.id for r in again] == ids[2:], "sender-b takes only the rows nobody holds"


def test_a_claim_skips_rows_another_sender_is_still_claiming_on_postgresql(runtime, database):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) are PostgreSQL's; SQLite has one writer")
    ids = [_post(runtime, channel=c) for c in CHANNELS]
    claimed: list[list[int]] = []
    with database.engine.connect() as other:  # another sender's claim transaction, between its lock and commit
        other.execute(text("SELECT id FROM outbox WHERE id IN (:a, :b) FOR UPDATE").bindparams(a=ids[0], b=ids[1]))
        worker = threading.Thread(target=lambda: claimed.append([r.id for r in _claim(runtime, ids, "sender-b")[0]]))
        worker.start()
        worker.join(timeout=30)
        locked_while_claiming = worker.is_alive()
        other.rollback()
    worker.join(timeout=30)
    assert not locked_while_claiming, "the claim waited for the other sender's lock instead of skipping its rows"
    assert claimed == [ids[2:]]
    later, _ = _claim(runtime, ids, "sender-c")
    assert [r.id for r in later] == ids[:2], "rows skipped while locked are claimed once the lock is gone"


def test_a_sender_that_dies_between_its_posts_and_their_outcome_commit_costs_no_duplicate(
    settings, clock, database, slack, monkeypatch
):
    dying = build_runtime(settings, clock=clock, database=database)
    survivor = build_runtime(settings, clock=clock, database=database)
    ids = [_post(dying, channel=c, text=f"to {c}") for c in CHANNELS[:2]]

    def killed(*args, **kwargs):
        raise RuntimeError("process killed before the outcome commit")

    with monkeypatch.context() as patch:  # both posts reach Slack, then the process dies before recording them
        patch.setattr(leases, "record", killed)
        patch.setattr(leases, "release", killed)
        dying.sender.deliver_due()
    assert len(slack.calls_to("chat.postMessage")) == 2
    with database.session() as s:
        assert {s.get(OutboxMessage, i).status for i in ids} == {"sending"}, "no outcome was written"
    assert survivor.sender.deliver_due().sent == 0, "held until the dead sender's lease runs out"
    clock.advance(dying.sender.lease + timedelta(seconds=1))
    assert survivor.sender.deliver_due().sent == 2, "taken over in doubt and found in the channels' history"
    assert len(slack.calls_to("chat.postMessage")) == 2, "nothing was posted again"
    assert _seen_in_slack(slack) == {f"to {c}": 1 for c in CHANNELS[:2]}
    with database.session() as s:
        rows = [s.get(OutboxMessage, i) for i in ids]
        assert all(r.status == "sent" and r.ts and not r.in_doubt for r in rows)


def test_a_row_claimed_by_a_sender_that_died_before_sending_it_is_sent_once_after_the_lease(
    runtime, clock, database, slack
):
    landed, unsent = _post(runtime, channel="C0001", text="landed"), _post(runtime, channel="C0002", text="unsent")
    taken, _ = _claim(runtime, [landed, unsent], "dead-host:4242")  # one claim, then the process died
    assert [r.id for r in taken] == [landed, unsent]
    event = {"event_type": OUTBOX_EVENT, "event_payload": {"outbox_id": landed}}
    landed_ts = slack.add_message("C0001", "landed", metadata=event)  # its first post had reached Slack
    assert runtime.sender.deliver_due().sent == 0
    clock.advance(runtime.sender.lease + timedelta(seconds=1))
    assert runtime.sender.deliver_due().sent == 2
    assert [p["text"] for p in slack.posted()] == ["unsent"]
    assert _seen_in_slack(slack) == {"landed": 1, "unsent": 1}
    with database.session() as s:
        assert (s.get(OutboxMessage, landed).status, s.get(OutboxMessage, landed).ts) == ("sent", landed_ts)
        assert s.get(OutboxMessage, unsent).status == "sent"


def test_rows_a_lane_did_not_attempt_after_a_429_are_given_back_uncounted(runtime, slack, clock, database):
    ids = [_post(runtime, text=f"step {n}") for n in range(3)]
    slack.fail_next("chat.postMessage", status=429, retry_after=5)
    runtime.sender.deliver_due()
    with database.session() as s:
        rows = [s.get(OutboxMessage, i) for i in ids]
        assert [(r.status, r.attempts) for r in rows] == [("pending", 0)] * 3, "a 429 counts no attempt"
        assert all(r.locked_until is None for r in rows)
    clock.advance(seconds=5)
    assert runtime.sender.deliver_due().sent == 3
    assert [p["text"] for p in slack.posted("C0001")] == [f"step {n}" for n in range(3)]
