"""The production server: health check, 404s, oversized bodies refused before parsing."""

from __future__ import annotations

import httpx
import pytest


def test_healthz_reports_the_database(app_url):
    response = httpx.get(app_url + "healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok"}


def test_unknown_path_is_404(app_url):
    assert httpx.get(app_url + "nope").status_code == 404


def test_oversized_body_is_refused_with_413(signed):
    response = signed.post("x=" + "a" * 1_100_000, "application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_garbage_bodies_with_valid_signature_get_a_4xx_not_a_500(signed):
    assert signed.post("this is not form or json", "application/x-www-form-urlencoded").status_code == 404
    assert signed.post("{bad json", "application/json").status_code == 400
    assert signed.post("payload=%7Bnot-json", "application/x-www-form-urlencoded").status_code == 400


# -- request hygiene: one log line per rejected request, 401 for a bad timestamp, no replays ------------

MARKER = "SECRET-LOOKING-PAYLOAD"


@pytest.fixture
def info_logs(caplog):
    """INFO logging in force before the app is built (Bolt's loggers copy the root level when created)."""
    caplog.set_level("INFO")
    return caplog


def test_a_rejected_request_is_logged_as_one_line_without_its_body(info_logs, signed, caplog):
    body = "command=%2Fritual&text=" + MARKER * 5000  # 110 kB, parses as a slash command
    for _ in range(3):
        assert signed.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64).status_code == 401
    assert not [r for r in caplog.records if MARKER in r.getMessage()]
    rejected = [r.getMessage() for r in caplog.records if "rejected Slack request" in r.getMessage()]
    assert rejected == [f"rejected Slack request reason=bad signature or stale timestamp length={len(body)}"] * 3


def test_a_non_numeric_timestamp_gets_401_not_an_apology(signed):
    for timestamp in ("abc", "", "12.5", "-1", "1e9", "0x10"):
        response = signed.post(
            "command=%2Fritual&text=help",
            "application/x-www-form-urlencoded",
            headers={"X-Slack-Request-Timestamp": timestamp},
        )
        assert response.status_code == 401, timestamp
        assert "something went wrong" not in response.text


def test_a_replayed_signed_request_is_refused_and_runs_once(signed, slack):
    import time
    from urllib.parse import urlencode

    from tests.slack.signed import sign

    form = urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": "U0001",
            "command": "/pi",
            "text": "new",
            "trigger_id": "trig.replay",
            "response_url": signed.response_url,
        }
    )
    timestamp = int(time.time())
    signature = sign(signed.secret, str(timestamp), form)
    first = signed.post(form, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature)
    replay = signed.post(form, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature)
    assert (first.status_code, replay.status_code) == (200, 401)
    assert len(slack.calls_to("views.open")) == 1


def test_the_replay_refusal_holds_across_web_processes_and_forgets_after_five_minutes(database):
    import json
    import time

    from slack_bolt import BoltRequest, BoltResponse

    from bot.request_guard import SeenSignature, SignedOnce
    from tests.conftest import SIGNING_SECRET
    from tests.slack.signed import sign

    now = [float(int(time.time()))]
    first_process = SignedOnce(SIGNING_SECRET, database, now=lambda: now[0])
    second_process = SignedOnce(SIGNING_SECRET, database, now=lambda: now[0])
    body = json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_home_opened"}})

    def request(timestamp: int) -> BoltRequest:
        headers = {
            "content-type": ["application/json"],
            "x-slack-request-timestamp": [str(timestamp)],
            "x-slack-signature": [sign(SIGNING_SECRET, str(timestamp), body)],
        }
        return BoltRequest(body=body, headers=headers)

    def status(guard: SignedOnce, req: BoltRequest) -> int:
        return guard.process(req=req, resp=BoltResponse(status=404), next=lambda: BoltResponse(status=200)).status

    sent_at = int(now[0])
    assert status(first_process, request(sent_at)) == 200
    assert status(second_process, request(sent_at)) == 401
    now[0] += 301  # past the window: the old signature no longer verifies, so it is forgotten
    assert status(second_process, request(sent_at + 301)) == 200  # a new request; pruning runs
    assert second_process.pruned(timeout=10)  # in a thread of its own: the request did not wait for it
    with database.session() as s:
        assert [row.request_ts for row in s.query(SeenSignature)] == [sent_at + 301]


# -- the replay guard's bookkeeping: in the commit of a request that writes, off the request for one that reads ----


def _seen_inserts(database):
    """Threads that inserted into seen_signatures (who wrote the replay guard's row, and when)."""
    import threading

    from sqlalchemy import event

    threads: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("INSERT") and "seen_signatures" in statement:
            threads.append(threading.current_thread().name)

    event.listen(database.engine, "before_cursor_execute", note)
    return threads


