"""Pooled PostgreSQL connections: pinged only after they sat idle, and a dead one replaced, not failed."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from bot import db as db_module
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL connection pool (RITUALBOT_TEST_DATABASE_URL)")


def _server_pid(database: db_module.Database) -> int:
    with database.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_that_died_while_idle_is_replaced_before_the_request_uses_it(database, monkeypatch):
    first = _server_pid(database)  # the pool keeps this connection for the next checkout
    with db_module.Database(database.url).engine.connect() as admin:  # the server drops it (restart, idle timeout)
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    with database.session() as s:  # no error: the ping found it dead and the pool opened another
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() != first


def test_a_connection_in_steady_use_is_not_pinged(database):
    _server_pid(database)
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    pings: list[object] = []
    original = database.engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return original(dbapi_connection)

    database.engine.dialect.do_ping = counted  # type: ignore[method-assign]
    try:
        for _ in range(20):
            _server_pid(database)
    finally:
        del database.engine.dialect.do_ping
    assert pings == [] and len(statements) == 20
