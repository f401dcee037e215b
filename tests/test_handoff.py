"""Writes handed to the worker (bot/handoff.py; issue 17, "Writes that keep up"): while a worker runs, the web
process records a one-line ticket or a vote in the request's commit and answers at once; the worker files it
through the same listeners and answers by response_url, once, even when it dies on the way."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.handoff import ALIVE_SECONDS, LEASE_SECONDS, HandedOff, Runner, open_store
from rituals.tickets.models import Ticket
from tests.retro.seed import seed
from tests.slack.signed import sign


@pytest.fixture
def runner(settings, runtime, database, clock) -> Runner:
    """The worker's side, on the same database; its beat tells the web process a worker runs."""
    worker = Runner(create_app(settings, runtime=runtime, handoff=False), database, clock.now)
    worker.beat()
    return worker


def waiting(database) -> int:
    store = open_store(database, create=False)
    if store is None:
        return 0
    try:
        with store.session() as s:
            return s.scalar(select(func.count()).select_from(HandedOff)) or 0
    finally:
        if store is not database:
            store.dispose()


def tickets(database) -> list[str]:
    with database.session() as s:
        return [t.summary for t in s.scalars(select(Ticket).order_by(Ticket.id))]


def test_a_one_line_ticket_is_recorded_at_once_and_filed_by_the_worker(signed, slack, database, runner):
    answer = signed.command("/ticket", "1 Baseline &amp; a smaller learning rate")
    assert answer.json() == {"response_type": "ephemeral", "text": "Filing the ticket…"}
    assert tickets(database) == [] and waiting(database) == 1  # recorded, not filed
    assert runner.run_due() == 1
    assert tickets(database) == ["Baseline & a smaller learning rate"]  # decoded once, as in the request
    assert waiting(database) == 0
    assert slack.wait_until(lambda d: len(d.responses()) == 1)
    assert slack.responses()[0]["text"].startswith("Filed `DS-1`")
    assert runner.run_due() == 0  # nothing runs twice


def test_a_user_mistake_is_answered_by_response_url_and_nothing_is_kept(signed, slack, database, runner):
    assert signed.command("/ticket", "nosuchstage Something").json()["text"] == "Filing the ticket…"
    assert runner.run_due() == 1
    assert slack.wait_until(lambda d: len(d.responses()) == 1)
    assert "stage" in slack.responses()[0]["text"].lower()
    assert slack.responses()[0]["response_type"] == "ephemeral"
    assert tickets(database) == [] and waiting(database) == 0


def test_a_vote_is_counted_by_the_worker(signed, slack, database, clock, deliver, runner):
    ids = seed(database, clock, deliver, "vote")
    assert signed.action("retro.vote", f"{ids['retro']}:{ids['named']}", user="U0003").status_code == 200
    assert slack.responses() == [] and waiting(database) == 1
    assert runner.run_due() == 1
    assert slack.wait_until(lambda d: len(d.responses()) == 1)
    assert slack.responses()[0]["text"] == "Vote counted (only you see this). You have 2 votes left."


def test_without_a_running_worker_the_request_files_itself(signed, database, runner, clock):
    clock.advance(timedelta(seconds=ALIVE_SECONDS + 1))  # the worker's last beat is too old
    assert signed.command("/ticket", "1 Baseline").json()["text"].startswith("Filed `DS-1`")
    assert waiting(database) == 0


def test_a_worker_that_dies_before_its_commit_leaves_the_request_to_the_next_once(
    signed, slack, database, clock, runner, settings, runtime
):
    for n in range(3):
        signed.command("/ticket", f"1 Ticket {n}")
    claimed = runner._claim()  # the first worker claims all three and dies before running any
    assert len(claimed) == 3
    other = Runner(create_app(settings, runtime=runtime, handoff=False), database, clock.now)
    assert other.run_due() == 0  # leased: not run twice while the first may still be at it
    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    assert other.run_due() == 3
    assert tickets(database) == ["Ticket 0", "Ticket 1", "Ticket 2"]
    assert other.run_due() == 0 and waiting(database) == 0
    assert slack.wait_until(lambda d: len(d.responses()) == 3)


def test_a_request_that_keeps_crashing_is_dropped_with_a_message(signed, slack, database, clock, runner, monkeypatch):
    signed.command("/ticket", "1 Poison")
    monkeypatch.setattr(runner._app, "dispatch", lambda req: (_ for _ in ()).throw(RuntimeError("crash")))
    for _ in range(3):
        assert runner.run_due() == 1
        clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    assert runner.run_due() == 1  # the fourth attempt gives up
    assert waiting(database) == 0
    assert slack.wait_until(lambda d: len(d.responses()) == 1)
    assert slack.responses()[0]["text"].startswith("Sorry, that request failed three times")


def test_a_worker_that_dies_after_its_commit_does_not_file_twice(signed, database, clock, runner, settings, runtime):
    signed.command("/ticket", "1 Only once")
    for row in runner._claim():
        runner._run_one(*row)  # filed and committed...
    runner._done.clear()  # ...and the worker dies before removing the stored request
    assert waiting(database) == 1
    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    other = Runner(create_app(settings, runtime=runtime, handoff=False), database, clock.now)
    assert other.run_due() == 1  # claimed, found carried out by its signature, removed
    assert tickets(database) == ["Only once"] and waiting(database) == 0


def test_a_replayed_request_is_refused_before_and_after_the_worker_ran_it(signed, database, runner):
    form = urlencode({"team_id": "T0001", "channel_id": "C0001", "user_id": "U0001", "command": "/ticket",
                      "text": "1 Replayed", "response_url": signed.response_url})  # fmt: skip
    timestamp = int(time.time())
    signature = sign(signed.secret, str(timestamp), form)

    def send():  # noqa: ANN202
        return signed.post(form, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature)

    assert send().json()["text"] == "Filing the ticket…"
    replay = send()  # waiting for the worker: the stored signature refuses it (no second row)
    assert replay.status_code in (200, 401) and "Filing" not in replay.text
    assert waiting(database) == 1
    runner.run_due()
    assert send().status_code == 401  # carried out: its signature is recorded like any request's
    assert tickets(database) == ["Replayed"]
