"""Delivering the outbox. `OutboxSender` claims due rows under a short lease that a heartbeat renews while
the call is in flight (several senders may run, in several processes), and sends a few at a time: one lane
per conversation, so a channel's messages keep their order and a slow call holds only its own lane. It
honours 429 Retry-After per workspace and method, pauses a workspace whose token Slack refuses, and records
the channel/ts Slack returns so later edits can `chat.update` the message. A post whose outcome is unknown
(a timeout, a 5xx, a sender that died mid-send) is looked up in Slack before it is sent again
(`bot.delivery`), so a lost answer or a killed process costs no duplicate: a post by its metadata, an upload
by its file id; an ephemeral message, which cannot be looked up, is not sent again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot import leases
from bot.clock import Clock
from bot.config import DeliverySettings
from bot.db import Database
from bot.delivery import (
    OUTBOX_EVENT,
    PERMANENT_ERRORS,
    UNCHECKABLE,
    UPLOADED,
    Failure,
    classify,
    find_landed,
    find_upload,
    tag,
    upload,
)
from bot.heartbeat import Heartbeat
from bot.models import OutboxMessage
from bot.pauses import Pauses

__all__ = ["OUTBOX_EVENT", "ClientProvider", "DeliveryReport", "OutboxSender"]

log = logging.getLogger(__name__)
NOT_RESENT = "outcome unknown and an ephemeral message cannot be looked up: not sent again"


class ClientProvider(Protocol):
    def for_team(self, team_id: str | None, *, retries: bool = True) -> Any: ...


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, outcome: str, error: str | None = None, n: int = 1) -> None:
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + n)
            if error:
                self.errors.append(error)


@dataclass(frozen=True)
class _Outcome:
    values: dict[str, Any]
    outcome: str
    error: str | None
    team_id: str | None
    until: datetime | None  # the workspace is paused until then (its token was refused)


@dataclass(frozen=True)
class _Result:
    channel: str | None = None
    ts: str | None = None
    failure: Failure | None = None
    token: str | None = None


class OutboxSender:
    def __init__(
        self,
        database: Database,
        clients: ClientProvider,
        clock: Clock,
        *,
        settings: DeliverySettings | None = None,
        lease: timedelta | None = None,
        owner: str | None = None,
        max_attempts: int = 8,
        batch: int = 100,
        gather: float = 0.05,
        flush_after: float = 0.2,
    ) -> None:
        settings = settings or DeliverySettings()
        self.database = database
        self.clients = clients
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease or settings.lease
        self.concurrency = settings.concurrency
        self.per_workspace = settings.per_workspace
        self.max_attempts = max_attempts
        self.batch = batch
        self.gather = gather  # after a wake, how long a round waits for more rows (one claim, one commit, for all)
        self.flush_after = flush_after  # a lane writes its outcomes at its end, or when the oldest is this old
        self.pauses = Pauses(clients)
        self.heartbeats = Heartbeat(self.heartbeat, every=max(self.lease.total_seconds() / 3, 0.05), name="outbox")
        self._busy: dict[leases.Lane, str | None] = {}
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run_forever(
        self, stop: threading.Event, idle_wait: float = 1.0, idle_rounds: Callable[[], bool] = lambda: True
    ) -> None:
        """Deliver when woken, and every `idle_wait` seconds while `idle_rounds()` (the web process leaves
        those to a running worker: what the worker enqueues, the worker sends)."""
        woken = True
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox") as pool:
            while not stop.is_set():
                if woken or idle_rounds():
                    try:
                        self._pump(pool, DeliveryReport(), None)
                    except Exception:
                        log.exception("outbox delivery round failed")
                woken = self._wake.wait(idle_wait)
                if woken and self.gather:
                    stop.wait(self.gather)  # a burst of requests: one round claims their rows together
                self._wake.clear()

    def deliver_due(self) -> DeliveryReport:
        """Deliver every row that is due now (and what becomes due as parents go out); returns what happened."""
        report = DeliveryReport()
        tried: dict[int, int] = {}  # row id -> rows sent when it was last tried: retried only after progress
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox") as pool:
            running: set[Future[None]] = set()
            while True:
                running |= self._pump(pool, report, tried)
                if not running:
                    return report
                _, running = wait(running, return_when=FIRST_COMPLETED)

    def next_due_at(self) -> datetime | None:
        return leases.next_due_at(self.database)

    def heartbeat(self) -> int:
        """Renew the lease of every row this sender is sending; returns how many."""
        with self._lock:
            ids = sorted(self._in_flight)
        return leases.renew(self.database, ids, self.owner, self.clock.now() + self.lease) if ids else 0

    # -- rounds and lanes ----------------------------------------------------------------------
    def _pump(
        self, pool: ThreadPoolExecutor, report: DeliveryReport, tried: dict[int, int] | None
    ) -> set[Future[None]]:
        """Start a lane for every conversation with due rows, within the concurrency limits; the rows of every
        lane started are claimed together, in one commit."""
        now = self.clock.now()
        for team_id in self.pauses.resumed(now):
            leases.park(self.database, team_id, now, until=None)
        chosen: dict[leases.Lane, list[int]] = {}
        for lane, ids in leases.due_lanes(self.database, now, self.batch).items():
            team_id = lane[0]
            if tried is not None:
                ids = [i for i in ids if tried.get(i) != report.sent]
            if not ids:
                continue
            paused_until = self.pauses.paused_until(team_id, now)
            if paused_until is not None:
                leases.park(self.database, team_id, now, until=paused_until)
                report.add("deferred", n=len(ids))
                continue
            with self._lock:
                in_workspace = sum(1 for t in self._busy.values() if t == team_id)
                if lane in self._busy or len(self._busy) >= self.concurrency or in_workspace >= self.per_workspace:
                    continue
                self._busy[lane] = team_id
            chosen[lane] = ids
            if tried is not None:
                tried.update((i, report.sent) for i in ids)
        if not chosen:
            return set()
        rows = self._claim(chosen, now, report)
        started: set[Future[None]] = set()
        for lane, ids in chosen.items():
            mine = [r for r in rows if r.id in set(ids)]
            if mine:
                started.add(pool.submit(self._run_lane, lane, mine, report))
            else:
                with self._lock:
                    self._busy.pop(lane, None)
        return started

    def _claim(
        self, lanes: dict[leases.Lane, list[int]], now: datetime, report: DeliveryReport
    ) -> list[leases.Claimed]:
        try:
            rows, skipped = leases.claim(
                self.database,
                [i for ids in lanes.values() for i in ids],
                now,
                owner=self.owner,
                lease=self.lease,
                rate_limited=lambda team_id, method: self.pauses.rate_limited(team_id, method, now),
            )
        except Exception:
            with self._lock:
                for lane in lanes:
                    self._busy.pop(lane, None)
            raise
        for skip in skipped:
            if skip.outcome in ("deferred", "failed"):
                report.add(skip.outcome, skip.error)
        self._track([r.id for r in rows], True)
        return rows

    def _run_lane(self, lane: leases.Lane, rows: list[leases.Claimed], report: DeliveryReport) -> None:
        """Send a lane's claimed rows in order; their outcomes are written together (one commit), at the end
        or when the oldest unwritten one is `flush_after` old. A row not attempted is given back."""
        sent_before = report.sent
        outcomes: dict[int, _Outcome] = {}
        attempted: set[int] = set()
        landed: dict[int, _Result] = {}  # rows of this lane Slack accepted: a reply's parent among them
        oldest = 0.0
        try:
            for row in rows:
                if row.waits_for is not None:
                    parent = landed.get(row.waits_for)
                    if parent is None:
                        continue  # its parent did not go first here: given back below, as if never claimed
                    row = leases.with_parent(row, parent.channel, parent.ts)
                if self.pauses.rate_limited(row.team_id, row.method, self.clock.now()):
                    continue  # a 429 on an earlier row: given back below, due when the limit ends
                if row.taken_from is not None:
                    log.warning("outbox lease taken over id=%s from=%s: it stopped renewing it", row.id, row.taken_from)
                attempted.add(row.id)
                result = self._attempt(row)
                if result.failure is None:
                    landed[row.id] = result
                outcomes[row.id] = self._outcome(row, result)
                oldest = oldest or time.monotonic()
                if time.monotonic() - oldest >= self.flush_after:
                    self._flush(outcomes, report)
                    oldest = 0.0
        except Exception:
            log.exception("outbox lane failed lane=%s", lane)
        finally:
            try:
                self._flush(outcomes, report)
                left = [r.id for r in rows if r.id not in attempted]
                if left:
                    leases.release(self.database, left, self.owner, self.clock.now())
            except Exception:  # its rows stay claimed: taken over in doubt when the lease runs out
                log.exception("outbox outcomes not recorded lane=%s", lane)
            self._track([r.id for r in rows], False)
            with self._lock:
                self._busy.pop(lane, None)
            if report.sent != sent_before:
                self._wake.set()  # rows waiting for these (threads, edits, the workspace's limit) can go

    def _attempt(self, row: leases.Claimed) -> _Result:
        """The Slack calls, outside any database transaction."""
        client: Any = None
        try:
            client = self.clients.for_team(row.team_id, retries=False)
            payload = row.payload
            if row.in_doubt and row.method in UNCHECKABLE:
                return _Result(failure=Failure("unknown_outcome", "its sender stopped mid-send"))
            if row.method == "files.upload":
                return self._upload(client, row)
            if row.method == "chat.postMessage":
                payload = {**payload, "metadata": payload.get("metadata") or tag(row.id)}
                if row.in_doubt:
                    landed = self._checked(row, lambda: find_landed(client, row.id, payload, row.created_at))
                    if landed is not None:
                        log.info("outbox post had landed before id=%s channel=%s ts=%s", row.id, *landed)
                        return _Result(channel=landed[0], ts=landed[1])
            response = self._send(client, row.method, payload)
        except Exception as exc:  # noqa: BLE001 — classified in _outcome, never lost
            return _Result(failure=classify(exc), token=getattr(client, "token", None))
        channel = response.get("channel") or payload.get("channel")
        ts = response.get("ts") or (response.get("message") or {}).get("ts") or payload.get("ts")
        return _Result(channel=channel, ts=ts)

    def _upload(self, client: Any, row: leases.Claimed) -> _Result:
        """A file is shared only by the upload's last step; when that step's answer was lost, the file id kept on
        the row before it is looked for in the conversation, and the file is uploaded again only if it is absent."""
        file_id = row.payload.get(UPLOADED) if row.in_doubt else None
        if file_id:
            landed = self._checked(row, lambda: find_upload(client, str(file_id), row.payload, row.created_at))
            if landed is not None:
                log.info("outbox upload had been shared before id=%s file=%s ts=%s", row.id, file_id, landed[1])
                return _Result(channel=landed[0], ts=landed[1])

        def remember(new_id: str) -> None:
            if not leases.note(self.database, row.id, self.owner, {**row.payload, UPLOADED: new_id}):
                raise RuntimeError(f"outbox lease lost before sharing file {new_id}")

        sent = upload(client, row.payload, remember=remember)
        return _Result(channel=sent["channel"])

    @staticmethod
    def _checked(row: leases.Claimed, lookup: Callable[[], tuple[str, str] | None]) -> tuple[str, str] | None:
        try:
            return lookup()
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error not in PERMANENT_ERRORS:
                raise  # cannot look now (rate limit, token, no answer): stays in doubt, retried later
            log.warning("outbox cannot check whether id=%s landed (%s): sending it again", row.id, error)
            return None

    @staticmethod
    def _send(client: Any, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        return dict(client.api_call(method, json=payload).data)

    def _outcome(self, row: leases.Claimed, result: _Result) -> _Outcome:
        """What to write for an attempt (written later, with the lane's others, by `_flush`)."""
        now = self.clock.now()
        failure = result.failure
        retry_now = {"status": "pending", "attempts": OutboxMessage.attempts - 1}
        until: datetime | None = None
        if failure is None:
            values: dict[str, Any] = {"status": "sent", "channel": result.channel, "ts": result.ts, "sent_at": now}
            values.update(in_doubt=False, last_error=None)
            outcome, error = "sent", None
            self.pauses.delivered(row.team_id)
        elif failure.kind == "rate_limited":
            retry_after = failure.retry_after or timedelta(seconds=30)
            self.pauses.rate_limit(row.team_id, row.method, now + retry_after)
            values = {**retry_now, "next_attempt_at": now + retry_after}
            values["last_error"] = f"rate limited, retry after {retry_after.total_seconds():.0f}s"
            outcome, error = "deferred", None
            log.info("outbox rate limited id=%s method=%s retry_after=%s", row.id, row.method, retry_after)
        elif failure.kind == "token":
            until = self.pauses.token_failed(row.team_id, failure.error, result.token, now)
            values = {**retry_now, "next_attempt_at": until or now, "last_error": f"{failure.error} (workspace paused)"}
            outcome, error = "deferred", None
        elif failure.kind == "unknown_outcome" and row.method in UNCHECKABLE:
            values = {"status": "failed", "in_doubt": True, "last_error": f"{NOT_RESENT}: {failure.error}"[:2000]}
            outcome, error = "failed", failure.error
            log.warning("outbox ephemeral message not sent again id=%s: outcome unknown (%s)", row.id, failure.error)
        elif failure.kind == "permanent" or row.attempts >= self.max_attempts:
            values, outcome, error = {"status": "failed", "last_error": failure.error[:2000]}, "failed", failure.error
            log.error("outbox delivery failed id=%s method=%s error=%s", row.id, row.method, failure.error)
        else:
            backoff = timedelta(seconds=min(2**row.attempts, 300))
            values = {"status": "pending", "next_attempt_at": now + backoff, "last_error": failure.error[:2000]}
            if failure.kind == "unknown_outcome":
                values["in_doubt"] = True
            outcome, error = "deferred", None
            log.warning(
                "outbox %s id=%s method=%s error=%s attempt=%s",
                "outcome unknown" if failure.kind == "unknown_outcome" else "transient error",
                row.id,
                row.method,
                failure.error,
                row.attempts,
            )
        return _Outcome(values, outcome, error, row.team_id, until)

    def _flush(self, outcomes: dict[int, _Outcome], report: DeliveryReport) -> None:
        if not outcomes:
            return
        written = leases.record(self.database, self.owner, {i: o.values for i, o in outcomes.items()})
        now = self.clock.now()
        for row_id, o in outcomes.items():
            if row_id not in written:
                log.warning("outbox lease lost before the outcome was recorded id=%s outcome=%s", row_id, o.outcome)
                continue
            report.add(o.outcome, o.error)
            if o.until is not None:
                leases.park(self.database, o.team_id, now, until=o.until)
        outcomes.clear()

    def _track(self, ids: list[int], sending: bool) -> None:
        with self._lock:
            if sending:
                self._in_flight.update(ids)
                if self._in_flight:
                    self.heartbeats.start()
            else:
                self._in_flight.difference_update(ids)
                if not self._in_flight:
                    self.heartbeats.stop()
