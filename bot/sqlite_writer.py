"""One writer at a time per SQLite engine, queued in the process instead of in SQLite's busy handler.

SQLite has a single writer; a connection that finds the write lock taken sleeps in the busy handler
(1, 2, 5, ... up to 100 ms a step) and retries, so under concurrent writes a waiter sleeps on after the
lock was freed and the writers form a convoy (measured: /ticket p50 1.05 s at 50 req/s in `ritualbot
serve`, against 5 ms for one row and one commit). Here a transaction's first write statement first takes
an in-process lock, held until its commit or rollback: writers of this process wait their turn and are
woken the moment it comes. Across processes (the web process and the worker write the same file, more so
since the worker carries out the writes the web process hands off: bot.handoff) the gate also takes an
exclusive `flock` on a file beside the database (`<database>-writer`), which the kernel hands to the next
waiter the moment it is released; the busy handler only meets writers that do not use the gate. Readers
never wait.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import weakref
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

_HELD = "ritualbot_sqlite_writer"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")  # a statement that writes starts with one of these


def is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(WRITES)


def serialize_writers(engine: Engine, *, timeout: float = 30.0) -> None:
    gate = threading.Lock()
    path = engine.url.database
    # one descriptor per engine: flock belongs to the open file, so the thread lock decides within the process
    shared = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600) if path and path != ":memory:" else None
    if shared is not None:  # closed when the engine is collected (a disposed engine may still connect again)
        weakref.finalize(engine, os.close, shared)

    @event.listens_for(engine, "before_cursor_execute")
    def _enter(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if conn.info.get(_HELD) or not is_write(statement):
            return
        if not gate.acquire(timeout=timeout):  # let SQLite's own busy timeout decide, as without the gate
            log.warning("sqlite writer gate not free after %ss; writing without it", timeout)
            return
        if shared is not None:
            fcntl.flock(shared, fcntl.LOCK_EX)  # blocks without the GIL; freed by the kernel if the holder dies
        conn.info[_HELD] = True

    def _leave(info: dict[str, Any] | None) -> None:
        if info is not None and info.pop(_HELD, False):
            if shared is not None:
                fcntl.flock(shared, fcntl.LOCK_UN)
            gate.release()

    # Freed once SQLite has committed or rolled back: SQLAlchemy's "commit" event fires before the DBAPI commit,
    # and a gate freed there let the next writer meet the lock still held (its fsync under way) and sleep in
    # SQLite's busy handler (measured: 100 ms stalls under load). This engine's dialect only.
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            _leave(_info(dbapi_connection))

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            _leave(_info(dbapi_connection))

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    # a connection given back to the pool without either (its transaction discarded) frees the gate too
    event.listen(engine, "checkin", lambda dbapi_conn, record: _leave(record.info))


def _info(connection: Any) -> dict[str, Any] | None:
    """The pool record's info of a proxied connection; None for the pool's own ad hoc reset proxy (the
    connection's check-in frees the gate then)."""
    try:
        return connection.info
    except (NotImplementedError, AttributeError):
        return None
