"""Writes the web process accepts and the worker carries out: the request is recorded, not run.

A `/ticket <stage> <summary>` or a retro vote costs the web process 3–5 ms of CPU when it runs in the
request (ORM work, rendering, the reply by `response_url`, the announcement's delivery), and one web
process is one core: at 200 requests a second it saturates and every request queues. When a worker
process is running (it beats in `worker_beats`), a listener whose `Later` says `handoff` stores the
request as Slack sent it, signature verified, and answers at once with the pending text. The worker's
`Runner` claims stored requests under a lease, dispatches each through the same Bolt app as the web
process (`mode="socket_mode"`: the signature was checked on the way in) and posts what the listener
answered to the request's `response_url`.

Once, not twice: the commit of the work records the request's signature in `seen_signatures` (`done_in`);
a stored request whose signature is there is removed, not run. So a worker killed before that commit
leaves the request to the next worker once its lease ends, and one killed after leaves nothing to run
twice. A request that fails three times is told so by `response_url` and dropped. Without a running
worker (one process, the tests) the listener runs in the request, as before. Where the stored requests
wait: `open_store` (an SQLite app keeps them in a file of their own).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse, Respond
from sqlalchemy import Integer, String, Text, delete, func, insert, make_url, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db import Base, Database
from bot.heartbeat import Heartbeat
from bot.request_guard import HANDED_OFF, SIGNED, SeenSignature

if TYPE_CHECKING:
    from bot.deferred import Deferred

log = logging.getLogger(__name__)

RAW = "raw_request"  # request context key: (content type, body) as Slack sent them
DONE = "handoff_done"  # request context key (worker): the signature its commit records as carried out
BEAT_SECONDS = 5.0  # a worker says it runs this often
ALIVE_SECONDS = 15.0  # ... and is taken for gone when it has not for this long
LEASE_SECONDS = 60.0  # a claimed request is run again by another worker after this long
MAX_ATTEMPTS = 3
BATCH = 32


class HandedOff(Base):
    """A verified Slack request the worker carries out; its signature is unique (a replay is refused)."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class WorkerBeat(Base):
    """A running worker process and when it last said so (the web process hands off only while one does)."""

    __tablename__ = "worker_beats"

    worker: Mapped[str] = mapped_column(String(100), primary_key=True)
    beat_at: Mapped[datetime]


_STORE_TABLES = [Base.metadata.tables[HandedOff.__tablename__], Base.metadata.tables[WorkerBeat.__tablename__]]


