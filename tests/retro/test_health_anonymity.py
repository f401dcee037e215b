"""Issue 21, after tests/retro/test_anonymity_adversary.py: an adversary holding every table (outbox included)
and the DEBUG logs cannot tell who gave which health check scores. Four people answer with scores that
tell them apart; the adversary's strategies must find nothing:

- a row or log line naming both a person and an answer (a score given to a question);
- order: the stored counts depend on the answers, never on who answered first (two retros get the same
  answers in opposite orders and their health rows are identical, each retro's stored in key order);
- time: no health row is dated, no message is posted or edited per answer;
- a log line singling out one person while answers were being written.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import inspect, select

from bot.config import Settings
from bot.models import OutboxMessage
from tests.retro.driver import select as choose
from tests.retro.driver import text_input
from tests.retro.test_anonymity_adversary import PEOPLE, debug_logs, dump  # noqa: F401 - the fixture
from tests.retro.test_health import QUESTIONS, answer

ADA, GRACE, RAVI, LINUS = PEOPLE
ANSWERS = {  # each person's scores are theirs alone
    ADA: [5, 1, 4],
    GRACE: [2, 5, 1],
    RAVI: [4, 2, 5],
    LINUS: [1, 4, 2],
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    retro = {"health": {"questions": QUESTIONS, "templates": ["wwi"]}}
    return replace(settings, file={**settings.file, "retro": retro})


def _outbox(database) -> int:
    with database.session() as s:
        return len(s.scalars(select(OutboxMessage.id)).all())


def test_an_adversary_with_the_database_and_debug_logs_cannot_link_health_answers(
    retro,
    database,
    debug_logs,  # noqa: F811
):
    named_in_step: list[set[str]] = []
    for rid, order in ((1, PEOPLE), (2, tuple(reversed(PEOPLE)))):
        retro.command(f"start Sprint {rid}")
        for who in order:
            first, messages = len(debug_logs.records), _outbox(database)
            sent = answer(retro, rid, who, ANSWERS[who])
            assert sent["view"]["title"]["text"] == "Health check sent"
            assert _outbox(database) == messages, "no message is posted or edited per answer"
            named_in_step.append({p for p in PEOPLE if any(p in r.getMessage() for r in debug_logs.records[first:])})
        retro.press("retro.add_item", str(rid), user=ADA)
        retro.submit(retro.last_opened_view(), {"column": choose("ideas"), "text": text_input("Demos")}, ADA)
        retro.press("retro.advance", f"{rid}:collect", user=ADA)
        if rid == 1:
            retro.command("abandon", user=ADA)  # put aside: the second retro runs in the same channel
    tables, logs = dump(database), [r.getMessage() for r in debug_logs.records]
    assert any("retro.health_modal" in m for m in logs), "the DEBUG logs were captured"

    # 1. no row and no log line names a person together with a score they gave
    health_tables = {"retro_health_scores", "retro_health_respondents"}
    respondents = tables["retro_health_respondents"]
    assert {r[1] for r in respondents} == set(PEOPLE) and all(len(r) == 2 for r in respondents), "who, nothing more"
    for row in tables["retro_health_scores"]:
        assert not any(p in v for p in PEOPLE for v in row)
    columns = {c["name"] for t in health_tables for c in inspect(database.engine).get_columns(t)}
    assert not any("at" == c[-2:] or "time" in c or "created" in c for c in columns), columns
    for line in (line for m in logs for line in re.split(r"\\n|\n", m)):
        if any(p in line for p in PEOPLE):
            assert "retro.health_modal" not in line and '"health.' not in line, line[:300]

    # 2. order: the same answers in opposite orders leave identical rows, stored in key order
    scores = tables["retro_health_scores"]
    by_retro = {rid: [row[1:] for row in scores if row[0] == rid] for rid in ("1", "2")}
    assert by_retro["1"] == by_retro["2"] and len(by_retro["1"]) == len(QUESTIONS) * 5
    for rid in ("1", "2"):  # each retro's rows in key order; PostgreSQL may reuse freed slots across retros
        keys = [r[:3] for r in scores if r[0] == rid]
        assert keys == sorted(keys, key=lambda k: tuple(int(x) for x in k))
    totals = {(row[1], row[2]): int(row[4]) for row in scores if row[0] == "1"}
    for n in range(len(QUESTIONS)):
        assert sorted(totals[(str(n), str(v))] for v in range(1, 6)) == [0, 1, 1, 1, 1]

    # 3. the logs of each answer read the same whoever answered: they name the same people
    assert all(named == named_in_step[0] for named in named_in_step), named_in_step
