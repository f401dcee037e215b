"""Issue 16: an adversary holding a full dump of every table (outbox included) and the logs at DEBUG
cannot tell who wrote an anonymous item. Four people add named and anonymous items interleaved; the
adversary's strategies are each tried and must find nothing better than chance:

- a row or log line naming both an anonymous item (its id, text, hash or secret) and a person;
- time: anything dated at an anonymous item's addition (item timestamps, the root's edit history);
- order: item ids or storage order following creation order (so "the item after Ravi's join");
- a log line singling out one person while items were being written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from bot import outbox
from bot.models import OutboxMessage
from rituals.retro.models import RetroItem
from tests.retro.driver import checked, metadata, text_input
from tests.retro.driver import select as choose

ADA, GRACE, RAVI, LINUS = PEOPLE = ("U0001", "U0002", "U0003", "U0004")
SCRIPT = [  # (who, column, text, anonymous): named and anonymous, in an order that would give them away
    (GRACE, "went_well", "Fast CI", False),
    (RAVI, "to_improve", "On-call is chaos", True),
    (LINUS, "to_improve", "Nobody reviews my PRs", True),
    (ADA, "ideas", "Demo Fridays", False),
    (GRACE, "to_improve", "Standups run long", True),
    (RAVI, "went_well", "Eval dashboards", False),
    (ADA, "to_improve", "Too many meetings", True),
    (LINUS, "ideas", "Pair on data loaders", False),
]


@pytest.fixture
def debug_logs(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """LOG_LEVEL=DEBUG as the CLI sets it (the root logger), and Bolt's own logger at DEBUG too."""
    loggers = [logging.getLogger(n) for n in ("slack_bolt", "slack_bolt.App", "slack_sdk", "sqlalchemy.engine")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        yield caplog
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


def dump(database) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, in storage order, as strings."""
    with database.engine.connect() as conn:
        return {
            t: [tuple(str(v) for v in row) for row in conn.execute(text(f'SELECT * FROM "{t}"'))]
            for t in inspect(database.engine).get_table_names()
        }


def test_an_adversary_with_the_database_and_debug_logs_cannot_link_anonymous_items(retro, database, clock, debug_logs):
    retro.command("start Sprint 9")
    secrets: dict[str, str] = {}
    named_in_step: list[set[str]] = []  # whom the logs of each anonymous addition name
    for who, column, words, anonymous in SCRIPT:
        clock.advance(timedelta(minutes=3))
        first = len(debug_logs.records)
        retro.press("retro.add_item", "1", user=who)
        values = {"column": choose(column), "text": text_input(words)}
        if anonymous:
            values["anonymous"] = checked("anonymous")
        answer = retro.submit(retro.last_opened_view(), values, who)
        if anonymous:
            secrets[words] = metadata(answer["view"])["secret"]
            step = [r.getMessage() for r in debug_logs.records[first:]]
            named_in_step.append({p for p in PEOPLE if any(p in m for m in step)})
    clock.advance(timedelta(minutes=3))
    retro.press("retro.advance", "1:collect", user=ADA)  # the reveal
    tables, logs = dump(database), [r.getMessage() for r in debug_logs.records]
    assert any("retro.add_item_modal" in m or "Responding" in m for m in logs), "the DEBUG logs were captured"

    with database.session() as s:
        items = {i.text: i for i in s.scalars(select(RetroItem))}
        anonymous = {w: (str(items[w].id), items[w].secret_hash) for _, _, w, a in SCRIPT if a}
        created = [str(items[w].id) for _, _, w, _ in SCRIPT]
    rows = [(t, row) for t, found in tables.items() for row in found]

    # 1. nothing names an anonymous item and a person together; secrets are nowhere
    for words, (item_id, digest) in anonymous.items():
        marks = (words, digest)
        for table, row in rows:  # a row may name people (the reveal does), never on the item's own line
            for line in (line for v in row for line in re.split(r"\\n|\n", v)):
                if any(m in line for m in marks):
                    assert not any(p in line for p in PEOPLE), (table, line)
        assert not any(secrets[words] in v for _, row in rows for v in row)
        assert not any(secrets[words] in m for m in logs), "a secret in the logs"
        log_lines = [line for m in logs for line in re.split(r"\\n|\n", m)]
        assert not any(words in line and any(p in line for p in PEOPLE) for line in log_lines)
        assert items[words].author_id is None and item_id not in {r[0] for r in tables["retro_participants"]}

    # 2. time: the root's earlier edits (one per item, dated) are gone once Slack has them
    with database.session() as s:
        root = outbox.find_by_ref(s, "retro:1:root")
        edits = s.scalars(select(OutboxMessage).where(OutboxMessage.update_of_id == root.id)).all()
    assert len(edits) <= 2, [(e.created_at, e.status) for e in edits]  # the last delivered one, and the reveal's
    assert "retro_items" in tables and not any(
        "created" in c["name"] for c in inspect(database.engine).get_columns("retro_items")
    )

    # 3. order: ids are random, not sequential, and rows are stored in id order, not creation order
    stored = [row[0] for row in tables["retro_items"]]
    assert stored == sorted(stored, key=int), "storage order is id order"
    ids = sorted(int(i) for i in created)
    assert ids[-1] - ids[0] > 1000, "ids are not a sequence"
    assert created != sorted(created, key=int), "creation order is not id order"
    reveal = retro.thread(1)[0]["text"] + str(retro.thread(1)[0]["blocks"])
    positions = [reveal.index(w) for _, _, w, _ in SCRIPT]
    assert positions != sorted(positions), "the reveal is not in creation order"

    # 4. the logs of an anonymous addition read the same whoever added it: they name the same people
    # (the facilitator on the retro's row, the channel's member list), never the author in particular
    assert all(named == named_in_step[0] for named in named_in_step), named_in_step
