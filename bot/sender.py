"""Delivering the outbox: `OutboxSender` claims due rows atomically (several senders may run),
honours 429 Retry-After per workspace and method, backs off on transient errors, and records the
channel/ts Slack returns so later edits can `chat.update` the message.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import Database
from bot.models import OutboxMessage

log = logging.getLogger(__name__)

PERMANENT_ERRORS = {
    "invalid_blocks",
    "invalid_arguments",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "msg_too_long",
    "no_text",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "not_authed",
    "user_not_found",
    "cannot_dm_bot",
    "message_not_found",
    "cant_update_message",
    "missing_scope",
    "user_not_in_channel",
    "invalid_blocks_format",
    "restricted_action",
    "already_reacted",
}


class ClientProvider(Protocol):
    def for_team(self, team_id: str | None, *, retries: bool = True) -> Any: ...


@dataclass
class DeliveryReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class _Wait(Exception):
    """The row cannot go yet (its thread parent or update target is not delivered)."""


class OutboxSender:
    def __init__(
        self,
        database: Database,
        clients: ClientProvider,
        clock: Clock,
        *,
        owner: str = "sender",
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 8,
        batch: int = 100,
    ) -> None:
        self.database = database
        self.clients = clients
        self.clock = clock
        self.owner = owner
        self.lease = lease
        self.max_attempts = max_attempts
        self.batch = batch
        self._paused: dict[tuple[str | None, str], datetime] = {}
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run_forever(self, stop: threading.Event, idle_wait: float = 1.0) -> None:
        while not stop.is_set():
            try:
                report = self.deliver_due()
            except Exception:
                log.exception("outbox delivery round failed")
                report = DeliveryReport()
            if report.sent == 0:
                self._wake.wait(idle_wait)
                self._wake.clear()

    def deliver_due(self) -> DeliveryReport:
        """Deliver every row that is due now; returns what happened."""
        report = DeliveryReport()
        for row_id in self._due_ids():
            self._deliver_one(row_id, report)
        return report

    def next_due_at(self) -> datetime | None:
        with self.database.session() as s:
            return s.scalar(
                select(OutboxMessage.next_attempt_at)
                .where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.next_attempt_at)
                .limit(1)
            )

    def _due_ids(self) -> list[int]:
        now = self.clock.now()
        with self.database.session() as s:
            return list(
                s.scalars(
                    select(OutboxMessage.id)
                    .where(
                        or_(
                            and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                            and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now),
                        )
                    )
                    .order_by(OutboxMessage.id)
                    .limit(self.batch)
                )
            )

    def _claim(self, s: Session, row_id: int, now: datetime) -> OutboxMessage | None:
        claimed = s.execute(
            sql_update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                or_(
                    and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                    and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now),
                ),
            )
            .values(status="sending", locked_until=now + self.lease, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        s.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            return None
        return s.get(OutboxMessage, row_id, populate_existing=True)

    def _deliver_one(self, row_id: int, report: DeliveryReport) -> None:
        now = self.clock.now()
        with self.database.session() as s:
            row = s.get(OutboxMessage, row_id)
            if row is None or self._is_paused(row, now):
                report.deferred += 1
                return
            row = self._claim(s, row_id, now)
            if row is None:
                return
            try:
                payload = self._resolve(s, row)
                if payload is None:
                    self._finish(row, "superseded", now)
                    return
                response = self._send(row, payload)
            except _Wait:
                row.status, row.attempts, row.next_attempt_at = "pending", row.attempts - 1, now
                report.deferred += 1
                return
            except Exception as exc:  # noqa: BLE001 — classified below, never lost
                self._on_error(row, exc, now, report)
                return
            row.channel = response.get("channel") or payload.get("channel")
            row.ts = response.get("ts") or (response.get("message") or {}).get("ts") or payload.get("ts")
            self._finish(row, "sent", self.clock.now())
            report.sent += 1

    def _resolve(self, s: Session, row: OutboxMessage) -> dict[str, Any] | None:
        payload = dict(row.payload)
        if row.thread_of_id:
            parent = s.get(OutboxMessage, row.thread_of_id)
            if parent is None or parent.status == "failed":
                raise RuntimeError("thread parent message failed to deliver")
            if parent.status != "sent":
                raise _Wait()
            payload.setdefault("thread_ts", parent.ts)
            payload.setdefault("channel", parent.channel)
        if row.update_of_id:
            target = s.get(OutboxMessage, row.update_of_id)
            if target is None or target.status == "failed":
                raise RuntimeError("the message to update failed to deliver")
            if target.status != "sent":
                raise _Wait()
            newer = s.scalar(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.update_of_id == row.update_of_id,
                    OutboxMessage.id > row.id,
                    OutboxMessage.status.in_(("pending", "sending")),
                )
                .limit(1)
            )
            if newer is not None:
                return None  # a later edit of the same message replaces this one
            payload.update(channel=target.channel, ts=target.ts)
        return payload

    def _send(self, row: OutboxMessage, payload: dict[str, Any]) -> dict[str, Any]:
        client = self.clients.for_team(row.team_id, retries=False)
        if row.method == "files.upload":
            args = {k: v for k, v in payload.items() if k != "content_b64"}
            args["content"] = base64.b64decode(payload["content_b64"])
            response = client.files_upload_v2(**args)
            files = response.get("files") or [response.get("file") or {}]
            return {"channel": payload["channel"], "file_id": files[0].get("id")}
        return dict(client.api_call(row.method, json=payload).data)

    def _on_error(self, row: OutboxMessage, exc: Exception, now: datetime, report: DeliveryReport) -> None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        error = (response.get("error") if response is not None and hasattr(response, "get") else None) or str(exc)
        if status == 429 or error == "ratelimited":
            retry_after = _retry_after(response)
            self._paused[(row.team_id, row.method)] = now + retry_after
            row.status, row.attempts, row.next_attempt_at = "pending", row.attempts - 1, now + retry_after
            row.last_error = f"rate limited, retry after {retry_after.total_seconds():.0f}s"
            log.info("outbox rate limited id=%s method=%s retry_after=%s", row.id, row.method, retry_after)
            report.deferred += 1
            return
        permanent = error in PERMANENT_ERRORS or (status is not None and 400 <= status < 500)
        row.last_error = error[:2000]
        if permanent or row.attempts >= self.max_attempts:
            self._finish(row, "failed", now)
            report.failed += 1
            report.errors.append(error)
            log.error("outbox delivery failed id=%s method=%s error=%s", row.id, row.method, error)
            return
        row.status, row.next_attempt_at = "pending", now + timedelta(seconds=min(2**row.attempts, 300))
        report.deferred += 1
        log.warning(
            "outbox transient error id=%s method=%s error=%s attempt=%s", row.id, row.method, error, row.attempts
        )

    def _is_paused(self, row: OutboxMessage, now: datetime) -> bool:
        until = self._paused.get((row.team_id, row.method))
        return until is not None and until > now

    @staticmethod
    def _finish(row: OutboxMessage, status: str, now: datetime) -> None:
        row.status, row.locked_until = status, None
        if status == "sent":
            row.sent_at = now


def _retry_after(response: Any) -> timedelta:
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return timedelta(seconds=max(1, int(str(value))))
    except (TypeError, ValueError):
        return timedelta(seconds=30)
