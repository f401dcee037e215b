"""Simultaneous filings through the signed endpoint (run on PostgreSQL in CI, where the key race
showed): every request files, keys are distinct, a duplicate project is "already exists", and no
database lock is held while a tracker answers.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from rituals.tickets.models import Ticket, TicketProject
from tests.tickets.conftest import jira_config


def _at_once(signed: Any, texts: list[str], channel: str = "C0001") -> list[dict[str, Any]]:
    """Send the commands from as many threads, released together by a barrier."""
    barrier = threading.Barrier(len(texts))

    def send(n: int) -> dict[str, Any]:
        barrier.wait()
        response = signed.command("/ticket", texts[n], user=f"U000{n % 3 + 1}", channel=channel)
        assert response.status_code == 200
        return response.json()

    with ThreadPoolExecutor(len(texts)) as pool:
        return list(pool.map(send, range(len(texts))))


def test_simultaneous_one_liners_all_file_with_distinct_keys(tickets, signed, database):
    answers: list[dict[str, Any]] = []
    for round_ in range(3):  # the race needs overlap; three rounds of four make it show every time
        answers += _at_once(signed, [f"1 Hypothesis {round_}.{n}" for n in range(4)])
    texts = [a["text"] for a in answers]
    assert all(t.startswith("Filed `DS-") for t in texts), texts
    with database.session() as s:
        keys = s.scalars(select(Ticket.key)).all()
    assert sorted(keys, key=lambda k: int(k.split("-")[1])) == [f"DS-{n}" for n in range(1, 13)]
    assert sorted(t.split("`")[1] for t in texts) == sorted(keys)


def test_simultaneous_projects_with_the_same_name_file_one_checklist(tickets, signed, database):
    answers = _at_once(signed, ["project Same name", "project Same name"])
    texts = sorted(a["text"] for a in answers)
    assert texts[0].startswith("Project *Same name* already exists: 6 of 6 stage tickets (0 new)."), texts
    assert texts[1].startswith("Project *Same name*: 6 of 6 stage tickets."), texts
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(TicketProject)) == 1
        assert s.scalar(select(func.count()).select_from(Ticket)) == 6


@pytest.fixture
def tickets_file(request):
    if "jira" not in request.fixturenames:
        return {}
    server = request.getfixturevalue("jira")
    return {
        "trackers": {
            "default": "builtin",
            "channels": {"C0002": "jira"},
            "timeout_seconds": 10,
            "jira": jira_config(server),
        }
    }


@pytest.fixture
def tickets_env():
    return {"JIRA_API_TOKEN": "jira-token"}


def test_a_slow_jira_holds_no_lock_over_a_built_in_filing_elsewhere(tickets, signed, jira, database):
    jira.gate_next()
    answers: list[dict[str, Any]] = []
    jira_filing = threading.Thread(
        target=lambda: answers.append(signed.command("/ticket", "1 Size churn", channel="C0002").json())
    )
    jira_filing.start()
    assert jira.entered.wait(20), "the Jira filing reached Jira"
    built_in = signed.command("/ticket", "1 Pull the logs", channel="C0001").json()
    still_waiting = jira_filing.is_alive()
    jira.gate.set()
    jira_filing.join(30)
    assert built_in["text"] == "Filed `DS-1` · Pull the logs in *Business case*."
    assert still_waiting, "the built-in filing did not wait for Jira's answer"
    assert answers[0]["text"].startswith(f"Filed <{jira.url}/browse/DS-101|DS-101>"), answers
