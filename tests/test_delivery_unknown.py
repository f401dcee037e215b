"""Unknown outcomes beyond chat.postMessage. A chart upload whose last step (files.completeUploadExternal,
which shares the file) got no answer is looked up in the conversation by its file id before anything is
uploaded again. An ephemeral message leaves nothing to look up, so one whose outcome is unknown is never
sent again: at most once, never twice."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web import WebClient

from bot import outbox
from bot.models import OutboxMessage
from bot.wiring import build_runtime

PNG = b"\x89PNG chart"


class Clients:
    """A client timeout short enough that a held call times out in a test."""

    def __init__(self, token: str, base_url: str) -> None:
        self.token, self.base_url = token, base_url

    def for_team(self, team_id: str | None, *, retries: bool = True) -> WebClient:
        return WebClient(token=self.token, base_url=self.base_url, timeout=0.3)


def _runtime(settings, clock, database, slack):
    return build_runtime(settings, clock=clock, database=database, clients=Clients(slack.token, slack.base_url))


def _upload(rt, channel="C0001", **kwargs):
    with rt.database.session() as s:
        return outbox.upload(
            s, channel=channel, filename="chart.png", content=PNG, now=rt.clock.now(), title="Chart", **kwargs
        ).id


def _ephemeral(rt, text="only you see this"):
    with rt.database.session() as s:
        return outbox.ephemeral(s, channel="C0001", user="U0001", text=text, now=rt.clock.now()).id


def _row(database, row_id):
    with database.session() as s:
        return s.get(OutboxMessage, row_id)


def _shared(slack, channel="C0001"):
    """The files shared in a conversation, as people see them (thread replies included)."""
    return [f["id"] for m in slack.history.get(channel, []) for f in m.get("files") or []]


# -- files ---------------------------------------------------------------------------------------


def test_an_upload_that_timed_out_after_it_was_shared_is_recorded_not_uploaded_again(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack)
    row_id = _upload(rt)
    slack.hang_next("files.completeUploadExternal", lands=True)
    first = rt.sender.deliver_due()
    slack.release()
    assert (first.sent, first.failed) == (0, 0)
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == 1
    assert len(_shared(slack)) == 1, "the chart is in the channel once"
    assert len(slack.calls_to("files.getUploadURLExternal")) == 1, "nothing was uploaded again"
    assert len(slack.calls_to("files.completeUploadExternal")) == 1
    lookups = slack.calls_to("conversations.history")
    assert [c.params["channel"] for c in lookups] == ["C0001"]
    row = _row(database, row_id)
    assert (row.status, row.channel) == ("sent", "C0001")
    assert row.ts == slack.history["C0001"][0]["ts"], "the ts of the message that shares the file"


def test_an_upload_lost_before_it_was_shared_is_uploaded_again_once(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack)
    row_id = _upload(rt)
    slack.hang_next("files.completeUploadExternal", lands=False)
    rt.sender.deliver_due()
    slack.release()
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == 1
    assert len(_shared(slack)) == 1
    assert len(slack.calls_to("conversations.history")) == 1, "looked for before uploading again"
    assert list(slack.uploads.values()) == [PNG, PNG]
    assert _row(database, row_id).status == "sent"


def test_an_upload_whose_first_step_got_no_answer_is_started_again_without_a_lookup(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack)
    _upload(rt)
    slack.hang_next("files.getUploadURLExternal", lands=True)
    rt.sender.deliver_due()
    slack.release()
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == 1
    assert len(_shared(slack)) == 1, "a file is shared only by the last step, which never ran"
    assert slack.calls_to("conversations.history") == []


def test_a_threaded_upload_is_looked_up_in_its_thread(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack)
    with database.session() as s:
        root = outbox.post(s, channel="C0001", text="digest", now=clock.now())
    rt.sender.deliver_due()
    root = _row(database, root.id)
    row_id = _upload(rt, thread_of=root)
    slack.hang_next("files.completeUploadExternal", lands=True)
    rt.sender.deliver_due()
    slack.release()
    clock.advance(minutes=1)
    assert rt.sender.deliver_due().sent == 1
    assert len(_shared(slack)) == 1
    assert [c.params["ts"] for c in slack.calls_to("conversations.replies")] == [root.ts]
    assert _row(database, row_id).status == "sent"


def test_an_upload_in_flight_when_its_sender_died_after_sharing_is_not_uploaded_again(settings, clock, database, slack):
    rt = _runtime(settings, clock, database, slack)
    row_id = _upload(rt)
    slack.hang_next("files.completeUploadExternal", lands=True)
    rt.sender.deliver_due()  # times out: in doubt, with the file id it was sharing
    slack.release()
    with database.session() as s:  # then a sender took it again and died mid-send
        row = s.get(OutboxMessage, row_id)
        row.status, row.lease_owner, row.locked_until = "sending", "dead-host:1", clock.now()
    clock.advance(rt.sender.lease + timedelta(minutes=1))
    assert rt.sender.deliver_due().sent == 1
    assert len(_shared(slack)) == 1
    assert len(slack.calls_to("files.getUploadURLExternal")) == 1


# -- ephemeral messages ----------------------------------------------------------------------------


def test_an_ephemeral_message_that_timed_out_is_not_sent_again(settings, clock, database, slack, caplog):
    rt = _runtime(settings, clock, database, slack)
    row_id = _ephemeral(rt)
    slack.hang_next("chat.postEphemeral", lands=True)
    first = rt.sender.deliver_due()
    slack.release()
    clock.advance(minutes=5)
    rt.sender.deliver_due()
    assert len(slack.calls_to("chat.postEphemeral")) == 1, "shown once, never twice"
    row = _row(database, row_id)
    assert (row.status, row.in_doubt) == ("failed", True)
    assert "not sent again" in (row.last_error or "")
    assert first.failed == 1
    assert any("ephemeral" in r.getMessage() and str(row_id) in r.getMessage() for r in caplog.records)


def test_an_ephemeral_message_a_dead_sender_held_is_not_sent_again(runtime, clock, database, slack):
    row_id = _ephemeral(runtime)
    with database.session() as s:
        row = s.get(OutboxMessage, row_id)
        row.status, row.attempts, row.lease_owner = "sending", 1, "dead-host:4242"
        row.locked_until = clock.now()
    clock.advance(runtime.sender.lease + timedelta(seconds=1))
    runtime.sender.deliver_due()
    assert slack.calls_to("chat.postEphemeral", ok_only=False) == []
    assert _row(database, row_id).status == "failed"


def test_an_ephemeral_message_refused_with_a_transient_error_is_sent_again(runtime, clock, database, slack):
    row_id = _ephemeral(runtime)
    slack.fail_next("chat.postEphemeral", status=200, error="internal_error")
    runtime.sender.deliver_due()
    clock.advance(minutes=1)
    assert runtime.sender.deliver_due().sent == 1, "Slack said no: nothing was shown, so it goes again"
    assert len(slack.calls_to("chat.postEphemeral")) == 1
    assert _row(database, row_id).status == "sent"