def store_path(database: Database) -> str | None:
    """Where handed-off requests wait when the app's database is an SQLite file: a file of its own beside it
    (`<database>-handoff`). SQLite has one writer per file, and the worker's filings would hold the web
    process's one-row records behind them; with two files neither waits for the other. None: the app's
    database holds them (PostgreSQL, whose row locks keep writers apart)."""
    url = make_url(database.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return f"{url.database}-handoff"


def open_store(database: Database, *, create: bool) -> Database | None:
    """The database handed-off requests wait in; None when it does not exist yet and `create` is False
    (an SQLite app no worker has run against: the web process then never hands off)."""
    path = store_path(database)
    if path is None:
        return database
    if not create and not os.path.exists(path):
        return None
    store = Database(f"sqlite:///{path}")
    if create:  # by the worker; two starting at once race between "is it there" and "create it": the loser looks again
        try:
            Base.metadata.create_all(store.engine, tables=_STORE_TABLES)
        except OperationalError:
            Base.metadata.create_all(store.engine, tables=_STORE_TABLES)
    return store


def last_beat(store: Database) -> datetime | None:
    """When a worker last said it runs (None: never, or the worker that made the file has not made its tables)."""
    try:
        with store.session() as s:
            return s.scalar(select(func.max(WorkerBeat.beat_at)))
    except OperationalError:
        return None


def worker_started(database: Database) -> bool:
    """Has a worker beaten against this app's database (a test or the bench waiting for one to start)."""
    store = open_store(database, create=False)
    if store is None:
        return False
    try:
        return last_beat(store) is not None
    finally:
        if store is not database:
            store.dispose()


class Handoff:
    """The web process's side: is a worker running, and record a request for it."""

    def __init__(self, database: Database, now: Callable[[], datetime], *, enabled: bool = True) -> None:
        self._database = database
        self._now = now
        self.enabled = enabled
        self._store: Database | None = None
        self._checked_at = float("-inf")
        self._alive = False
        self._lock = threading.Lock()

    def worker_alive(self) -> bool:
        """A worker beat within ALIVE_SECONDS (asked at most once per BEAT_SECONDS per process)."""
        if not self.enabled:
            return False
        with self._lock:
            if time.monotonic() - self._checked_at < BEAT_SECONDS:
                return self._alive
            self._checked_at = time.monotonic()
        if self._store is None:
            self._store = open_store(self._database, create=False)
        last = last_beat(self._store) if self._store is not None else None
        alive = last is not None and last > self._now() - timedelta(seconds=ALIVE_SECONDS)
        with self._lock:
            self._alive = alive
        return alive

    def record(self, session: Session, context: Any) -> bool:
        """Store the request for the worker: in the request's own unit of work when the store is the app's
        database, else in a commit of the store's. False for a replay of a request already waiting."""
        content_type, body = context[RAW]
        signature, _ = context[SIGNED]
        row = {"signature": signature, "content_type": content_type, "body": body, "received_at": self._now()}
        session.info[HANDED_OFF] = True  # the signature is recorded by the commit of the work (bot.request_guard)
        if self._store is None or self._store is self._database:
            if self._database.engine.dialect.name != "postgresql":  # an in-memory SQLite database (tests)
                session.add(HandedOff(**row, attempts=0))
                return True
            insert = _RECORD_PG.values(**row)  # one statement, and a replay is refused instead of failing the commit
            return session.execute(insert).first() is not None
        try:
            with self._store.engine.begin() as conn:  # Core: the ORM's unit of work costs more than the insert
                conn.execute(_RECORD, row)
        except IntegrityError:
            log.info("replayed signature of a request already handed off")
            return False
        return True


_RECORD = insert(HandedOff).values(attempts=0)
_RECORD_PG = postgresql.insert(HandedOff).values(attempts=0).on_conflict_do_nothing().returning(HandedOff.id)


class Runner:
    """The worker's side: claim stored requests, dispatch them through `app`, post their answers.

    Once: the work's commit records the request's signature (`done_in`), and a request whose signature is
    recorded is not run again (a worker that died after that commit and before removing the row)."""

    def __init__(self, app: App, database: Database, now: Callable[[], datetime], *, poll: float = 0.05) -> None:
        self._app = app
        self._database = database
        store = open_store(database, create=True)
        assert store is not None
        self._store = store
        self._now = now
        self._poll = poll
        self._done: list[int] = []
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def run_forever(self, stop: threading.Event) -> None:
        with Heartbeat(self.beat, BEAT_SECONDS, name="worker-beat"):
            self.beat()
            while not stop.is_set():
                try:
                    ran = self.run_due()
                except Exception:
                    log.exception("handed-off requests: a round failed")
                    ran = 0
                if not ran:
                    stop.wait(self._poll)
        with self._store.session() as s:
            s.execute(delete(WorkerBeat).where(WorkerBeat.worker == self.name))

    def beat(self) -> None:
        with self._store.session() as s:
            s.merge(WorkerBeat(worker=self.name, beat_at=self._now()))

    def run_due(self) -> int:
        """Run what is waiting (up to BATCH); how many were claimed. The rows of what ran go in one commit."""
        claimed = self._claim()
        try:
            for row_id, signature, content_type, body, attempts in claimed:
                self._run_one(row_id, signature, content_type, body, attempts)
        finally:
            if self._done:
                with self._store.session() as s:
                    s.execute(delete(HandedOff).where(HandedOff.id.in_(self._done)))
                self._done = []
        return len(claimed)

    def _claim(self) -> list[tuple[int, str, str, str, int]]:
        now = self._now()
        until = now + timedelta(seconds=LEASE_SECONDS)
        free = or_(HandedOff.lease_until.is_(None), HandedOff.lease_until < now)
        with self._store.session() as s:
            ids = list(s.scalars(select(HandedOff.id).where(free).order_by(HandedOff.id).limit(BATCH)))
            if not ids:
                return []
            token = f"{self.name}:{uuid.uuid4().hex[:8]}"
            s.execute(
                update(HandedOff)
                .where(HandedOff.id.in_(ids), free)  # another worker may have claimed some in between
                .values(claimed_by=token, lease_until=until, attempts=HandedOff.attempts + 1)
            )
            columns = (HandedOff.id, HandedOff.signature, HandedOff.content_type, HandedOff.body, HandedOff.attempts)
            rows = s.execute(select(*columns).where(HandedOff.claimed_by == token).order_by(HandedOff.id)).all()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def _run_one(self, row_id: int, signature: str, content_type: str, body: str, attempts: int) -> None:
        request = BoltRequest(
            body=body,
            headers={"content-type": content_type},
            context={DONE: signature},
            mode="socket_mode",  # its signature was verified when the web process recorded it
        )
        with self._database.session() as s:
            if s.get(SeenSignature, signature) is not None:  # carried out by a worker that died before forgetting it
                self._done.append(row_id)
                return
        if attempts > MAX_ATTEMPTS:
            log.error("handed-off request dropped after %s attempts id=%s", MAX_ATTEMPTS, row_id)
            self._done.append(row_id)
            self._post(request, {"response_type": "ephemeral", "text": _GAVE_UP})
            return
        try:
            response = self._app.dispatch(request)
        except Exception:  # noqa: BLE001 — RitualApp.dispatch answers its own failures; this is a crash of Bolt's
            log.exception("handed-off request crashed id=%s", row_id)
            return  # run again when its lease ends, up to MAX_ATTEMPTS
        self._done.append(row_id)  # committed, or rolled back with the user told why: nothing to run again
        answer = _answer(response)
        if answer:
            self._post(request, answer)

    def _post(self, request: BoltRequest, message: dict[str, Any]) -> None:
        """To the request's response_url, through the app's replies lane (not waited for)."""
        url = request.body.get("response_url") if isinstance(request.body, dict) else None
        if not url:
            log.warning("handed-off request has no response_url to answer on")
            return
        respond = Respond(response_url=str(url))

        def send() -> None:
            respond(replace_original=False, **{"response_type": "ephemeral", **message})

        deferred: Deferred | None = getattr(self._app, "deferred", None)
        if deferred is not None:
            deferred.post(send, wait=False)
        else:
            send()


_GAVE_UP = (
    "Sorry, that request failed three times on our side and was dropped: nothing was changed. "
    "Please try again, and tell your admin if it keeps happening."
)


def done_in(session: Session, context: Any) -> None:
    """In the unit of work of a handed-off request (worker): its signature is recorded with the commit of
    what it did, so it is neither run again nor accepted again as a replay. Dated now, not when Slack
    signed it, so it outlives any lease (bot.request_guard prunes signatures older than its window)."""
    signature = context.get(DONE)
    if signature is not None:
        session.add(SeenSignature(signature=signature, request_ts=int(time.time())))


def _answer(response: BoltResponse) -> dict[str, Any] | None:
    """What the listener answered in its ack (text, blocks), as a response_url message; None for an empty ack."""
    if response.status != 200 or not response.body:
        return None
    try:
        message = json.loads(response.body)
    except ValueError:
        return {"response_type": "ephemeral", "text": response.body}
    if not isinstance(message, dict) or not (message.get("text") or message.get("blocks")):
        return None
    return {k: message[k] for k in ("text", "blocks", "response_type") if k in message}
