"""The outbox: every message the bot posts is written here first, then delivered exactly once.

Producers call `post`/`update`/`call` inside their unit of work, so a message exists if and only
if the change that caused it committed. `bot.sender.OutboxSender` delivers the rows; it tags every
chat.postMessage with message metadata naming its row (so producers leave `metadata` to it), which is
how a post whose answer was lost is found again instead of being posted twice.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import Blocks, fit_message, truncate_blocks
from bot.models import OutboxMessage

log = logging.getLogger(__name__)


ADDED = "outbox_added"  # session.info key: this unit of work enqueued a message


def post(
    session: Session,
    *,
    channel: str,
    text: str,
    now: datetime,
    blocks: Blocks | None = None,
    team_id: str | None = None,
    thread_of: OutboxMessage | None = None,
    thread_ts: str | None = None,
    dedupe_key: str | None = None,
    ref: str | None = None,
    **extra: Any,
) -> OutboxMessage:
    """Enqueue chat.postMessage; an oversized message becomes several. Returns the first row."""
    rows: list[OutboxMessage] = []
    for n, message in enumerate(fit_message(text, blocks)):
        payload: dict[str, Any] = {"channel": channel, "text": message.text, **extra}
        if message.blocks:
            payload["blocks"] = message.blocks
        if thread_ts:
            payload["thread_ts"] = thread_ts
        rows.append(
            _add(
                session,
                method="chat.postMessage",
                payload=payload,
                now=now,
                team_id=team_id,
                dedupe_key=f"{dedupe_key}#{n}" if dedupe_key and n else dedupe_key,
                ref=ref if n == 0 else None,
                thread_of=thread_of,
            )
        )
    return rows[0]


def update(
    session: Session, original: OutboxMessage, *, text: str, now: datetime, blocks: Blocks | None = None
) -> OutboxMessage:
    """Enqueue chat.update of a message posted through the outbox (sent or still pending)."""
    payload: dict[str, Any] = {"text": fit_message(text, None)[0].text}
    if blocks is not None:
        payload["blocks"] = truncate_blocks(blocks)
    return _add(session, method="chat.update", payload=payload, now=now, team_id=original.team_id, update_of=original)


def ephemeral(
    session: Session,
    *,
    channel: str,
    user: str,
    text: str,
    now: datetime,
    blocks: Blocks | None = None,
    team_id: str | None = None,
) -> OutboxMessage:
    payload: dict[str, Any] = {"channel": channel, "user": user, "text": fit_message(text, None)[0].text}
    if blocks:
        payload["blocks"] = truncate_blocks(blocks)
    return _add(session, method="chat.postEphemeral", payload=payload, now=now, team_id=team_id)


def upload(
    session: Session,
    *,
    channel: str,
    filename: str,
    content: bytes,
    now: datetime,
    title: str | None = None,
    comment: str | None = None,
    alt_text: str | None = None,
    team_id: str | None = None,
    thread_of: OutboxMessage | None = None,
    ref: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Enqueue a file (a chart PNG) for the two-step external upload. `alt_text` describes the image
    for screen readers (Slack's `alt_txt`); `comment` is mrkdwn, the caller escapes it."""
    payload = {
        "channel": channel,
        "filename": filename,
        "title": title or filename,
        "content_b64": base64.b64encode(content).decode("ascii"),
    }
    if comment:
        payload["initial_comment"] = comment
    if alt_text:
        payload["alt_txt"] = alt_text[:1000]
    return _add(
        session,
        method="files.upload",
        payload=payload,
        now=now,
        team_id=team_id,
        thread_of=thread_of,
        ref=ref,
        dedupe_key=dedupe_key,
    )


def call(
    session: Session,
    method: str,
    payload: dict[str, Any],
    *,
    now: datetime,
    team_id: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Any other Web API call that must survive a crash (views.publish, reactions.add ...)."""
    return _add(session, method=method, payload=payload, now=now, team_id=team_id, dedupe_key=dedupe_key)


def find_by_ref(session: Session, ref: str) -> OutboxMessage | None:
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.ref == ref).order_by(OutboxMessage.id.desc()).limit(1)
    ).first()


def already_enqueued(session: Session, dedupe_key: str) -> bool:
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None


def _add(
    session: Session,
    *,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    team_id: str | None,
    dedupe_key: str | None = None,
    ref: str | None = None,
    thread_of: OutboxMessage | None = None,
    update_of: OutboxMessage | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        method=method,
        payload=payload,
        team_id=team_id,
        dedupe_key=dedupe_key,
        ref=ref,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        thread_of_id=thread_of.id if thread_of else None,
        update_of_id=update_of.id if update_of else None,
    )
    if (thread_of and thread_of.id is None) or (update_of and update_of.id is None):
        session.flush()
        row.thread_of_id = thread_of.id if thread_of else None
        row.update_of_id = update_of.id if update_of else None
    session.add(row)
    session.flush()
    session.info[ADDED] = True  # RitualApp.dispatch wakes the sender after the commit
    return row
