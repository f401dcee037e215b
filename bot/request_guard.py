"""Slack request verification, once per request: Bolt's RequestVerification, stricter and quieter.

- A request whose `X-Slack-Request-Timestamp` is not a number gets 401 (Bolt's `int()` raised, and
  the error handler answered with an apology).
- A rejected request is logged as one line (reason, length), never its body: Bolt logs the whole
  body at INFO, so 20 unsigned 1 MB posts wrote 20 MB of log.
- A correctly signed request seen before is refused (401): the signature covers timestamp and body,
  and Slack accepts a timestamp within 5 minutes, so a captured request could be replayed for that
  long. Seen signatures are kept in the database (`seen_signatures`), so the refusal holds across web
  processes, and pruned once they are older than the window. Within a request the signature is written by
  the request's own commit (one durable commit per request, not two). Only requests a listener can act on
  (a `type` or a `command`) are recorded: replaying anything else has no effect.

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
from sqlalchemy import BigInteger, String, bindparam, delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.db import Base, Database

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 5  # Slack's (and slack_sdk's SignatureVerifier's) accepted clock skew
PRUNE_EVERY_SECONDS = 60
_DIGITS = re.compile(r"^[0-9]{1,12}$")


class SeenSignature(Base):
    """A verified request's signature, kept for the 5 minutes a replay of it would verify."""

    __tablename__ = "seen_signatures"

    signature: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_ts: Mapped[int] = mapped_column(BigInteger, index=True)


SIGNED = "signed_request"  # request context key: (signature, timestamp) of a verified request (bot.handoff)
HANDED_OFF = "handed_off"  # session.info key: the request was recorded for the worker (bot.handoff)

# built once: composing a statement per request cost more than running it (bench/ack_latency.py)
_SEEN = select(SeenSignature.signature).where(SeenSignature.signature == bindparam("signature"))


class SignedOnce(RequestVerification):
    def __init__(self, signing_secret: str, database: Database, *, now: Callable[[], float] = time.time) -> None:
        super().__init__(signing_secret)
        self._verifier = SignatureVerifier(signing_secret, clock=_Clock(now))
        self._database = database
        self._now = now
        self._pruned_at = 0.0
        self._pruning: threading.Thread | None = None
        self._lock = threading.Lock()

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
        """Record the signature; False when it was recorded before (a replay). In a request's unit of work
        (`db` in Bolt's context) the row is written by the request's own commit: one commit per request, and
        the signature is kept if and only if what the request did is. A concurrent replay that got past the
        check fails on the primary key at that commit and is rolled back whole."""
        self._prune()
        session: Session | None = req.context.get("db")
        if session is None:  # no request unit of work (a bare guard): a transaction of its own
            try:
                with self._database.session() as s:
                    s.add(SeenSignature(signature=signature, request_ts=request_ts))
            except IntegrityError:
                return False
            return True
        if session.execute(_SEEN, {"signature": signature}).first() is not None:
            return False
        seen = SeenSignature(signature=signature, request_ts=request_ts)

        def add(s: Session) -> None:
            # at the outermost commit (a savepoint's commit fires this event too, and a savepoint can be
            # rolled back), once (after a rollback it is added again)
            # a request handed to the worker is recorded by the worker's commit of its work (bot.handoff)
            if not s.in_nested_transaction() and seen not in s and not s.info.get(HANDED_OFF):
                s.add(seen)

        # added last, just before the commit, so SQLite's write lock is not taken for a read-only listener's run
        event.listen(session, "before_commit", add)
        return True

    def _prune(self) -> None:
        """Once a minute, in a thread of its own: no request waits for the delete (or, on SQLite, for the
        write lock a worker's filing may hold)."""
        now = self._now()
        with self._lock:
            if now - self._pruned_at < PRUNE_EVERY_SECONDS:
                return
            self._pruned_at = now
        self._pruning = threading.Thread(
            target=self._delete_older, args=(now,), name="seen-signatures-prune", daemon=True
        )
        self._pruning.start()

    def pruned(self, timeout: float) -> bool:
        """Wait for the prune under way, if any (tests, a graceful stop); True when none is running."""
        if self._pruning is not None:
            self._pruning.join(timeout)
        return self._pruning is None or not self._pruning.is_alive()

    def _delete_older(self, now: float) -> None:
        try:
            with self._database.session() as s:
                # a request verifies while |now - ts| <= window, so older signatures can no longer be replayed
                s.execute(delete(SeenSignature).where(SeenSignature.request_ts < int(now) - WINDOW_SECONDS))
        except Exception:  # noqa: BLE001 — the next minute's prune tries again
            log.warning("could not prune seen request signatures", exc_info=True)


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


def _actionable(body: Any) -> bool:
    return isinstance(body, dict) and bool(body.get("type") or body.get("command"))
