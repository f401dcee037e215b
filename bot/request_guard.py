"""Slack request verification, once per request: Bolt's RequestVerification, stricter and quieter.

- A request whose `X-Slack-Request-Timestamp` is not a number gets 401 (Bolt's `int()` raised, and
  the error handler answered with an apology).
- A rejected request is logged as one line (reason, length), never its body: Bolt logs the whole
  body at INFO, so 20 unsigned 1 MB posts wrote 20 MB of log.
- A correctly signed request seen before is refused (401): the signature covers timestamp and body,
  and Slack accepts a timestamp within 5 minutes, so a captured request could be replayed for that
  long. Seen signatures are kept in the database (`seen_signatures`), so the refusal holds across web
  processes, and pruned once they are older than the window. Only requests a listener can act on (a
  `type` or a `command`) are recorded: replaying anything else has no effect.

Where the signature is written: a request that writes records it in its own commit (one durable commit per
request, and the signature is kept if and only if the work is). A request that only reads (`/ritual help`,
a status) does not wait for a durable commit of it (on SQLite that commit alone doubled the answer's time,
and took the file's one write lock): the process refuses a replay at once from memory, and the guard's
thread (`seen-signatures`) writes what is waiting every 50 ms, where every other web process finds it.
A request handed to the worker is recorded by the worker's commit (bot.handoff).

Installed in the place of Bolt's own (`request_verification_enabled=False`, `before_authorize=`: the
same position in Bolt's middleware list, before authorization). Socket Mode requests are not signed
and skip it, as in Bolt.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware.request_verification import RequestVerification
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy import BigInteger, Engine, String, bindparam, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from bot.db import Base, Database, make_engine
from bot.sqlite_writer import is_write

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 5  # Slack's (and slack_sdk's SignatureVerifier's) accepted clock skew
PRUNE_EVERY_SECONDS = 60
FLUSH_SECONDS = 0.05  # how long a read-only request's signature waits, at most, before other processes see it
THREAD = "seen-signatures"
_DIGITS = re.compile(r"^[0-9]{1,12}$")


class SeenSignature(Base):
    """A verified request's signature, kept for the 5 minutes a replay of it would verify."""

    __tablename__ = "seen_signatures"

    signature: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_ts: Mapped[int] = mapped_column(BigInteger, index=True)


SIGNED = "signed_request"  # request context key: (signature, timestamp) of a verified request (bot.handoff)
HANDED_OFF = "handed_off"  # session.info key: the request was recorded for the worker (bot.handoff)

# built once: composing a statement per request cost more than running it (bench/ack_latency.py)
_TABLE = SeenSignature.__table__
_SEEN = select(_TABLE.c.signature).where(_TABLE.c.signature == bindparam("signature"))  # Core: the ORM's costs more


# What the process knows of a signature it let through and has not seen written yet (SignedOnce._claims)
_RUNNING, _COMMITTING, _WRITE, _DONE, _WORKER = "running", "committing", "write", "done", "worker"


