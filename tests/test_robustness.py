"""The bad-input sweep: thousands of malformed requests through the signed endpoint. Each gets a
2xx with a clear answer (or a 4xx for transport-level garbage), never a 500, never an apology for
an unhandled error, and garbage changes no row."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, func, select

import handlers

APOLOGY = "something went wrong on our side"
SWEEP = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COUNTS: dict[str, int] = {}

words = st.sampled_from(
    [
        "help",
        "status",
        "on",
        "off",
        "setup",
        "start",
        "new",
        "vote",
        "close",
        "edit",
        "skip",
        "away",
        "report",
        "answer",
        "move",
        "board",
        "mine",
        "default",
        "budget",
        "watch",
        "latest",
        "compare",
        "idle",
        "owners",
        "project",
        "delete",
        "pause",
    ]
)
nasty = st.sampled_from(
    [
        "",
        " ",
        "x" * 4000,
        "2026-02-30",
        "2026-13-01",
        "0000-00-00 9999-99-99",
        '"',
        "'",
        "<@U0001>",
        "<#C0001|team>",
        "<!channel>",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎉",
        "\u0000",
        "-1",
        "1e309",
        "NaN",
        "%s%n",
        "DS-999999",
        "; DROP TABLE outbox; --",
        "\n\n\t",
        "99:99",
        "Mars/Base",
        "999999999999999999999",
    ]
)
command_text = st.one_of(
    st.text(max_size=300),
    nasty,
    st.lists(st.one_of(words, nasty, st.text(max_size=20)), min_size=1, max_size=6).map(" ".join),
)


def _count(kind: str) -> None:
    COUNTS[kind] = COUNTS.get(kind, 0) + 1


def _report(kind: str, at_least: int) -> None:
    """Print how many malformed requests this sweep sent (pytest -s shows it) and make sure it ran."""
    print(f"\nrobustness sweep {kind}: {COUNTS.get(kind, 0)} malformed requests")
    assert COUNTS.get(kind, 0) >= at_least


def _row_counts(database) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(database.engine)
    with database.engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in meta.tables.items()
            if name not in ("processed_events", "seen_signatures", "alembic_version")  # request bookkeeping
        }


@pytest.fixture(autouse=True)
def _no_unhandled_errors(caplog):
    """An error the handlers did not expect is logged by the global error handler: none allowed."""
    yield
    unhandled = [r.getMessage() for r in caplog.records if r.getMessage().startswith("unhandled error")]
    assert not unhandled, unhandled[:3]


def _assert_clear(response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert APOLOGY not in response.text, response.text[:300]


def test_random_text_for_every_command_gets_a_clear_answer(signed, slack):
    commands = sorted(set(handlers.declared("COMMANDS")))

    @seed(20261123)
    @settings(SWEEP, max_examples=600)
    @given(command=st.sampled_from(commands), text=command_text)
    def sweep(command, text):
        response = signed.command(command, text)
        _count("command")
        _assert_clear(response)
        assert response.status_code == 200
        if response.content:
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            assert body.get("response_type", "ephemeral") != "in_channel" or body.get("text")
        assert not [r for r in slack.responses() if APOLOGY in json.dumps(r)], "an unhandled error reached a user"

    sweep()
    _report("command", 500)


def test_unknown_or_malformed_interactivity_changes_nothing(signed, slack, database):
    before = _row_counts(database)

    @seed(20261124)
    @SWEEP
    @given(
        action_id=st.one_of(
            st.text(min_size=1, max_size=60), st.sampled_from(["retro.vote", "standup.answer", "pi.vote", "x" * 255])
        ),
        value=st.one_of(st.text(max_size=100), st.just("{not json"), st.just("999999"), st.just("")),
        ts=st.sampled_from(["1.0", "0", "9999999999.999999", "not-a-ts"]),
    )
    def sweep(action_id, value, ts):
        response = signed.action(action_id, value, message_ts=ts)
        _count("action")
        _assert_clear(response)
        assert response.status_code == 200

    sweep()
    _report("action", 120)
    assert _row_counts(database) == before
    assert not [r for r in slack.responses() if APOLOGY in json.dumps(r)]


def test_view_submissions_with_unknown_callbacks_or_garbage_values_never_500(signed, database):
    @seed(20261125)
    @SWEEP
    @given(
        callback=st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["", "pi.new", "retro.add_item"])),
        value=st.one_of(st.text(max_size=50), st.just("11"), st.just("-5"), st.just("2026-02-30")),
        metadata=st.one_of(st.just(""), st.just("{bad"), st.text(max_size=50)),
    )
    def sweep(callback, value, metadata):
        values = {"b": {"a": {"type": "plain_text_input", "value": value}}}
        response = signed.view_submission(callback or "x", values, private_metadata=metadata)
        _count("view_submission")
        _assert_clear(response)
        assert response.status_code == 200

    sweep()
    _report("view_submission", 120)


def test_events_of_unknown_types_and_missing_fields_are_acknowledged(signed, database):
    before = _row_counts(database)

    @seed(20261126)
    @SWEEP
    @given(
        event_type=st.one_of(
            st.text(min_size=1, max_size=30), st.sampled_from(["message", "reaction_added", "app_home_opened"])
        ),
        extra=st.dictionaries(
            st.sampled_from(["user", "channel", "text", "ts", "channel_type", "item"]),
            st.one_of(st.text(max_size=20), st.none(), st.integers()),
            max_size=4,
        ),
    )
    def sweep(event_type, extra):
        response = signed.event({"type": event_type, **extra})
        _count("event")
        _assert_clear(response)
        assert response.status_code in (200, 400)  # 400: fields of the wrong JSON type

    sweep()
    _report("event", 120)
    after = _row_counts(database)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed <= {"outbox"}, changed  # at most a reply to a well-formed DM, nothing else


def test_transport_garbage_gets_a_4xx(signed):
    @seed(20261127)
    @SWEEP
    @given(
        body=st.one_of(st.binary(max_size=300).map(lambda b: b.decode("latin-1")), st.text(max_size=300)),
        ctype=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]),
    )
    def sweep(body, ctype):
        response = signed.post(body, ctype)
        _count("garbage")
        assert response.status_code != 500
        assert response.status_code in (200, 400, 404, 415), response.status_code

    sweep()
    _report("garbage", 120)
