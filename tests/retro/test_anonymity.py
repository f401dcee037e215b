"""Nothing in the database (any table, any column) links an anonymous item to its author, yet the author
can still edit and delete it from their own window."""

from __future__ import annotations

import json
import logging

from sqlalchemy import inspect, select, text

from rituals.retro.models import RetroItem
from tests.retro.driver import checked, metadata, text_input
from tests.retro.driver import select as choose

RAVI = "U0003"


def dump(database) -> dict[str, set[tuple[str, ...]]]:
    """Every row of every table in the database, as strings."""
    tables = inspect(database.engine).get_table_names()
    assert "outbox" in tables and "retro_items" in tables and "job_claims" in tables
    with database.engine.connect() as conn:
        return {t: {tuple(str(v) for v in row) for row in conn.execute(text(f'SELECT * FROM "{t}"'))} for t in tables}


def written(before: dict, after: dict) -> list[tuple[str, tuple[str, ...]]]:
    return [(t, row) for t, rows in after.items() for row in rows - before.get(t, set())]


def test_anonymous_item_leaves_no_trace_of_its_author_anywhere(retro, database, caplog):
    retro.command("start Sprint 9")
    retro.press("retro.add_item", "1", user=RAVI)  # opening the form makes Ravi a participant, nothing more
    view = retro.last_opened_view()
    before = dump(database)
    with caplog.at_level(logging.DEBUG):
        answer = retro.submit(
            view,
            {
                "column": choose("to_improve"),
                "text": text_input("Our on-call is chaos"),
                "anonymous": checked("anonymous"),
            },
            RAVI,
        )
    secret = metadata(answer["view"])["secret"]
    after = dump(database)
    changes = written(before, after)
    assert any("Our on-call is chaos" in " ".join(row) for _, row in changes), "the item itself was stored"
    assert [c for c in changes if any(RAVI in v for v in c[1])] == [], "nothing written names the author"
    assert not any(secret in v for rows in after.values() for row in rows for v in row), "only a hash is kept"
    assert not any(
        RAVI in r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("rituals", "handlers", "bot")
    ), "and no log line of ours names them either"

    # every row that does name Ravi says nothing about the item
    with database.session() as s:
        item = s.scalars(select(RetroItem)).one()
        marks = {str(item.id), item.text, item.secret_hash}
        assert item.author_id is None
    naming = [(t, row) for t, rows in after.items() for row in rows if any(RAVI in v for v in row)]
    assert naming == [("retro_participants", ("1", RAVI, "None"))]  # not marked done: no phase
    assert not any(m in v for _, row in naming for v in row for m in marks - {"1"})

    # the author edits from their own window: the secret travels in the view's private metadata
    private = dict(answer["view"], id="V0042")
    retro.press("retro.edit_item", str(item.id), user=RAVI, view=private)
    edit = retro.slack.calls_to("views.update")[-1].params
    assert edit["view_id"] == "V0042" and metadata(edit["view"])["secret"] == secret
    before = dump(database)
    saved = retro.submit(
        dict(edit["view"], id="V0042"),
        {"column": choose("to_improve"), "text": text_input("Our on-call rota is chaos")},
        RAVI,
    )
    assert saved["response_action"] == "update" and "rota" in str(saved["view"]["blocks"])
    assert [c for c in written(before, dump(database)) if any(RAVI in v for v in c[1])] == []
    assert "Our on-call rota is chaos" not in retro.root_text(1), "still hidden while collecting"

    # someone without the secret cannot touch it, even with a forged window
    guess = json.dumps({"retro": 1, "item": item.id, "secret": "guess"})
    forged = dict(edit["view"], id="V0043", private_metadata=guess)
    refused = retro.submit(forged, {"column": choose("ideas"), "text": text_input("hijacked")}, "U0002")
    assert refused["response_action"] == "errors" and "Only the author" in str(refused["errors"])
    retro.press(
        "retro.delete_item",
        str(item.id),
        user=RAVI,
        view=dict(answer["view"], id="V0044", private_metadata=json.dumps({"retro": 1, "item": item.id})),
    )
    with database.session() as s:
        assert s.scalars(select(RetroItem.text)).one() == "Our on-call rota is chaos"

    retro.press("retro.delete_item", str(item.id), user=RAVI, view=dict(answer["view"], id="V0045"))
    with database.session() as s:
        assert s.scalars(select(RetroItem)).all() == []
    assert retro.slack.calls_to("views.update")[-1].params["view_id"] == "V0045"
    assert "*To improve*\n0 items" in retro.root_text(1)


def test_named_items_are_edited_and_deleted_from_my_items(retro, database):
    retro.command("start Sprint 9")
    retro.press("retro.add_item", "1", user="U0002")
    retro.submit(retro.last_opened_view(), {"column": choose("went_well"), "text": text_input("Fast CI")}, "U0002")
    retro.press("retro.my_items", "1", user="U0002")
    mine = retro.last_opened_view()
    assert "Fast CI" in str(mine["blocks"])
    with database.session() as s:
        item_id = s.scalars(select(RetroItem.id)).one()
    updates = len(retro.slack.calls_to("views.update"))
    retro.press("retro.edit_item", str(item_id), user="U0003", view=dict(mine, id="V0007"))
    assert len(retro.slack.calls_to("views.update")) == updates, "not someone else's item"
    retro.press("retro.edit_item", str(item_id), user="U0002", view=dict(mine, id="V0007"))
    form = retro.slack.calls_to("views.update")[-1].params["view"]
    assert (
        retro.submit(dict(form, id="V0007"), {"column": choose("ideas"), "text": text_input("Faster CI")}, "U0002")
        == {}
    )
    assert "*Ideas*\n1 item" in retro.root_text(1)
    retro.press("retro.delete_item", str(item_id), user="U0002", view=dict(mine, id="V0007"))
    with database.session() as s:
        assert s.scalars(select(RetroItem)).all() == []
    assert "no named items" in str(retro.slack.calls_to("views.update")[-1].params["view"]["blocks"])