class SignedOnce(RequestVerification):
    def __init__(self, signing_secret: str, database: Database, *, now: Callable[[], float] = time.time) -> None:
        super().__init__(signing_secret)
        self._verifier = SignatureVerifier(signing_secret, clock=_Clock(now))
        self._database = database
        self._now = now
        self._pruned_at = 0.0
        self._prune_before: float | None = None  # a prune asked for and not done yet
        # signature -> (request_ts, state): let through by this process and not yet found in the table, so a
        # replay here is refused before the table has it; the thread writes those in state _WRITE
        self._claims: dict[str, tuple[int, str]] = {}
        self._busy = False  # the thread is writing (flushed() waits for it)
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        engine = database.engine
        postgres = engine.dialect.name == "postgresql"
        # PostgreSQL: the check runs on a few connections of its own in autocommit (one statement, no transaction)
        self._autocommit = make_engine(database.url, autocommit=True, pool_size=2) if postgres else None
        _track_writes(engine)
        database.on_dispose(self.close)

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002
        if self._can_skip(req.mode, req.body):
            return next()
        timestamp = req.headers.get("x-slack-request-timestamp", [""])[0]
        signature = req.headers.get("x-slack-signature", [""])[0]
        if not _DIGITS.match(timestamp):
            return self._reject(req, "timestamp is not a number")
        if not self.verifier.is_valid(req.raw_body, timestamp, signature):
            return self._reject(req, "bad signature or stale timestamp")
        if _actionable(req.body) and not self._first_time(req, signature[:100], int(timestamp)):
            return self._reject(req, "replayed signature")
        req.context[SIGNED] = (signature[:100], int(timestamp))  # bot.handoff: the worker records it instead
        return next()

    def _reject(self, req: BoltRequest, reason: str) -> BoltResponse:
        log.info("rejected Slack request reason=%s length=%s", reason, len(req.raw_body))
        return self._build_error_response()

    def _first_time(self, req: BoltRequest, signature: str, request_ts: int) -> bool:
        """False when the signature was let through before (a replay): by this process (its claims, even while
        the first request still runs), or by any (the table). In a request's unit of work (`db` in Bolt's
        context) the signature is then written as the module says (`_decide`)."""
        self._prune()
        with self._wake:
            if signature in self._claims:
                return False
            self._claims[signature] = (request_ts, _RUNNING)
        session: Session | None = req.context.get("db")
        if session is None:  # no request unit of work (a bare guard): a transaction of its own
            try:
                with self._database.session() as s:
                    s.add(SeenSignature(signature=signature, request_ts=request_ts))
            except IntegrityError:
                self.settle(signature, None)
                return False
            self.settle(signature, None)
            return True
        if self._seen(session, signature):
            self.settle(signature, None)
            return False
        session.info[_CLAIM] = _Claim(self, signature, request_ts)  # decided at its commit (_decide, _ended)
        if not session.in_transaction():  # begun (no connection yet): its end is seen even if nothing ever queries
            session.begin()
        return True

    def _seen(self, session: Session, signature: str) -> bool:
        """Is the signature in the table. On PostgreSQL one statement outside the request's transaction (no
        BEGIN and COMMIT round trips for a request that reads nothing else); on SQLite in the request's
        connection (a read there takes no lock and begins nothing)."""
        if self._autocommit is None:
            return session.connection().execute(_SEEN, {"signature": signature}).first() is not None
        with self._autocommit.connect() as conn:
            return conn.execute(_SEEN, {"signature": signature}).first() is not None

    def state_of(self, signature: str) -> str | None:
        with self._wake:
            claim = self._claims.get(signature)
            return claim[1] if claim else None

    def settle(self, signature: str, state: str | None) -> None:
        with self._wake:
            claim = self._claims.get(signature)
            if claim is None:
                return
            if state is None:
                del self._claims[signature]
                return
            self._claims[signature] = (claim[0], state)
            if state == _WRITE:
                self._start()
                self._wake.notify_all()

    def _prune(self) -> None:
        """Once a minute, by the guard's thread: no request waits for the delete (or, on SQLite, for the
        write lock a worker's filing may hold)."""
        now = self._now()
        with self._wake:
            if now - self._pruned_at < PRUNE_EVERY_SECONDS:
                return
            self._pruned_at = now
            self._prune_before = now
            self._start()
            self._wake.notify_all()

    def pruned(self, timeout: float) -> bool:
        """Wait for the prune asked for, if any (tests); True when none is waiting or under way."""
        with self._wake:
            return self._wake.wait_for(lambda: self._prune_before is None and not self._busy, timeout)

    def flushed(self, timeout: float) -> bool:
        """Wait until the signatures let through so far are in the table (tests, a graceful stop)."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._waiting() and not self._busy, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what waits, then stop the thread (before the database is disposed: bot.db.Database.dispose)."""
        self.flushed(timeout)
        with self._wake:
            self._closed = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        if self._autocommit is not None:
            self._autocommit.dispose()

    def _waiting(self) -> list[tuple[str, int]]:
        return [(sig, ts) for sig, (ts, state) in self._claims.items() if state == _WRITE]

    def _start(self) -> None:
        """The guard's thread, started the first time it has something to do (under self._wake)."""
        if not self._closed and (self._thread is None or not self._thread.is_alive()):
            self._thread = threading.Thread(target=self._run, name=THREAD, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                self._busy = False
                self._wake.notify_all()
                self._wake.wait_for(lambda: self._closed or bool(self._waiting()) or self._prune_before is not None)
                if self._closed:
                    return
                self._busy = True
                writes = bool(self._waiting())
            if writes:
                time.sleep(FLUSH_SECONDS)  # what arrives meanwhile goes in the same commit
            with self._wake:
                batch, prune = self._waiting(), self._prune_before
            if batch and self._write(batch):
                with self._wake:
                    for signature, _ in batch:
                        if self._claims.get(signature, (0, ""))[1] == _WRITE:
                            del self._claims[signature]
            elif batch:
                time.sleep(1.0)  # the database is down or busy: the claims keep refusing replays meanwhile
            if prune is not None:
                self._delete_older(prune)
                with self._wake:
                    if self._prune_before == prune:
                        self._prune_before = None

    def _write(self, batch: list[tuple[str, int]]) -> bool:
        rows = [{"signature": signature, "request_ts": ts} for signature, ts in batch]
        try:
            with self._database.engine.begin() as conn:
                conn.execute(_insert_new(self._database.engine), rows)
        except Exception:  # noqa: BLE001 — tried again; the claims refuse replays here meanwhile
            log.warning("could not record %s seen request signatures", len(rows), exc_info=True)
            return False
        return True

    def _delete_older(self, now: float) -> None:
        try:
            with self._database.session() as s:
                # a request verifies while |now - ts| <= window, so older signatures can no longer be replayed
                s.execute(delete(SeenSignature).where(SeenSignature.request_ts < int(now) - WINDOW_SECONDS))
        except Exception:  # noqa: BLE001 — the next minute's prune tries again
            log.warning("could not prune seen request signatures", exc_info=True)


_CLAIM = "ritualbot_signature"  # session.info: the request's signature, written as its commit decides


class _Claim:
    """A request's signature in its unit of work, until the request's transaction ends."""

    __slots__ = ("guard", "signature", "request_ts", "row", "over")

    def __init__(self, guard: SignedOnce, signature: str, request_ts: int) -> None:
        self.guard, self.signature, self.request_ts = guard, signature, request_ts
        self.row: SeenSignature | None = None
        self.over = False


# Listeners of every Session, registered once (three listeners per request's session cost more than its query)
@event.listens_for(Session, "before_commit")
def _decide(session: Session) -> None:
    """At the request's outermost commit (a savepoint's commit fires this too, and can be rolled back): where
    its signature is written."""
    claim: _Claim | None = session.info.get(_CLAIM)
    if claim is None or claim.over or session.in_nested_transaction():
        return
    if session.info.get(HANDED_OFF):  # recorded by the worker's commit of its work (bot.handoff)
        claim.guard.settle(claim.signature, _WORKER)
    elif _wrote(session):  # added last, just before the commit: one durable commit for the work and the signature
        if claim.row is None or claim.row not in session:
            claim.row = SeenSignature(signature=claim.signature, request_ts=claim.request_ts)
            session.add(claim.row)
        claim.guard.settle(claim.signature, _COMMITTING)
    else:  # nothing else to commit: not worth a durable commit of its own in the request
        claim.guard.settle(claim.signature, _WRITE)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    claim: _Claim | None = session.info.get(_CLAIM)
    if claim is not None and not claim.over and claim.guard.state_of(claim.signature) == _COMMITTING:
        claim.guard.settle(claim.signature, _DONE)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The request's transaction is over: written, or the worker's, it is forgotten here; anything else (read
    only, rolled back) is written by the guard's thread, so a replay of a request that failed stays refused."""
    if transaction.parent is not None:
        return
    session.info.pop(_CONNECTION, None)
    claim: _Claim | None = session.info.get(_CLAIM)
    if claim is None or claim.over:
        return
    claim.over = True
    del session.info[_CLAIM]
    state = claim.guard.state_of(claim.signature)
    claim.guard.settle(claim.signature, None if state in (_DONE, _WORKER) else _WRITE)


_WROTE = "ritualbot_wrote"  # connection info: the transaction under way ran a write statement


def _note_write(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    if not conn.info.get(_WROTE) and is_write(statement):
        conn.info[_WROTE] = True


def _new_transaction(conn: Any) -> None:
    conn.info.pop(_WROTE, None)


def _track_writes(engine: Engine) -> None:
    """Note on the connection when a transaction writes (any statement: ORM, Core or text)."""
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "begin", _new_transaction)


def _wrote(session: Session) -> bool:
    """Does the session's transaction write: changes not flushed yet, or a write statement already run (a
    session that never used its connection wrote nothing, and is not made to open one here)."""
    if session.new or session.dirty or session.deleted:
        return True
    connection = session.info.get(_CONNECTION)
    return connection is not None and bool(connection.info.get(_WROTE))


_CONNECTION = "ritualbot_connection"  # session.info: the connection its transaction under way uses


@event.listens_for(Session, "after_begin")
def _began(session: Session, transaction: SessionTransaction, connection: Any) -> None:
    session.info[_CONNECTION] = connection


def _insert_new(engine: Engine) -> Any:
    """An insert that skips signatures already there (a request of another process, a retried batch)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(SeenSignature).on_conflict_do_nothing()


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def _actionable(body: Any) -> bool:
    return isinstance(body, dict) and bool(body.get("type") or body.get("command"))