def _command_form(signed, command: str, text: str, trigger: str) -> str:
    from urllib.parse import urlencode

    fields = {"team_id": "T0001", "channel_id": "C0001", "user_id": "U0001", "command": command, "text": text}
    return urlencode({**fields, "trigger_id": trigger, "response_url": signed.response_url})


def test_a_read_only_command_is_answered_without_a_write_and_its_replay_refused_everywhere(signed, app, database):
    """`/ritual help` writes nothing: the request neither takes SQLite's write lock nor waits for a durable commit
    of its signature. The signature is kept all the same: refused at once by this process, and written to
    seen_signatures by the guard's own thread within moments, where every other web process finds it."""
    import time

    from slack_bolt import BoltRequest, BoltResponse

    from bot.request_guard import SeenSignature, SignedOnce
    from tests.conftest import SIGNING_SECRET
    from tests.slack.signed import sign

    inserts = _seen_inserts(database)
    form = _command_form(signed, "/ritual", "help", "trig.help")
    timestamp = int(time.time())
    signature = sign(signed.secret, str(timestamp), form)
    first = signed.post(form, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature)
    assert first.status_code == 200 and "/ritual help" in first.json()["text"]
    replay = signed.post(form, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature)
    assert replay.status_code == 401  # refused by this process whether or not the row is written yet
    assert app.guard.flushed(timeout=10)
    with database.session() as s:
        assert s.get(SeenSignature, signature) is not None
    assert inserts and all(name == "seen-signatures" for name in inserts), inserts
    other_process = SignedOnce(SIGNING_SECRET, database)
    headers = {
        "content-type": ["application/x-www-form-urlencoded"],
        "x-slack-request-timestamp": [str(timestamp)],
        "x-slack-signature": [signature],
    }
    request = BoltRequest(body=form, headers=headers)
    answer = other_process.process(req=request, resp=BoltResponse(status=404), next=lambda: BoltResponse(status=200))
    assert answer.status == 401


def test_a_request_that_writes_keeps_its_signature_in_its_own_commit(signed, app, database):
    """`/pi new` opens a modal and `/ticket` files a ticket (no worker: in the request): the signature row is
    written by the request's own commit, in the request's thread, so it is kept if and only if the work is."""
    inserts = _seen_inserts(database)
    response = signed.post(
        _command_form(signed, "/ticket", "modelling Churn features", "trig.ticket"), "application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "DS-" in response.text, response.text
    assert app.guard.flushed(timeout=10)
    assert len(inserts) == 1 and inserts[0] != "seen-signatures", inserts


def test_disposing_the_database_writes_the_waiting_signatures_and_stops_the_guards_thread(signed, app, database):
    """The guard's thread writes nothing through a disposed engine (a connection it opened there would stay
    open for the life of the process: PostgreSQL ran out of connections in the test suite)."""
    from bot.db import Database
    from bot.request_guard import SeenSignature

    assert signed.command("/ritual", "help").status_code == 200
    database.dispose()  # at once: the signature may still be waiting for the thread
    assert app.guard._thread is not None and not app.guard._thread.is_alive()
    again = Database(database.url)
    try:
        with again.session() as s:
            assert s.query(SeenSignature).count() == 1
    finally:
        again.dispose()


def test_a_request_rolled_back_before_it_used_the_database_still_leaves_its_signature(database):
    """A listener that fails on the user's input before any query (its unit of work rolled back, never begun):
    the signature is written all the same, and nothing is left behind in the process."""
    import json
    import time

    from slack_bolt import BoltRequest, BoltResponse

    from bot.request_guard import SeenSignature, SignedOnce
    from tests.conftest import SIGNING_SECRET
    from tests.slack.signed import sign

    guard = SignedOnce(SIGNING_SECRET, database)
    body = json.dumps({"type": "block_actions", "actions": [{"action_id": "x"}]})
    timestamp = str(int(time.time()))
    headers = {
        "content-type": ["application/json"],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [sign(SIGNING_SECRET, timestamp, body)],
    }
    session = database.new_session()
    request = BoltRequest(body=body, headers=headers, context={"db": session})
    assert (
        guard.process(req=request, resp=BoltResponse(status=404), next=lambda: BoltResponse(status=200)).status == 200
    )
    session.rollback()  # RitualApp.dispatch on a user's mistake
    session.close()
    assert guard.flushed(timeout=10)
    with database.session() as s:
        assert s.get(SeenSignature, headers["x-slack-signature"][0]) is not None
    assert guard.state_of(headers["x-slack-signature"][0]) is None
