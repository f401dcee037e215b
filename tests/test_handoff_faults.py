"""A worker killed (SIGKILL) while it files handed-off tickets loses none and files none twice: what it had
committed carries its request's signature, what it had claimed waits for its lease and is then filed by the
next worker (bot/handoff.py; issue 17, "Delivery and jobs")."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app import create_app
from bot.handoff import LEASE_SECONDS, Runner, worker_started
from rituals.tickets.models import Ticket
from tests.test_handoff import waiting

COUNT = 200


def _until(predicate, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _filed(database) -> list[tuple[str, str]]:
    with database.session() as s:
        return [(t.summary, t.key) for t in s.scalars(select(Ticket).order_by(Ticket.id))]


def test_kill_9_of_the_worker_while_it_files_loses_and_duplicates_nothing(
    signed, slack, settings, database, clock, runtime
):
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        env=slack.process_env(settings.database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    killed = False
    try:
        assert _until(lambda: worker_started(database)), "the worker never said it runs"
        for n in range(COUNT):  # the web process records each and answers at once
            assert signed.command("/ticket", f"1 Ticket {n}").json()["text"] == "Filing the ticket…"
            if not killed and n >= 40 and len(_filed(database)) >= 20:
                # SIGKILL mid-batch, while requests still arrive: its claims stay leased, and what comes after
                # waits for the next worker (the web process still sees the dead one's last beat)
                worker.kill()
                killed = True
        assert killed or _until(lambda: len(_filed(database)) >= 20), "the worker filed nothing"
    finally:
        worker.kill()
        _, err = worker.communicate(timeout=30)
    by_the_dead = len(_filed(database))
    assert by_the_dead < COUNT, "killed too late to prove anything"
    clock.set(datetime.now(UTC) + timedelta(seconds=LEASE_SECONDS + 1))  # the dead worker's lease has run out
    other = Runner(create_app(settings, runtime=runtime, handoff=False), database, clock.now)
    while other.run_due():
        pass
    filed = _filed(database)
    assert sorted(summary for summary, _ in filed) == sorted(f"Ticket {n}" for n in range(COUNT)), err.decode()[-2000:]
    assert len({key for _, key in filed}) == COUNT  # one key each
    assert waiting(database) == 0
    slack.wait_until(lambda d: len(d.responses()) >= COUNT - 5, timeout=30)
    replies = Counter(r["text"].split("`")[1] for r in slack.responses() if r["text"].startswith("Filed"))
    assert max(replies.values()) == 1  # none told twice (a reply the killed worker had not sent yet is lost)
