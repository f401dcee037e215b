"""Delivery when Slack is slow or says no: a timed-out post is an unknown outcome checked against the
channel's history before any resend, one hanging call does not hold the queue, 429s pause only their
workspace and method, and a dead token pauses its workspace instead of failing every message."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from slack_sdk.web import WebClient
from sqlalchemy import select

from bot import outbox
from bot.models import OutboxMessage
from bot.wiring import build_runtime

CHANNELS = ["C0001", "C0002", "C0003", "C0004", "C0005", "C0006"]


class Clients:
    """The sender's view of a workspace's installation: a token that an admin may replace, and a
    client timeout short enough that a held call times out in a test."""

    def __init__(self, token: str, base_url: str, *, timeout: float = 15) -> None:
        self.token, self.base_url, self.timeout = token, base_url, timeout

    def for_team(self, team_id: str | None, *, retries: bool = True) -> WebClient:
        return WebClient(token=self.token, base_url=self.base_url, timeout=self.timeout)


def _runtime(settings, clock, database, slack, **clients):
    return build_runtime(
        settings, clock=clock, database=database, clients=Clients(slack.token, slack.base_url, **clients)
    )


def _post(runtime, channel="C0001", text="hello", **kwargs):
    with runtime.database.session() as s:
        return outbox.post(s, channel=channel, text=text, now=runtime.clock.now(), **kwargs).id


def _row(database, row_id):
    with database.session() as s:
        return s.get(OutboxMessage, row_id)


def _texts(slack, channel=None):
    return sorted(p["text"] for p in slack.posted(channel))


# -- a call that times out is an unknown outcome ---------------------------------------------------


def test_a_post_that_timed_out_after_landing_is_recorded_not_sent_again(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack, timeout=0.3)
    row_id = _post(rt, text="once")
    slack.hang_next("chat.postMessage", lands=True)
    first = rt.sender.deliver_due()
    slack.release()
    assert (first.sent, first.failed) == (0, 0)
    clock.advance(minutes=1)
    second = rt.sender.deliver_due()
    assert second.sent == 1
    assert _texts(slack) == ["once"], "the message that landed is not posted again"
    landed = slack.calls_to("chat.postMessage")[0].params
    assert landed["metadata"] == {"event_type": "ritualbot_outbox", "event_payload": {"outbox_id": row_id}}
    lookups = slack.calls_to("conversations.history")
    assert len(lookups) == 1 and lookups[0].params["channel"] == "C0001"
    assert str(lookups[0].params["include_all_metadata"]).lower() in ("true", "1")
    assert float(lookups[0].params["oldest"]) <= clock.now().timestamp()
    row = _row(database, row_id)
    assert (row.status, row.channel) == ("sent", "C0001")
    assert row.ts == slack.history["C0001"][0]["ts"], "the ts of the message that landed, for later edits"


def test_a_post_lost_before_it_landed_is_sent_after_the_history_check(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack, timeout=0.3)
    row_id = _post(rt, text="lost once")
    slack.hang_next("chat.postMessage", lands=False)
    rt.sender.deliver_due()
    slack.release()
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == 1
    assert _texts(slack) == ["lost once"]
    assert len(slack.calls_to("conversations.history")) == 1
    assert _row(database, row_id).status == "sent"


def test_a_timed_out_dm_and_thread_reply_are_looked_up_where_they_would_have_landed(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack, timeout=0.3)
    with database.session() as s:
        root = outbox.post(s, channel="C0001", text="root", now=clock.now())
    rt.sender.deliver_due()
    with database.session() as s:
        root = s.get(OutboxMessage, root.id)
        reply_id = outbox.post(s, channel="C0001", text="reply", now=clock.now(), thread_of=root).id
    dm_id = _post(rt, channel="U0002", text="dm")
    slack.hang_next("chat.postMessage", lands=True, times=2)
    rt.sender.deliver_due()
    slack.release()
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == 2
    assert _texts(slack) == ["dm", "reply", "root"], "each exactly once"
    replies = slack.calls_to("conversations.replies")
    assert [c.params["ts"] for c in replies] == [root.ts]
    assert slack.calls_to("conversations.open")[0].params["users"] == "U0002"
    assert [c.params["channel"] for c in slack.calls_to("conversations.history")] == ["DU0002"]
    assert _row(database, dm_id).channel == "DU0002", "later edits need the IM's id"
    assert _row(database, reply_id).status == "sent"


def test_a_post_that_never_timed_out_is_not_looked_up(runtime, slack, clock):
    _post(runtime, text="plain")
    slack.fail_next("chat.postMessage", status=200, error="channel_not_found")
    _post(runtime, text="ok")
    runtime.sender.deliver_due()
    assert slack.calls_to("conversations.history") == []


# -- one slow call does not hold the queue ---------------------------------------------------------


def test_one_hanging_call_does_not_hold_the_other_messages(runtime, slack):
    for channel in CHANNELS:
        _post(runtime, channel=channel, text=f"to {channel}")
    slack.hang_next("chat.postMessage", lands=True)
    reports = []
    worker = threading.Thread(target=lambda: reports.append(runtime.sender.deliver_due()))
    worker.start()
    try:
        everything_else = slack.wait_until(lambda d: len(d.posted()) == len(CHANNELS), timeout=10)
        still_hanging = worker.is_alive()
    finally:
        slack.release()
        worker.join(timeout=30)
    assert everything_else and still_hanging, "the other channels were served while one call hung"
    assert reports[0].sent == len(CHANNELS)
    assert _texts(slack) == sorted(f"to {c}" for c in CHANNELS)


def test_messages_to_one_channel_keep_their_order(runtime, slack):
    for n in range(5):
        _post(runtime, channel="C0001", text=f"step {n}")
    _post(runtime, channel="C0002", text="elsewhere")
    assert runtime.sender.deliver_due().sent == 6
    assert [p["text"] for p in slack.posted("C0001")] == [f"step {n}" for n in range(5)]


def test_a_429_pauses_that_method_in_that_workspace_for_every_thread(runtime, slack, clock):
    for channel in CHANNELS:
        _post(runtime, channel=channel, text=f"to {channel}")
    slack.fail_next("chat.postMessage", status=429, retry_after=5, times=3)
    per_round = []
    for _ in range(6):
        before = len(slack.calls_to("chat.postMessage", ok_only=False))
        runtime.sender.deliver_due()
        calls = slack.calls_to("chat.postMessage", ok_only=False)[before:]
        per_round.append(sum(c.error == "ratelimited" for c in calls))
        before = len(slack.calls_to("chat.postMessage", ok_only=False))
        clock.advance(seconds=4)
        runtime.sender.deliver_due()
        assert len(slack.calls_to("chat.postMessage", ok_only=False)) == before, "no call while paused"
        clock.advance(seconds=1)
    assert sum(per_round) == 3
    assert max(per_round) <= runtime.sender.per_workspace, "only calls already in flight can meet the 429"
    assert _texts(slack) == sorted(f"to {c}" for c in CHANNELS)


# -- a dead token pauses its workspace ---------------------------------------------------------------


def test_a_revoked_token_pauses_the_workspace_and_a_new_token_resumes_it(settings, clock, database, slack, caplog):
    clients = Clients(slack.token, slack.base_url)
    rt = build_runtime(settings, clock=clock, database=database, clients=clients)
    ids = [_post(rt, channel=c, text=f"to {c}", team_id="T0001") for c in CHANNELS]
    slack.token = "xoxb-reinstalled"  # Slack revoked ours; an admin reinstalls and gets a new one
    with caplog.at_level(logging.INFO, logger="bot"):
        report = rt.sender.deliver_due()
        clock.advance(minutes=1)
        again = rt.sender.deliver_due()
    assert (report.failed, report.sent, again.sent) == (0, 0, 0)
    probes = slack.calls_to("chat.postMessage", ok_only=False)
    assert 1 <= len(probes) <= rt.sender.per_workspace, "the calls in flight, not one failure per message"
    paused = [r for r in caplog.records if "paused" in r.getMessage()]
    assert len(paused) == 1 and "invalid_auth" in paused[0].getMessage() and "T0001" in paused[0].getMessage()
    assert slack.token not in caplog.text and "xoxb-test-token" not in caplog.text
    with database.session() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all()
        assert {r.status for r in rows} == {"pending"}, "nothing is lost while the workspace is paused"
        assert {r.attempts for r in rows} == {0}
    clients.token = "xoxb-reinstalled"
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == len(CHANNELS)
    assert _texts(slack) == sorted(f"to {c}" for c in CHANNELS)


def test_a_token_error_is_retried_after_a_backoff_and_a_row_error_stays_permanent(runtime, slack, clock, database):
    good = _post(runtime, text="good", team_id="T0001")
    slack.fail_next("chat.postMessage", status=200, error="token_revoked")
    assert runtime.sender.deliver_due().failed == 0
    bad = _post(runtime, channel="", text="no channel", team_id="T0001")
    clock.advance(seconds=30)
    assert runtime.sender.deliver_due().sent == 0, "still in the backoff"
    assert len(slack.calls_to("chat.postMessage", ok_only=False)) == 1
    clock.advance(minutes=5)
    report = runtime.sender.deliver_due()
    assert (report.sent, report.failed, report.errors) == (1, 1, ["invalid_arguments"])
    assert _row(database, good).status == "sent"
    assert (_row(database, bad).status, _row(database, bad).last_error) == ("failed", "invalid_arguments")


def test_the_lease_is_seconds_not_minutes(runtime):
    assert runtime.sender.lease <= timedelta(seconds=30)
