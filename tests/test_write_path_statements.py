"""The write paths the ack benchmark loads (issue 17, "Writes that keep up"): a one-line builtin ticket and a
retro vote by a known member run in the request itself (no lane, one unit of work), within a budget of
statements, and a ticket key is not held by a filing that has not committed yet (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event

from bot.db import Database
from bot.request_guard import THREAD as GUARD_THREAD
from rituals.tickets import service
from rituals.tickets.setup import TicketSetup
from tests.conftest import PG_URL
from tests.retro.seed import seed


@dataclass
class Seen:
    statements: list[tuple[str, str]] = field(default_factory=list)  # (thread, first line)
    commits: int = 0

    def by_lanes(self) -> list[str]:
        return [sql for thread, sql in self.statements if thread.startswith("deferred-")]


@contextmanager
def recorded(database: Database) -> Iterator[Seen]:
    """Every statement and commit on the app's engine while the block runs (no sender runs in tests), but the
    replay guard's own thread's: its once-a-minute prune (the first request of a process asks for one) lands
    in the block or not, as the machine schedules it."""
    seen = Seen()

    def statement(conn, cursor, sql, params, context, executemany) -> None:  # noqa: ANN001 — SQLAlchemy's
        if threading.current_thread().name != GUARD_THREAD:
            seen.statements.append((threading.current_thread().name, sql.split("\n")[0]))

    def commit(conn) -> None:  # noqa: ANN001
        if threading.current_thread().name != GUARD_THREAD:
            seen.commits += 1

    event.listen(database.engine, "before_cursor_execute", statement)
    event.listen(database.engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", statement)
        event.remove(database.engine, "commit", commit)


def test_a_one_line_builtin_ticket_is_filed_in_the_request_in_one_unit_of_work(signed, database):
    assert signed.command("/ticket", "1 Baseline on last quarter").json()["text"].startswith("Filed `DS-1`")
    with recorded(database) as seen:
        answer = signed.command("/ticket", "1 Try a smaller learning rate")
    assert answer.json()["text"].startswith("Filed `DS-2`")
    assert seen.by_lanes() == []  # the builtin tracker calls nothing out: no trackers lane, no second session
    # was 14 statements and 2 commits in two threads; PostgreSQL takes the key in a short transaction of its own
    assert len(seen.statements) <= (10 if PG_URL else 9), seen.statements
    assert seen.commits == (2 if PG_URL else 1)


def test_a_vote_by_a_known_member_runs_in_the_request_and_is_answered_after_its_commit(
    signed, slack, database, clock, deliver
):
    ids = seed(database, clock, deliver, "vote")  # U0001 and U0003 have not voted yet
    assert signed.action("retro.vote", f"{ids['retro']}:{ids['named']}", user="U0001").status_code == 200
    assert len(slack.calls_to("conversations.members")) == 1  # the first press asked Slack, in the Slack lane
    with recorded(database) as seen:
        assert signed.action("retro.vote", f"{ids['retro']}:{ids['named']}", user="U0003").status_code == 200
    assert seen.by_lanes() == []  # the channel's members were known: nothing to ask
    assert len(seen.statements) <= 7, seen.statements  # was 10 statements and 2 commits in two threads
    assert seen.commits == 1
    assert len(slack.calls_to("conversations.members")) == 1
    assert [r["text"] for r in slack.responses()] == [
        "Vote counted (only you see this). You have 2 votes left.",
        "Vote counted (only you see this). You have 2 votes left.",
    ]


def test_a_refused_vote_sends_its_refusal_and_no_count(signed, slack, database, clock, deliver):
    ids = seed(database, clock, deliver, "vote")
    for item in ("named", "anonymous", "named", "anonymous"):  # three votes each
        assert signed.action("retro.vote", f"{ids['retro']}:{ids[item]}", user="U0003").status_code == 200
    answers = [r["text"] for r in slack.responses()]
    assert [a.split(". ")[0] for a in answers[:3]] == ["Vote counted (only you see this)"] * 3
    assert answers[3].startswith("You have used all 3 of your votes."), answers
    assert len(answers) == 4


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has one writer at a time")
def test_a_filing_that_has_not_committed_does_not_hold_the_next_key(signed, database, settings, clock):
    setup = TicketSetup.from_settings(settings)
    assert signed.command("/ticket", "1 First").json()["text"].startswith("Filed `DS-1`")
    with database.session() as s:
        draft = service.new_draft(
            s, team_id="T0001", user_id="U0002", channel_id="C0001", now=clock.now(), stage="1", summary="Open"
        )
        held = service.submit(s, setup, draft, now=clock.now())
        # before, the request waited on the sequence row until this transaction committed (here: never)
        answer = signed.command("/ticket", "1 Meanwhile")
        assert answer.json()["text"].startswith(f"Filed `DS-{held.ticket.number + 1}`")
